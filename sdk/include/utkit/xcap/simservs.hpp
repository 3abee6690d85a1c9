// utkit/xcap/simservs.hpp — the MMTel supplementary services document
// (3GPP TS 24.623, ETSI "simservs"): a typed view of what the operator's
// document holds, and the element edits that change one service.
//
// The document is kept whole (pugixml DOM), so everything this SDK does not
// model (operators' extension elements and attributes, other namespaces,
// their own prefixes) survives every edit. An edit changes the operator's
// existing rule for a condition, found by its conditions and never by an id
// of ours; a rule is created only when none exists, with an id no other rule
// in the document has. Each edit is applied to this document and returned as
// one XCAP element PUT (or DELETE) of that rule, with the namespace
// declarations it needs, for the caller to send under the document's ETag.
//
// Services and clauses:
//   communication-diversion           TS 24.604 (CFU, CFB, CFNR, CFNRc, CFNL)
//   incoming-/outgoing-communication-barring  TS 24.611 (ICB, OCB, ACR)
//   originating-identity-presentation(-restriction)  TS 24.607 (OIP/OIR)
//   terminating-identity-presentation(-restriction)  TS 24.608 (TIP/TIR)
//   communication-waiting             TS 24.615
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utkit/base/result.hpp"
#include "utkit/base/clock.hpp"
#include "utkit/xcap/client.hpp"
#include "utkit/xcap/namespaces.hpp"
#include "utkit/xcap/uri.hpp"

namespace utkit::xcap {

inline constexpr char kSimservsAuid[] = "simservs.ngn.etsi.org";
inline constexpr char kSimservsDocument[] = "simservs.xml";
inline constexpr char kSimservsNs[] = "http://uri.etsi.org/ngn/params/xml/simservs/xcap";

enum class Service {
  communication_diversion,
  incoming_barring,
  outgoing_barring,
  oip,   // originating-identity-presentation
  oir,   // originating-identity-presentation-restriction
  tip,   // terminating-identity-presentation
  tir,   // terminating-identity-presentation-restriction
  communication_waiting,
};
// The service's element name in the simservs namespace.
const char* service_element(Service s);

enum class ForwardCondition { unconditional, busy, no_reply, not_reachable, not_registered };
// "unconditional", "busy", "no-reply", "not-reachable", "not-registered"
const char* to_string(ForwardCondition c);
std::optional<ForwardCondition> forward_condition_named(std::string_view name);

enum class BarringCondition {
  all_outgoing,
  outgoing_international,
  outgoing_international_exhc,
  all_incoming,
  incoming_roaming,
  anonymous,  // anonymous communication rejection (incoming)
};
// "all-outgoing", "outgoing-international", "outgoing-international-exhc",
// "all-incoming", "incoming-roaming", "anonymous"
const char* to_string(BarringCondition c);
std::optional<BarringCondition> barring_condition_named(std::string_view name);
bool is_incoming(BarringCondition c);

// How a forwarding or barring rule is switched off.
enum class DisableMethod {
  rule_deactivated,  // add the <rule-deactivated/> condition (TS 24.604 / 24.611; default)
  delete_rule,       // DELETE the rule
  flip_allow,        // barring only: <allow>true</allow> (forwarding falls back to rule_deactivated)
};

struct ServiceState {
  bool provisioned = false;  // the element is in the document
  bool active = false;       // its active attribute (absent: true, as the schema's default)
};

struct ForwardingRule {
  std::string id;
  ForwardCondition condition = ForwardCondition::unconditional;
  bool enabled = false;                // no rule-deactivated condition, and a target
  std::string target;                  // forward-to/target
  std::vector<std::string> media;      // media conditions ("audio", "video")
};

struct BarringRule {
  std::string id;
  BarringCondition condition = BarringCondition::all_outgoing;
  bool enabled = false;                // no rule-deactivated condition, and allow false
  std::vector<std::string> media;
};

// One XCAP request that carries an edit.
struct SimservsEdit {
  enum class Method { put, remove };
  Method method = Method::put;
  NodeSelector node;   // from the simservs root, with the common-policy binding
  std::string body;    // for put: the element, with its namespace declarations
  std::string what;    // for messages: "call forwarding on busy"
};

struct ForwardingChange {
  ForwardCondition condition = ForwardCondition::unconditional;
  bool enable = true;
  std::string target;                      // enable: sip:, sips: or tel: URI
  std::optional<int> no_reply_timer;       // no_reply: 5..180 s
  DisableMethod disable = DisableMethod::rule_deactivated;
  // Empty: calls of every medium (the operator's rule without a media
  // condition, preferred). Else the rule for exactly these media ("audio",
  // "video"; TS 24.604 media condition), created with them when missing.
  std::vector<std::string> media;
};

class Simservs {
 public:
  // Refuses DOCTYPEs, documents over 1 MiB, nesting deeper than 64 levels,
  // and a root that is not <simservs> in the simservs namespace.
  static Result<Simservs> parse(std::string_view xml);
  static Result<Simservs> parse_owned(std::string&& xml);

