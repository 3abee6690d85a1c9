// utkit/xcap/pres_rules.hpp — presence authorization rules (RFC 4745
// common-policy, RFC 5025 pres-rules, OMA XDM), rls-services (RFC 4826 4),
// xcap-caps, and the per-operator profile of AUIDs and document names.
//
// Two ways of allowing or blocking a watcher, chosen by the profile:
//  * OMA: the pres-rules document refers to the OMA lists through
//    external-list (rules wp_prs_allow_own, wp_prs_grantedcontacts,
//    wp_prs_blockedcontacts); allowing a watcher moves it into
//    oma_grantedcontacts and out of oma_blockedcontacts (element operations on
//    resource-lists), blocking does the reverse.
//  * IETF: one rule per watcher, <identity><one id="..."/></identity> with a
//    sub-handling action, written with an element PUT.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "utkit/xcap/namespaces.hpp"
#include "utkit/xcap/resource_lists.hpp"

namespace pugi {
class xml_document;
}

namespace utkit::xcap {

inline constexpr char kPresRulesNs[] = "urn:ietf:params:xml:ns:pres-rules";
inline constexpr char kOmaCommonPolicyNs[] = "urn:oma:xml:xdm:common-policy";
inline constexpr char kRlsServicesNs[] = "urn:ietf:params:xml:ns:rls-services";

// AUIDs and document names drift between servers; an operator profile names them.
struct XcapProfile {
  std::string name = "oma";
  std::string resource_lists_auid = "resource-lists";
  std::string resource_lists_doc = "index";
  std::string pres_rules_auid = "org.openmobilealliance.pres-rules";
  std::string pres_rules_doc = "pres-rules";
  std::string rls_auid = "rls-services";
  std::string rls_doc = "index";
  bool oma_lists = true;  // rules through the OMA lists (false: one IETF rule per watcher)

  static XcapProfile oma();
  // IETF names: AUID "pres-rules", document "index", identity rules.
  static XcapProfile ietf();
  static Result<XcapProfile> named(std::string_view name);
};

enum class SubHandling { block, confirm, polite_block, allow };
const char* to_string(SubHandling s);

struct Rule {
  std::string id;
  std::vector<std::string> identities;      // <one id="..."/>
  std::vector<std::string> domains;         // <many domain="..."/>
  std::vector<std::string> external_lists;  // OMA <external-list><entry anc="..."/>
  std::optional<SubHandling> sub_handling;
};

class PresRules {
 public:
  static Result<PresRules> parse(std::string_view xml);
  // The OMA default rules for `xui`, referring to the OMA lists in
  // `resource_lists_doc_uri` (the XCAP URI of the user's resource-lists document).
  static std::string oma_default(const std::string& xui, const std::string& resource_lists_doc_uri);
  static std::string empty_ruleset();
  // A <rule> element (common-policy namespace) for an XCAP element PUT.
  static std::string rule_xml(const Rule& r);

  PresRules(PresRules&&) noexcept;
  PresRules& operator=(PresRules&&) noexcept;
  ~PresRules();

  const std::vector<Rule>& rules() const { return rules_; }
  const Rule* find(std::string_view id) const;
  // The action for a watcher: the most permissive matching rule (RFC 4745 10).
  std::optional<SubHandling> decision_for(std::string_view watcher) const;
  std::string serialize() const;

 private:
  PresRules();
  std::unique_ptr<pugi::xml_document> doc_;
  std::vector<Rule> rules_;
};

struct RlsService {
  std::string uri;
  std::string resource_list;  // reference to a resource-lists list
  std::vector<std::string> packages;
};
Result<std::vector<RlsService>> parse_rls_services(std::string_view xml);
std::string rls_service_xml(const RlsService& s);

struct XcapCaps {
  std::vector<std::string> auids;
  std::vector<std::string> extensions;
  std::vector<std::string> namespaces;
  bool parsed = false;  // false: the document was malformed and nothing is known
  bool supports(std::string_view auid) const;
};
// Never fails: a malformed xcap-caps gives parsed=false, not an error.
XcapCaps parse_xcap_caps(std::string_view xml);

// Allow or block watchers, per the profile.
class WatcherRules {
 public:
  WatcherRules(XcapClient& xcap, XcapProfile profile = XcapProfile::oma());

  Result<void> allow(std::string_view watcher);
  Result<void> block(std::string_view watcher);
  Result<void> polite_block(std::string_view watcher);
  // A rule for a whole domain (<many domain="..."/>), e.g. the operator's own.
  Result<void> set_domain(std::string_view domain, SubHandling action);
  // The rules document (the profile's defaults are created when missing).
  Result<PresRules> rules();
  // The service that lets a watcher subscribe to the whole buddy list
  // (OMA: "<xui>;pres-list=oma_buddylist"), created when missing.
  Result<RlsService> ensure_buddy_service(const std::string& list = "oma_buddylist");

 private:
  Result<void> set(std::string_view watcher, SubHandling action);
  Result<void> put_rule(const Rule& rule);
  std::string resource_lists_doc_uri() const;

  XcapClient& xcap_;
  XcapProfile profile_;
};

}  // namespace utkit::xcap
