#include "utkit/xcap/pres_rules.hpp"

#include <mbedtls/sha256.h>
#include <pugixml.hpp>

#include "xml_util.hpp"

#include <cstring>

#include "utkit/base/encoding.hpp"
#include "../base/xml_load.hpp"
#include "../base/text.hpp"

namespace utkit::xcap {

using namespace std::string_view_literals;
namespace {

// Pauses between retries of a rules write that lost a race (XcapClient::back_off).
constexpr Millis kRetryBase{4};
constexpr Millis kRetryMax{200};

Result<void> load(pugi::xml_document& d, std::string_view xml, const char* what) {
  return utkit::detail::load_untrusted_xml(d, xml, cat({what, " document"}), 4u << 20, Errc::xcap_bad_document);
}

std::optional<SubHandling> sub_handling_of(std::string_view t) {
  if (t == "block") return SubHandling::block;
  if (t == "confirm") return SubHandling::confirm;
  if (t == "polite-block") return SubHandling::polite_block;
  if (t == "allow") return SubHandling::allow;
  return std::nullopt;
}

std::string list_anchor(const std::string& doc_uri, const std::string& list) {
  return format("{}/~~/resource-lists/list%5B@name=%22{}%22%5D", {doc_uri, percent_encode(list, false)});
}

}  // namespace

XcapProfile XcapProfile::oma() { return XcapProfile{}; }

XcapProfile XcapProfile::ietf() {
  XcapProfile p;
  p.name = "ietf";
  p.pres_rules_auid = "pres-rules";
  p.pres_rules_doc = "index";
  p.oma_lists = false;
  return p;
}

Result<XcapProfile> XcapProfile::named(std::string_view name) {
  if (name == "oma") return oma();
  if (name == "ietf") return ietf();
  return make_error(Errc::config_invalid, "unknown XCAP profile '{}' (use oma or ietf)", {name});
}

const char* to_string(SubHandling s) {
  switch (s) {
    case SubHandling::block: return "block";
    case SubHandling::confirm: return "confirm";
    case SubHandling::polite_block: return "polite-block";
    case SubHandling::allow: return "allow";
  }
  return "block";
}

PresRules::PresRules() : doc_(std::make_unique<pugi::xml_document>()) {}
PresRules::PresRules(PresRules&&) noexcept = default;
PresRules& PresRules::operator=(PresRules&&) noexcept = default;
PresRules::~PresRules() = default;

Result<PresRules> PresRules::parse(std::string_view xml) {
  PresRules p;
  UTKIT_TRY(load(*p.doc_, xml, "pres-rules"));
  pugi::xml_node root = p.doc_->document_element();
  using detail::is_element;
  if (!is_element(root, kCommonPolicyNs, "ruleset")) {
    return make_error(Errc::xcap_bad_document, "expected a common-policy <ruleset> (namespace {}), got <{}>",
                      {kCommonPolicyNs, root.name()});
  }
  // By namespace: common-policy's rule, conditions, identity, one, many and
  // actions; pres-rules' sub-handling; OMA's external-list and entry.
  for (pugi::xml_node r : root.children()) {
    if (!is_element(r, kCommonPolicyNs, "rule")) continue;
    Rule rule;
    rule.id = r.attribute("id").value();
    for (pugi::xml_node part : r.children()) {
      if (is_element(part, kCommonPolicyNs, "conditions")) {
        for (pugi::xml_node c : part.children()) {
          if (is_element(c, kCommonPolicyNs, "identity")) {
            for (pugi::xml_node o : c.children()) {
              if (is_element(o, kCommonPolicyNs, "one")) rule.identities.push_back(o.attribute("id").value());
              if (is_element(o, kCommonPolicyNs, "many")) rule.domains.push_back(o.attribute("domain").value());
            }
          } else if (is_element(c, kOmaCommonPolicyNs, "external-list")) {
            for (pugi::xml_node e : c.children()) {
              if (is_element(e, kOmaCommonPolicyNs, "entry")) rule.external_lists.push_back(e.attribute("anc").value());
            }
          }
        }
      } else if (is_element(part, kCommonPolicyNs, "actions")) {
        for (pugi::xml_node a : part.children()) {
          if (is_element(a, kPresRulesNs, "sub-handling")) rule.sub_handling = sub_handling_of(a.text().get());
        }
      }
    }
    p.rules_.push_back(std::move(rule));
  }
  return p;
}

const Rule* PresRules::find(std::string_view id) const {
  for (const Rule& r : rules_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::optional<SubHandling> PresRules::decision_for(std::string_view watcher) const {
  std::optional<SubHandling> best;
  const auto at = watcher.find('@');
  const std::string_view domain = at == std::string_view::npos ? std::string_view() : watcher.substr(at + 1);
  for (const Rule& r : rules_) {
    bool match = false;
    for (const auto& id : r.identities) match = match || id == watcher;
    for (const auto& d : r.domains) match = match || (!domain.empty() && d == domain);
    if (match && r.sub_handling && (!best || *r.sub_handling > *best)) best = r.sub_handling;
  }
  return best;
}

std::string PresRules::serialize() const {
  return utkit::detail::xml_to_string(*doc_, "  ");
}

std::string PresRules::empty_ruleset() {
  return format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cr:ruleset xmlns:cr=\"{}\" xmlns:pr=\"{}\"/>\n",
                {kCommonPolicyNs, kPresRulesNs});
}

std::string PresRules::rule_xml(const Rule& r) {
  std::string x = format("<cr:rule xmlns:cr=\"{}\" xmlns:pr=\"{}\" xmlns:ocp=\"{}\" id=\"{}\"><cr:conditions>",
                         {kCommonPolicyNs, kPresRulesNs, kOmaCommonPolicyNs, detail::xml_escape(r.id)});
  if (!r.identities.empty() || !r.domains.empty()) {
    x += "<cr:identity>";
    for (const auto& i : r.identities) cat_append(x, {"<cr:one id=\"", detail::xml_escape(i), "\"/>"});
    for (const auto& d : r.domains) cat_append(x, {"<cr:many domain=\"", detail::xml_escape(d), "\"/>"});
    x += "</cr:identity>";
  }
  if (!r.external_lists.empty()) {
    x += "<ocp:external-list>";
    for (const auto& a : r.external_lists) cat_append(x, {"<ocp:entry anc=\"", detail::xml_escape(a), "\"/>"});
    x += "</ocp:external-list>";
  }
  x += "</cr:conditions><cr:actions>";
  if (r.sub_handling) cat_append(x, {"<pr:sub-handling>", to_string(*r.sub_handling), "</pr:sub-handling>"});
  x += "</cr:actions><cr:transformations/></cr:rule>";
  return x;
}

std::string PresRules::oma_default(const std::string& xui, const std::string& doc_uri) {
  std::string x = format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cr:ruleset xmlns:cr=\"{}\" xmlns:pr=\"{}\" xmlns:ocp=\"{}\">",
      {kCommonPolicyNs, kPresRulesNs, kOmaCommonPolicyNs});
  auto inner = [](const std::string& rule) {
    // Drop the namespace declarations of rule_xml(): the ruleset has them.
    auto gt = rule.find(" id=");
    auto start = rule.find(" xmlns:cr=");
    return rule.substr(0, start) + rule.substr(gt);
  };
  x += inner(rule_xml({"wp_prs_allow_own", {xui}, {}, {}, SubHandling::allow}));
  x += inner(rule_xml({"wp_prs_grantedcontacts", {}, {}, {list_anchor(doc_uri, "oma_grantedcontacts")}, SubHandling::allow}));
  x += inner(rule_xml({"wp_prs_blockedcontacts", {}, {}, {list_anchor(doc_uri, "oma_blockedcontacts")}, SubHandling::block}));
  return cat({x, "</cr:ruleset>\n"});
}

Result<std::vector<RlsService>> parse_rls_services(std::string_view xml) {
  pugi::xml_document d;
  UTKIT_TRY(load(d, xml, "rls-services"));
  using detail::is_element;
  if (!is_element(d.document_element(), kRlsServicesNs, "rls-services")) {
    return make_error(Errc::xcap_bad_document, "expected <rls-services> in namespace {}", {kRlsServicesNs});
  }
  std::vector<RlsService> out;
  for (pugi::xml_node s : d.document_element().children()) {
    if (!is_element(s, kRlsServicesNs, "service")) continue;
    RlsService svc;
    svc.uri = s.attribute("uri").value();
    for (pugi::xml_node c : s.children()) {
      if (is_element(c, kRlsServicesNs, "resource-list")) svc.resource_list = c.text().get();
      if (is_element(c, kRlsServicesNs, "packages")) {
        for (pugi::xml_node p : c.children()) {
          if (is_element(p, kRlsServicesNs, "package")) svc.packages.push_back(p.text().get());
        }
      }
    }
    out.push_back(std::move(svc));
  }
  return out;
}

std::string rls_service_xml(const RlsService& s) {
  std::string x = format("<service xmlns=\"{}\" uri=\"{}\"><resource-list>{}</resource-list><packages>",
                         {kRlsServicesNs, detail::xml_escape(s.uri), detail::xml_escape(s.resource_list)});
  for (const auto& p : s.packages) cat_append(x, {"<package>", detail::xml_escape(p), "</package>"});
  return cat({x, "</packages></service>"});
}

bool XcapCaps::supports(std::string_view auid) const {
  for (const auto& a : auids) {
    if (a == auid) return true;
  }
  return false;
}

XcapCaps parse_xcap_caps(std::string_view xml) {
  XcapCaps caps;
  pugi::xml_document d;
  if (!load(d, xml, "xcap-caps").ok() || detail::local_name(d.document_element().name()) != "xcap-caps") return caps;
  caps.parsed = true;
  for (pugi::xml_node group : d.document_element().children()) {
    const std::string_view g = detail::local_name(group.name());
    std::vector<std::string>* into = g == "auids" ? &caps.auids : g == "extensions" ? &caps.extensions
                                   : g == "namespaces" ? &caps.namespaces : nullptr;
    if (into == nullptr) continue;
    for (pugi::xml_node item : group.children()) {
      if (item.type() == pugi::node_element) into->push_back(item.text().get());
    }
  }
  return caps;
}

// ---- WatcherRules ----

WatcherRules::WatcherRules(XcapClient& xcap, XcapProfile profile) : xcap_(xcap), profile_(std::move(profile)) {}

std::string WatcherRules::resource_lists_doc_uri() const {
  return xcap_.uri(profile_.resource_lists_auid, profile_.resource_lists_doc).to_string();
}

Result<PresRules> WatcherRules::rules() {
  auto uri = xcap_.uri(profile_.pres_rules_auid, profile_.pres_rules_doc);
  for (int round = 0; round < 3; ++round) {
    auto got = xcap_.get(uri);
    if (got) return PresRules::parse(got->body);
    if (got.error().code() != Errc::xcap_not_found) return std::move(got).error();
    const std::string doc = profile_.oma_lists ? PresRules::oma_default(xcap_.config().xui, resource_lists_doc_uri())
                                               : PresRules::empty_ruleset();
    auto put = xcap_.put(uri, doc, Precondition::if_none_match_any);
    if (put) return PresRules::parse(doc);
    if (put.error().code() != Errc::xcap_precondition_failed) return std::move(put).error();
    UTKIT_TRY(xcap_.back_off(round, kRetryBase, kRetryMax));  // another device created it first
  }
  return Error(Errc::xcap_retries_exhausted, "could not read or create the presence rules document");
}

Result<void> WatcherRules::set(std::string_view watcher, SubHandling action) {
  UTKIT_TRY(rules());  // the rules document exists (the profile's defaults otherwise)
  if (profile_.oma_lists && (action == SubHandling::allow || action == SubHandling::block)) {
    // OMA: the rules refer to the lists; move the watcher between them.
    BuddyConfig bc;
    bc.auid = profile_.resource_lists_auid;
    bc.document = profile_.resource_lists_doc;
    BuddyList lists(xcap_, bc);
    const std::string to = action == SubHandling::allow ? "oma_grantedcontacts" : "oma_blockedcontacts";
    const std::string from = action == SubHandling::allow ? "oma_blockedcontacts" : "oma_grantedcontacts";
    UTKIT_TRY(lists.add(Entry{std::string(watcher), {}}, to));
    return lists.remove(watcher, from);
  }
  // IETF: one rule per watcher, keyed by a hash of its URI.
  unsigned char d[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(watcher.data()), watcher.size(), d, 0);
  return put_rule(Rule{cat({"utkit_", to_hex(ByteView(d, 8))}), {std::string(watcher)}, {}, {}, action});
}

Result<void> WatcherRules::set_domain(std::string_view domain, SubHandling action) {
  UTKIT_TRY(rules());  // make sure the document exists
  unsigned char d[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(domain.data()), domain.size(), d, 0);
  return put_rule(Rule{cat({"utkit_domain_", to_hex(ByteView(d, 8))}), {}, {std::string(domain)}, {}, action});
}

Result<void> WatcherRules::put_rule(const Rule& r) {
  UTKIT_TRY(detail::check_xml_text(r.id, "the rule id"sv));
  for (const auto& i : r.identities) UTKIT_TRY(detail::check_xml_text(i, "the watcher identity"sv));
  for (const auto& d : r.domains) UTKIT_TRY(detail::check_xml_text(d, "the watcher domain"sv));
  for (const auto& a : r.external_lists) UTKIT_TRY(detail::check_xml_text(a, "the list reference"sv));
  NodeSelector ns;
  ns.steps = {Step::element("cr:ruleset"), Step::element("cr:rule").with("id", r.id)};
  ns.bindings = {{"cr", kCommonPolicyNs}};
  auto uri = xcap_.uri(profile_.pres_rules_auid, profile_.pres_rules_doc, ns);
  for (int round = 0; round < 8; ++round) {
    auto put = xcap_.put(uri, PresRules::rule_xml(r));
    if (put) return success();
    if (put.error().code() != Errc::xcap_precondition_failed) return std::move(put).error();
    UTKIT_TRY(xcap_.back_off(round, kRetryBase, kRetryMax));
    UTKIT_TRY(rules());  // refresh the ETag, then write again
  }
  return make_error(Errc::xcap_retries_exhausted, {"gave up writing rule ", r.id});
}

Result<void> WatcherRules::allow(std::string_view watcher) { return set(watcher, SubHandling::allow); }
Result<void> WatcherRules::block(std::string_view watcher) { return set(watcher, SubHandling::block); }
Result<void> WatcherRules::polite_block(std::string_view watcher) { return set(watcher, SubHandling::polite_block); }

Result<RlsService> WatcherRules::ensure_buddy_service(const std::string& list) {
  const std::string service_uri = cat({xcap_.config().xui, ";pres-list=", list});
  RlsService svc{
      service_uri,
      format("{}/~~/resource-lists/list%5B@name=%22{}%22%5D", {resource_lists_doc_uri(), percent_encode(list, false)}),
      {"presence"}};
  auto doc = xcap_.uri(profile_.rls_auid, profile_.rls_doc);
  auto got = xcap_.get(doc);
  if (!got) {
    if (got.error().code() != Errc::xcap_not_found) return std::move(got).error();
    std::string body =
        format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rls-services xmlns=\"{}\">{}</rls-services>\n",
               {kRlsServicesNs, rls_service_xml(svc)});
    auto put = xcap_.put(doc, body, Precondition::if_none_match_any);
    if (!put) return std::move(put).error();
    return svc;
  }
  UTKIT_ASSIGN(auto services, parse_rls_services(got->body));
  for (const auto& s : services) {
    if (s.uri == service_uri) return s;
  }
  NodeSelector ns;
  ns.steps = {Step::element("rls-services"), Step::element("service").with("uri", service_uri)};
  auto put = xcap_.put(xcap_.uri(profile_.rls_auid, profile_.rls_doc, ns), rls_service_xml(svc));
  if (!put) return std::move(put).error();
  return svc;
}

}  // namespace utkit::xcap