  Simservs(Simservs&&) noexcept;
  Simservs& operator=(Simservs&&) noexcept;
  ~Simservs();

  ServiceState state(Service s) const;
  std::optional<int> no_reply_timer() const;
  std::vector<ForwardingRule> forwarding_rules() const;
  std::vector<BarringRule> barring_rules(bool incoming) const;
  // The operator's rule for a condition (the first one, in document order).
  std::optional<ForwardingRule> forwarding(ForwardCondition c) const;
  std::optional<BarringRule> barring(BarringCondition c) const;
  // OIR / TIR default-behaviour: true for presentation-restricted; nullopt
  // when the service or the element is absent.
  std::optional<bool> restricted(Service oir_or_tir) const;

  // Edits: checked first (target URI form, timer range, a provisioned
  // service); on success applied to this document and returned as the
  // requests that carry them (the NoReplyTimer change, if any, comes first).
  // Nothing changes here on an error.
  Result<std::vector<SimservsEdit>> set_forwarding(const ForwardingChange& change);
  // The checks set_forwarding() makes that need no document (target form,
  // timer, media): a client runs them before it sends anything.
  static Result<void> check(const ForwardingChange& change);
  Result<std::vector<SimservsEdit>> set_barring(BarringCondition c, bool enable,
                                                DisableMethod disable = DisableMethod::rule_deactivated);
  // OIR/TIR: the default-behaviour element; OIP, TIP, CW and the others: the
  // active attribute.
  Result<std::vector<SimservsEdit>> set_restricted(Service oir_or_tir, bool restricted);
  Result<std::vector<SimservsEdit>> set_active(Service s, bool active);

  std::string serialize() const;

 private:
  struct Impl;
  explicit Simservs(std::unique_ptr<Impl> impl);
  static Result<Simservs> check(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// How forwarding targets are written before they are checked and sent.
enum class NumberFormat {
  as_given,        // unchanged: the app gives a sip:, sips: or tel: URI
  e164_tel,        // "+15550100", "tel:+1-555-0100", "sip:+15550100@h;user=phone" -> "tel:+15550100"
  sip_user_phone,  // the same numbers -> "sip:+15550100@<number_domain>;user=phone"
};
// A number or URI in the format; sip: URIs that are not phone numbers pass
// unchanged. invalid_argument for a number without its country code ('+')
// when a global form is asked for.
Result<std::string> normalize_target(std::string_view target, NumberFormat format, std::string_view number_domain);

// How an operator wants simservs written (part of its profile).
struct SimservsProfile {
  std::string auid = kSimservsAuid;
  std::string document = kSimservsDocument;
  // The whole document's type, for document writes: some operators want
  // application/vnd.etsi.simservs+xml.
  std::string document_type = "application/simservs+xml";
  bool element_writes = true;  // false: every change is a whole-document PUT
  DisableMethod disable = DisableMethod::rule_deactivated;
  NumberFormat numbers = NumberFormat::as_given;
  std::string number_domain;   // for sip_user_phone; empty: the user's home domain
  int max_retries = 8;         // rounds when another device changes the document (412)
  Millis backoff_base{4};
  Millis backoff_max{200};
};

// The services over XCAP: every change reads the document (learning the
// operator's rules, prefixes and ETag), applies the edit, and sends it with
// If-Match; a 412 (another device, or the network, changed the document)
// re-reads and re-applies, bounded in count and by the client's deadline.
// Errors: xcap_not_provisioned (no such service, or no simservs document),
// xcap_forbidden (403), xcap_conflict (409; the message has the server's
// condition and phrase), invalid_argument (checked locally, nothing sent).
class SimservsClient {
 public:
  SimservsClient(XcapClient& xcap, SimservsProfile profile = {});

  Result<Simservs> read();
  // Each returns the document as the server now has it (after the change).
  Result<Simservs> set_forwarding(const ForwardingChange& change);
  Result<Simservs> set_barring(BarringCondition c, bool enable);
  Result<Simservs> set_restricted(Service oir_or_tir, bool restricted);
  Result<Simservs> set_active(Service s, bool active);

  const SimservsProfile& profile() const { return profile_; }
  int requests() const { return requests_; }   // XCAP requests sent by this client
  int retries() const { return retries_; }     // 412 recoveries

 private:
  XcapUri document_uri(NodeSelector node = {}) const;
  Result<Simservs> change(const std::function<Result<std::vector<SimservsEdit>>(Simservs&)>& edit);

  XcapClient& xcap_;
  SimservsProfile profile_;
  int requests_ = 0;
  int retries_ = 0;
};

// A forwarding target as TS 24.604 allows it: a sip:, sips: or tel: URI of
// printable characters; a tel: number of digits, '+', and visual separators.
Result<void> check_forward_target(std::string_view target);

}  // namespace utkit::xcap
