#include "utkit/xcap/simservs.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstring>
#include <set>

#include "xml_util.hpp"
#include "../base/xml_load.hpp"
#include "../base/text.hpp"

namespace utkit::xcap {
namespace {

constexpr std::size_t kMaxDocument = std::size_t{1} << 20;

using detail::namespace_in_scope;
using detail::prefix_of;

bool is(pugi::xml_node n, const char* ns, std::string_view local) { return detail::is_element(n, ns, local); }

pugi::xml_node child(pugi::xml_node parent, const char* ns, std::string_view local) {
  return detail::child_element(parent, ns, local);
}

// The prefix bound to `ns` where `n` is: "" for the default namespace, or
// nullopt when nothing in scope binds it.
std::optional<std::string> prefix_in_scope(pugi::xml_node n, const char* ns) {
  for (pugi::xml_node a = n; a && a.type() == pugi::node_element; a = a.parent()) {
    for (pugi::xml_attribute at = a.first_attribute(); at; at = at.next_attribute()) {
      const std::string_view name = at.name();
      if (std::strcmp(at.value(), ns) != 0) continue;
      // Either binding counts only if no nearer declaration rebinds it.
      if (name == "xmlns" && namespace_in_scope(n, "") == ns) return std::string();
      if (name.substr(0, 6) == "xmlns:") {
        const std::string p(name.substr(6));
        if (namespace_in_scope(n, p) == ns) return p;
      }
    }
  }
  return std::nullopt;
}

// A new element in `ns` under `parent`, named with the document's own prefix
// for it; declared on the element when nothing in scope binds it.
pugi::xml_node add_element(pugi::xml_node parent, const char* ns, const char* local, const char* fallback_prefix,
                           pugi::xml_node before = {}) {
  std::optional<std::string> p = prefix_in_scope(parent, ns);
  std::string name;
  bool declare = false;
  if (p) {
    name = p->empty() ? std::string(local) : cat({*p, ":", local});
  } else {
    name = cat({fallback_prefix, ":", local});
    declare = true;
  }
  pugi::xml_node e = before ? parent.insert_child_before(name.c_str(), before) : parent.append_child(name.c_str());
  if (declare) e.append_attribute((cat({"xmlns:", fallback_prefix})).c_str()).set_value(ns);
  return e;
}

// The element as an XCAP element body: its text, with every namespace
// declaration in scope copied onto it, so that it stands alone.
std::string element_body(pugi::xml_node n) {
  pugi::xml_document tmp;
  pugi::xml_node copy = tmp.append_copy(n);
  for (pugi::xml_node a = n.parent(); a && a.type() == pugi::node_element; a = a.parent()) {
    for (pugi::xml_attribute at = a.first_attribute(); at; at = at.next_attribute()) {
      const std::string_view name = at.name();
      if (name != "xmlns" && name.substr(0, 6) != "xmlns:") continue;
      if (!copy.attribute(at.name())) copy.append_attribute(at.name()).set_value(at.value());
    }
  }
  return utkit::detail::xml_to_string(tmp, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
}

struct Classified {
  std::vector<std::string> conditions;  // local names, rule-deactivated and media excepted
  bool deactivated = false;
  std::vector<std::string> media;
};

Classified classify(pugi::xml_node rule) {
  Classified c;
  pugi::xml_node conds = child(rule, kCommonPolicyNs, "conditions");
  for (pugi::xml_node k = conds.first_child(); k; k = k.next_sibling()) {
    if (k.type() != pugi::node_element) continue;
    const std::string_view local = detail::local_name(k.name());
    const bool ours = namespace_in_scope(k, prefix_of(k.name())) == kSimservsNs;
    if (ours && local == "rule-deactivated") {
      c.deactivated = true;
    } else if (ours && local == "media") {
      c.media.emplace_back(k.text().get());
    } else {
      // Conditions of other namespaces (identity, validity, an operator's own)
      // make the rule one this SDK does not type: it is kept, not changed.
      c.conditions.push_back(ours ? std::string(local)
                                  : cat({"{", namespace_in_scope(k, prefix_of(k.name())), "}", local}));
    }
  }
  return c;
}

// One row per condition: its name (API, utcli, JSON), the condition element
// a rule carries (none: unconditional / all calls), the id of a rule we
// create, and for barring the direction. Everything about a condition is
// looked up here.
struct ForwardRow {
  ForwardCondition condition;
  const char* name;
  const char* element;
  const char* rule_id;
};
constexpr ForwardRow kForward[] = {
    {ForwardCondition::unconditional, "unconditional", nullptr, "utkit-cfu"},
    {ForwardCondition::busy, "busy", "busy", "utkit-cfb"},
    {ForwardCondition::no_reply, "no-reply", "no-answer", "utkit-cfnr"},
    {ForwardCondition::not_reachable, "not-reachable", "not-reachable", "utkit-cfnrc"},
    {ForwardCondition::not_registered, "not-registered", "not-registered", "utkit-cfnl"},
};

struct BarringRow {
  BarringCondition condition;
  const char* name;
  const char* element;
  const char* rule_id;
  bool incoming;
};
constexpr BarringRow kBarring[] = {
    {BarringCondition::all_outgoing, "all-outgoing", nullptr, "utkit-baoc", false},
    {BarringCondition::outgoing_international, "outgoing-international", "international", "utkit-boic", false},
    {BarringCondition::outgoing_international_exhc, "outgoing-international-exhc", "international-exHC",
     "utkit-boic-exhc", false},
    {BarringCondition::all_incoming, "all-incoming", nullptr, "utkit-baic", true},
    {BarringCondition::incoming_roaming, "incoming-roaming", "roaming", "utkit-bic-roam", true},
    {BarringCondition::anonymous, "anonymous", "anonymous", "utkit-acr", true},
};

const ForwardRow& row(ForwardCondition c) {
  for (const auto& r : kForward) {
    if (r.condition == c) return r;
  }
  return kForward[0];
}

const BarringRow& row(BarringCondition c) {
  for (const auto& r : kBarring) {
    if (r.condition == c) return r;
  }
  return kBarring[0];
}

// The typed condition of a rule from its (untyped) condition elements: none
// is the unconditional / all-calls rule, one known element its condition.
std::optional<ForwardCondition> forward_of(const std::vector<std::string>& conds) {
  if (conds.size() > 1) return std::nullopt;
  for (const auto& r : kForward) {
    if (conds.empty() ? r.element == nullptr : (r.element != nullptr && conds[0] == r.element)) return r.condition;
  }
  return std::nullopt;
}

std::optional<BarringCondition> barring_of(const std::vector<std::string>& conds, bool incoming) {
  if (conds.size() > 1) return std::nullopt;
  for (const auto& r : kBarring) {
    if (r.incoming != incoming) continue;
    if (conds.empty() ? r.element == nullptr : (r.element != nullptr && conds[0] == r.element)) return r.condition;
  }
  return std::nullopt;
}

const char* condition_element(ForwardCondition c) { return row(c).element; }
const char* condition_element(BarringCondition c) { return row(c).element; }
const char* rule_id_base(ForwardCondition c) { return row(c).rule_id; }
const char* rule_id_base(BarringCondition c) { return row(c).rule_id; }

bool is_bool_text(std::string_view t, bool value) {
  return value ? (t == "true" || t == "1") : (t == "false" || t == "0");
}

std::string_view trimmed(const char* text) {
  std::string_view t(text);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\n' || t.front() == '\r')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
  return t;
}

}  // namespace

const char* service_element(Service s) {
  switch (s) {
    case Service::communication_diversion: return "communication-diversion";
    case Service::incoming_barring: return "incoming-communication-barring";
    case Service::outgoing_barring: return "outgoing-communication-barring";
    case Service::oip: return "originating-identity-presentation";
    case Service::oir: return "originating-identity-presentation-restriction";
    case Service::tip: return "terminating-identity-presentation";
    case Service::tir: return "terminating-identity-presentation-restriction";
    case Service::communication_waiting: return "communication-waiting";
  }
  return "";
}

const char* to_string(ForwardCondition c) { return row(c).name; }

std::optional<ForwardCondition> forward_condition_named(std::string_view name) {
  for (const auto& r : kForward) {
    if (name == r.name) return r.condition;
  }
  return std::nullopt;
}

const char* to_string(BarringCondition c) { return row(c).name; }

std::optional<BarringCondition> barring_condition_named(std::string_view name) {
  for (const auto& r : kBarring) {
    if (name == r.name) return r.condition;
  }
  return std::nullopt;
}

bool is_incoming(BarringCondition c) { return row(c).incoming; }

Result<void> check_forward_target(std::string_view target) {
  auto bad = [&](const std::string& why) {
    return make_error(Errc::invalid_argument, "forwarding target '{}': {}", {printable_ascii(target), why});
  };
  if (target.empty()) return bad("empty; give a sip:, sips: or tel: URI");
  if (target.size() > 256) return bad("longer than 256 characters");
  for (char ch : target) {
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f) {
      return bad("spaces, control and non-ASCII characters are not allowed in a URI");
    }
  }
  const auto colon = target.find(':');
  const std::string scheme(target.substr(0, colon == std::string_view::npos ? 0 : colon));
  std::string lower;
  for (char ch : scheme) lower += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (lower == "tel") {
    std::string_view number = target.substr(colon + 1);
    number = number.substr(0, number.find(';'));  // parameters (phone-context, ...) follow
    if (number.empty()) return bad("a tel: URI needs a number");
    int digits = 0;
    for (std::size_t i = 0; i < number.size(); ++i) {
      const char ch = number[i];
      if (ch >= '0' && ch <= '9') {
        ++digits;
        continue;
      }
      const bool plus = ch == '+' && i == 0;
      const bool separator = ch == '-' || ch == '.' || ch == '(' || ch == ')';  // RFC 3966 visual separators
      const bool local = ch == '*' || ch == '#' || (ch >= 'A' && ch <= 'D') || (ch >= 'a' && ch <= 'd');
      if (!plus && !separator && !local) {
        return bad("a tel: number holds digits, a leading '+' and visual separators only");
      }
    }
    if (digits == 0) return bad("a tel: URI needs digits");
    return success();
  }
  if (lower == "sip" || lower == "sips") {
    if (target.size() == colon + 1) return bad(format("a {}: URI needs a user or host", {lower}));
    return success();
  }
  return bad("the scheme must be sip:, sips: or tel: (TS 24.604)");
}

struct Simservs::Impl {
  std::string text;
  pugi::xml_document doc;

  pugi::xml_node root() const { return doc.document_element(); }
  pugi::xml_node service(Service s) const { return child(root(), kSimservsNs, service_element(s)); }
  pugi::xml_node ruleset(Service s) const { return child(service(s), kCommonPolicyNs, "ruleset"); }

  NodeSelector selector(Service s) const {
    NodeSelector ns;
    ns.steps = {Step::element("simservs"), Step::element(service_element(s))};
    return ns;
  }
  // XCAP node selectors (RFC 4825 6.3): unprefixed names are in the
  // application usage's default namespace (simservs); "cp" is bound in the
  // query to common-policy, whatever prefix the document uses.
  NodeSelector ruleset_selector(Service s) const {
    NodeSelector ns = selector(s);
    ns.steps.push_back(Step::element("cp:ruleset"));
    ns.bindings = {{"cp", kCommonPolicyNs}};
    return ns;
  }
  NodeSelector rule_selector(Service s, const std::string& id) const {
    NodeSelector ns = ruleset_selector(s);
    ns.steps.push_back(Step::element("cp:rule").with("id", id));
    return ns;
  }

  // An id no element of the document has (one walk, then set lookups).
  std::string fresh_id(const char* base) const {
    struct Ids : pugi::xml_tree_walker {
      std::set<std::string, std::less<>> ids;
      bool for_each(pugi::xml_node& n) override {
        if (n.type() == pugi::node_element) {
          if (pugi::xml_attribute a = n.attribute("id")) ids.emplace(a.value());
        }
        return true;
      }
    } walk;
    const_cast<pugi::xml_document&>(doc).traverse(walk);
    std::string id = base;
    for (int i = 2; walk.ids.count(id) != 0; ++i) id = cat({base, "-", Dec(i)});
    return id;
  }
};

Simservs::Simservs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simservs::Simservs(Simservs&&) noexcept = default;
Simservs& Simservs::operator=(Simservs&&) noexcept = default;
Simservs::~Simservs() = default;

Result<Simservs> Simservs::check(std::unique_ptr<Impl> impl) {
  // (Depth and attribute counts, which keep the namespace lookups below
  // linear: checked by the shared XML guard.)
  const pugi::xml_node root = impl->doc.document_element();
  if (!is(root, kSimservsNs, "simservs")) {
    return make_error(Errc::xcap_bad_document, "expected <simservs> in namespace {}, got <{}>",
                      {kSimservsNs, printable_ascii(root.name())});
  }
  return Simservs(std::move(impl));
}

Result<Simservs> Simservs::parse(std::string_view xml) {
  auto impl = std::make_unique<Impl>();
  UTKIT_TRY(utkit::detail::load_untrusted_xml(impl->doc, xml, "simservs document", kMaxDocument, Errc::xcap_bad_document));
  return check(std::move(impl));
}

Result<Simservs> Simservs::parse_owned(std::string&& xml) {
  auto impl = std::make_unique<Impl>();
  impl->text = std::move(xml);
  UTKIT_TRY(utkit::detail::load_untrusted_xml_in_place(impl->doc, impl->text, "simservs document", kMaxDocument,
                                                       Errc::xcap_bad_document));
  return check(std::move(impl));
}

ServiceState Simservs::state(Service s) const {
  pugi::xml_node e = impl_->service(s);
  if (!e) return {};
  pugi::xml_attribute a = e.attribute("active");
  return ServiceState{true, !a || is_bool_text(trimmed(a.value()), true)};
}

std::optional<int> Simservs::no_reply_timer() const {
  pugi::xml_node t = child(impl_->service(Service::communication_diversion), kSimservsNs, "NoReplyTimer");
  if (!t) return std::nullopt;
  auto v = parse_decimal(trimmed(t.text().get()), 100000);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::vector<ForwardingRule> Simservs::forwarding_rules() const {
  std::vector<ForwardingRule> out;
  for (pugi::xml_node r = impl_->ruleset(Service::communication_diversion).first_child(); r; r = r.next_sibling()) {
    if (!is(r, kCommonPolicyNs, "rule")) continue;
    Classified c = classify(r);
    auto cond = forward_of(c.conditions);
    if (!cond) continue;
    ForwardingRule fr;
    fr.id = r.attribute("id").value();
    fr.condition = *cond;
    pugi::xml_node fwd = child(child(r, kCommonPolicyNs, "actions"), kSimservsNs, "forward-to");
    fr.target = std::string(trimmed(child(fwd, kSimservsNs, "target").text().get()));
    fr.enabled = !c.deactivated && !fr.target.empty();
    fr.media = std::move(c.media);
    out.push_back(std::move(fr));
  }
  return out;
}

std::vector<BarringRule> Simservs::barring_rules(bool incoming) const {
  std::vector<BarringRule> out;
  const Service s = incoming ? Service::incoming_barring : Service::outgoing_barring;
  for (pugi::xml_node r = impl_->ruleset(s).first_child(); r; r = r.next_sibling()) {
    if (!is(r, kCommonPolicyNs, "rule")) continue;
    Classified c = classify(r);
    auto cond = barring_of(c.conditions, incoming);
    if (!cond) continue;
    BarringRule br;
    br.id = r.attribute("id").value();
    br.condition = *cond;
    pugi::xml_node allow = child(child(r, kCommonPolicyNs, "actions"), kSimservsNs, "allow");
    br.enabled = !c.deactivated && allow && is_bool_text(trimmed(allow.text().get()), false);
    br.media = std::move(c.media);
    out.push_back(std::move(br));
  }
  return out;
}

std::optional<ForwardingRule> Simservs::forwarding(ForwardCondition c) const {
  for (auto& r : forwarding_rules()) {
    if (r.condition == c) return r;
  }
  return std::nullopt;
}

std::optional<BarringRule> Simservs::barring(BarringCondition c) const {
  for (auto& r : barring_rules(is_incoming(c))) {
    if (r.condition == c) return r;
  }
  return std::nullopt;
}

std::optional<bool> Simservs::restricted(Service s) const {
  if (s != Service::oir && s != Service::tir) return std::nullopt;
  pugi::xml_node d = child(impl_->service(s), kSimservsNs, "default-behaviour");
  if (!d) return std::nullopt;
  const std::string_view v = trimmed(d.text().get());
  if (v == "presentation-restricted") return true;
  if (v == "presentation-not-restricted") return false;
  return std::nullopt;
}

namespace {

Error not_provisioned(Service s) {
  return make_error(Errc::xcap_not_provisioned,
                    "the operator has not provisioned {} for this user (it is not in the simservs document)",
                    {service_element(s)});
}

// The rule of `service` whose typed condition matches, or a null node.
// A rule limited to some media (a video-only busy rule) is taken only when
// no rule for all media exists: the edit is meant for calls of every kind.
template <class Match>
pugi::xml_node find_rule(pugi::xml_node ruleset, Match&& match) {
  pugi::xml_node media_only;
  for (pugi::xml_node r = ruleset.first_child(); r; r = r.next_sibling()) {
    if (!is(r, kCommonPolicyNs, "rule")) continue;
    const Classified c = classify(r);
    if (!match(c)) continue;
    if (c.media.empty()) return r;
    if (!media_only) media_only = r;
  }
  return media_only;
}

// The rule's id, if a node selector can address it (RFC 4825 quotes it with
// " or '; an id holding both, or none, cannot be).
Result<std::string> addressable_id(pugi::xml_node rule) {
  std::string id = rule.attribute("id").value();
  if (id.empty() || (id.find('"') != std::string::npos && id.find('\'') != std::string::npos)) {
    return make_error(Errc::xcap_bad_document,
                      "the operator's rule for this condition has an id ('{}') that an XCAP selector cannot address; "
                      "change it on the operator's portal",
                      {printable_ascii(id)});
  }
  return id;
}

void set_deactivated(pugi::xml_node rule, bool deactivated) {
  pugi::xml_node conds = child(rule, kCommonPolicyNs, "conditions");
  if (deactivated) {
    if (!conds) {
      conds = add_element(rule, kCommonPolicyNs, "conditions", "cp", rule.first_child());
    }
    if (!child(conds, kSimservsNs, "rule-deactivated")) add_element(conds, kSimservsNs, "rule-deactivated", "ss");
    return;
  }
  for (pugi::xml_node k = conds.first_child(); k;) {
    const pugi::xml_node next = k.next_sibling();
    if (is(k, kSimservsNs, "rule-deactivated")) conds.remove_child(k);
    k = next;
  }
}

pugi::xml_node ensure_child(pugi::xml_node parent, const char* ns, const char* local, const char* prefix) {
  pugi::xml_node c = child(parent, ns, local);
  return c ? c : add_element(parent, ns, local, prefix);
}

void set_text(pugi::xml_node n, const std::string& text) {
  while (n.first_child()) n.remove_child(n.first_child());
  n.text().set(text.c_str());
}

}  // namespace

Result<void> Simservs::check(const ForwardingChange& ch) {
  if (ch.enable) UTKIT_TRY(check_forward_target(ch.target));
  if (ch.no_reply_timer && (*ch.no_reply_timer < 5 || *ch.no_reply_timer > 180)) {
    return make_error(Errc::invalid_argument,
                      {"the no-reply timer must be 5 to 180 seconds (TS 24.604), not ", Dec(*ch.no_reply_timer)});
  }
  if (ch.no_reply_timer && ch.condition != ForwardCondition::no_reply) {
    return Error(Errc::invalid_argument, "the no-reply timer applies to forwarding on no reply only");
  }
  for (const auto& m : ch.media) {
    // A media type name (RFC 4566 token-like): "audio", "video", ...
    const bool ok = !m.empty() && m.size() <= 32 && m.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
    if (!ok)
      return make_error(Errc::invalid_argument, "media '{}' is not a media type such as audio or video",
                        {printable_ascii(m)});
  }
  return success();
}

Result<std::vector<SimservsEdit>> Simservs::set_forwarding(const ForwardingChange& ch) {
  const Service svc = Service::communication_diversion;
  const std::string what = cat({"call forwarding ", to_string(ch.condition)});
  UTKIT_TRY(check(ch));
  pugi::xml_node service = impl_->service(svc);
  if (!service) return not_provisioned(svc);
  std::vector<SimservsEdit> edits;
  // Everything that can refuse the edit comes before the first change.
  pugi::xml_node ruleset = impl_->ruleset(svc);
  std::vector<std::string> media = ch.media;
  std::sort(media.begin(), media.end());
  media.erase(std::unique(media.begin(), media.end()), media.end());
  pugi::xml_node rule = find_rule(ruleset, [&](const Classified& c) {
    if (forward_of(c.conditions) != ch.condition) return false;
    if (media.empty()) return true;
    std::vector<std::string> have = c.media;
    std::sort(have.begin(), have.end());
    have.erase(std::unique(have.begin(), have.end()), have.end());
    return have == media;
  });
  if (rule) UTKIT_TRY(addressable_id(rule));

  // NoReplyTimer: replaced in place; when missing, the service element is
  // sent whole, because the schema puts the timer before the ruleset and a
  // new element would be appended after it.
  bool whole_service = false;
  if (ch.enable && ch.no_reply_timer && no_reply_timer() != ch.no_reply_timer) {
    pugi::xml_node t = child(service, kSimservsNs, "NoReplyTimer");
    if (t) {
      set_text(t, std::to_string(*ch.no_reply_timer));
      NodeSelector ns = impl_->selector(svc);
      ns.steps.push_back(Step::element("NoReplyTimer"));
      edits.push_back(SimservsEdit{SimservsEdit::Method::put, ns, element_body(t), "the no-reply timer"});
    } else {
      t = add_element(service, kSimservsNs, "NoReplyTimer", "ss", service.first_child());
      t.text().set(std::to_string(*ch.no_reply_timer).c_str());
      whole_service = true;
    }
  }

  bool whole_ruleset = false;
  if (!rule && !ch.enable) {
    // Nothing forwards on this condition: already off.
    if (whole_service) edits.push_back(SimservsEdit{SimservsEdit::Method::put, impl_->selector(svc), element_body(service), what});
    return edits;
  }
  if (!rule) {
    if (!ruleset) {
      ruleset = add_element(service, kCommonPolicyNs, "ruleset", "cp");
      whole_ruleset = true;
    }
    rule = add_element(ruleset, kCommonPolicyNs, "rule", "cp");
    rule.append_attribute("id").set_value(impl_->fresh_id(rule_id_base(ch.condition)).c_str());
    pugi::xml_node conds = add_element(rule, kCommonPolicyNs, "conditions", "cp");
    if (const char* e = condition_element(ch.condition)) add_element(conds, kSimservsNs, e, "ss");
    for (const auto& m : media) add_element(conds, kSimservsNs, "media", "ss").text().set(m.c_str());
    pugi::xml_node actions = add_element(rule, kCommonPolicyNs, "actions", "cp");
    pugi::xml_node fwd = add_element(actions, kSimservsNs, "forward-to", "ss");
    add_element(fwd, kSimservsNs, "target", "ss");
  }
  const std::string id = rule.attribute("id").value();
  if (!ch.enable && ch.disable == DisableMethod::delete_rule) {
    ruleset.remove_child(rule);
    if (whole_service) {
      edits.push_back(SimservsEdit{SimservsEdit::Method::put, impl_->selector(svc), element_body(service), what});
    } else {
      edits.push_back(SimservsEdit{SimservsEdit::Method::remove, impl_->rule_selector(svc, id), {}, what});
    }
    return edits;
  }
  set_deactivated(rule, !ch.enable);
  if (ch.enable) {
    pugi::xml_node actions = ensure_child(rule, kCommonPolicyNs, "actions", "cp");
    pugi::xml_node fwd = ensure_child(actions, kSimservsNs, "forward-to", "ss");
    set_text(ensure_child(fwd, kSimservsNs, "target", "ss"), ch.target);
  }
  if (whole_service) {
    edits.push_back(SimservsEdit{SimservsEdit::Method::put, impl_->selector(svc), element_body(service), what});
  } else if (whole_ruleset) {
    edits.push_back(SimservsEdit{SimservsEdit::Method::put, impl_->ruleset_selector(svc), element_body(ruleset), what});
  } else {
    edits.push_back(SimservsEdit{SimservsEdit::Method::put, impl_->rule_selector(svc, id), element_body(rule), what});
  }
  return edits;
}

Result<std::vector<SimservsEdit>> Simservs::set_barring(BarringCondition cond, bool enable, DisableMethod disable) {
  const bool incoming = is_incoming(cond);
  const Service svc = incoming ? Service::incoming_barring : Service::outgoing_barring;
  const std::string what = cat({"call barring ", to_string(cond)});
  pugi::xml_node service = impl_->service(svc);
  if (!service) return not_provisioned(svc);
  std::vector<SimservsEdit> edits;
  pugi::xml_node ruleset = impl_->ruleset(svc);
  pugi::xml_node rule = find_rule(ruleset, [&](const Classified& c) { return barring_of(c.conditions, incoming) == cond; });
  if (rule) UTKIT_TRY(addressable_id(rule));
  if (!rule && !enable) return edits;  // nothing bars on this condition: already off
  bool whole_ruleset = false;
  if (!rule) {
    if (!ruleset) {
      ruleset = add_element(service, kCommonPolicyNs, "ruleset", "cp");
      whole_ruleset = true;
    }
    rule = add_element(ruleset, kCommonPolicyNs, "rule", "cp");
    rule.append_attribute("id").set_value(impl_->fresh_id(rule_id_base(cond)).c_str());
    pugi::xml_node conds = add_element(rule, kCommonPolicyNs, "conditions", "cp");
    if (const char* e = condition_element(cond)) add_element(conds, kSimservsNs, e, "ss");
    add_element(add_element(rule, kCommonPolicyNs, "actions", "cp"), kSimservsNs, "allow", "ss");
  }
  const std::string id = rule.attribute("id").value();
  if (!enable && disable == DisableMethod::delete_rule) {
    ruleset.remove_child(rule);
    edits.push_back(SimservsEdit{SimservsEdit::Method::remove, impl_->rule_selector(svc, id), {}, what});
    return edits;
  }
  pugi::xml_node allow = ensure_child(ensure_child(rule, kCommonPolicyNs, "actions", "cp"), kSimservsNs, "allow", "ss");
  if (enable) {
    set_deactivated(rule, false);
    set_text(allow, "false");
  } else if (disable == DisableMethod::flip_allow) {
    set_text(allow, "true");
  } else {
    set_deactivated(rule, true);
  }
  if (whole_ruleset) {
    edits.push_back(SimservsEdit{SimservsEdit::Method::put, impl_->ruleset_selector(svc), element_body(ruleset), what});
  } else {
    edits.push_back(SimservsEdit{SimservsEdit::Method::put, impl_->rule_selector(svc, id), element_body(rule), what});
  }
  return edits;
}

Result<std::vector<SimservsEdit>> Simservs::set_restricted(Service s, bool restricted) {
  if (s != Service::oir && s != Service::tir) {
    return make_error(Errc::invalid_argument, {service_element(s), " has no default behaviour to restrict"});
  }
  pugi::xml_node service = impl_->service(s);
  if (!service) return not_provisioned(s);
  pugi::xml_node d = ensure_child(service, kSimservsNs, "default-behaviour", "ss");
  set_text(d, restricted ? "presentation-restricted" : "presentation-not-restricted");
  NodeSelector ns = impl_->selector(s);
  ns.steps.push_back(Step::element("default-behaviour"));
  return std::vector<SimservsEdit>{
      SimservsEdit{SimservsEdit::Method::put, ns, element_body(d), cat({service_element(s), " default behaviour"})}};
}

Result<std::vector<SimservsEdit>> Simservs::set_active(Service s, bool active) {
  pugi::xml_node service = impl_->service(s);
  if (!service) return not_provisioned(s);
  pugi::xml_attribute a = service.attribute("active");
  if (!a) a = service.append_attribute("active");
  a.set_value(active ? "true" : "false");
  NodeSelector ns = impl_->selector(s);
  ns.attribute = "active";
  // RFC 4825 8.2.5: the body of an attribute PUT is an XML AttValue, quotes included.
  return std::vector<SimservsEdit>{SimservsEdit{SimservsEdit::Method::put, ns, active ? "\"true\"" : "\"false\"",
                                                cat({service_element(s), " active"})}};
}

std::string Simservs::serialize() const {
  return utkit::detail::xml_to_string(impl_->doc, "  ");
}

}  // namespace utkit::xcap

// ---- SimservsClient ----

namespace utkit::xcap {

SimservsClient::SimservsClient(XcapClient& xcap, SimservsProfile profile) : xcap_(xcap), profile_(std::move(profile)) {}

XcapUri SimservsClient::document_uri(NodeSelector node) const {
  return xcap_.uri(profile_.auid, profile_.document, std::move(node));
}

Result<Simservs> SimservsClient::read() {
  ++requests_;
  auto got = xcap_.get(document_uri());
  if (!got) {
    if (got.error().code() == Errc::xcap_not_found) {
      return make_error(
          Errc::xcap_not_provisioned,
          "the operator has no supplementary-services document ({}/{}) for this user: the services are not provisioned",
          {profile_.auid, profile_.document});
    }
    return std::move(got).error();
  }
  return Simservs::parse_owned(std::move(got->body));
}

Result<Simservs> SimservsClient::change(const std::function<Result<std::vector<SimservsEdit>>(Simservs&)>& edit) {
  for (int round = 0; round <= profile_.max_retries; ++round) {
    UTKIT_ASSIGN(Simservs doc, read());
    UTKIT_ASSIGN(std::vector<SimservsEdit> edits, edit(doc));
    if (edits.empty()) return doc;  // already as asked
    Result<void> sent = success();
    if (!profile_.element_writes) {
      // The whole document replaces the server's: only under the ETag of the
      // copy just read, or another device's change would be overwritten.
      if (!xcap_.etag(document_uri().document)) {
        return Error(Errc::xcap_status, "the server sent no ETag for the supplementary-services document; a "
                                        "whole-document write could overwrite another device's change, so none is made");
      }
      ++requests_;
      auto r = xcap_.put(document_uri(), doc.serialize(), Precondition::if_match, profile_.document_type);
      if (!r) {
        Error err = std::move(r).error();
        if (err.code() == Errc::xcap_not_found) err = Error(Errc::xcap_not_provisioned, err.message());
        sent = std::move(err);
      }
    } else {
      for (const SimservsEdit& e : edits) {
        ++requests_;
        // If-Match on each: the ETag moves on with every response, so a
        // second edit still proves the document is the one just changed.
        auto r = e.method == SimservsEdit::Method::put ? xcap_.put(document_uri(e.node), e.body)
                                                       : xcap_.remove(document_uri(e.node));
        if (!r && e.method == SimservsEdit::Method::remove && r.error().code() == Errc::xcap_not_found) {
          continue;  // the rule is gone already (another device): what this edit wanted
        }
        if (!r) {
          Error err = std::move(r).error();
          if (err.code() == Errc::xcap_not_found && e.method == SimservsEdit::Method::put) {
            // A PUT that finds no document or parent the read just showed:
            // the server does not serve this service to the user.
            err = make_error(Errc::xcap_not_provisioned, {e.what, ": ", err.message()});
          }
          sent = std::move(err);
          break;
        }
      }
    }
    if (sent) return doc;
    if (sent.error().code() != Errc::xcap_precondition_failed) return std::move(sent).error();
    ++retries_;
    if (round == profile_.max_retries) break;  // no pause before giving up
    UTKIT_TRY(xcap_.back_off(round, profile_.backoff_base, profile_.backoff_max));
  }
  return make_error(Errc::xcap_retries_exhausted,
                    "gave up changing the supplementary services after {} concurrent changes to the document",
                    {Dec(profile_.max_retries)});
}

Result<std::string> normalize_target(std::string_view target, NumberFormat format, std::string_view number_domain) {
  if (format == NumberFormat::as_given) return std::string(target);
  // The number inside: "+1555...", "tel:+1555...", "sip:+1555...@host;user=phone".
  std::string_view t = target;
  auto starts = [&](std::string_view p) {
    if (t.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const char c = t[i];
      if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != p[i]) return false;
    }
    return true;
  };
  std::string_view number;
  if (starts("tel:")) {
    number = t.substr(4);
    if (number.find(';') != std::string_view::npos) {
      // An extension or another parameter would be lost in the global form.
      return make_error(Errc::invalid_argument,
                        "'{}' has parameters (an extension?); give the number alone, or a URI as it must be sent",
                        {printable_ascii(target)});
    }
  } else if (starts("sip:") || starts("sips:")) {
    const std::size_t colon = t.find(':');
    const std::size_t at = t.find('@');
    const bool phone = t.find(";user=phone") != std::string_view::npos;
    if (at == std::string_view::npos || !phone) return std::string(target);  // not a phone number: as it is
    number = t.substr(colon + 1, at - colon - 1);
  } else {
    number = t;
  }
  std::string digits;
  for (char c : number) {
    const bool keep = (c >= '0' && c <= '9') || (c == '+' && digits.empty());
    const bool separator = c == '-' || c == '.' || c == '(' || c == ')' || c == ' ';
    if (keep) {
      digits += c;
    } else if (!separator) {
      return make_error(Errc::invalid_argument, "'{}' is not a phone number or a sip:/tel: URI",
                        {printable_ascii(target)});
    }
  }
  if (digits.size() < 3 || digits[0] != '+') {
    return make_error(Errc::invalid_argument,
                      "'{}': give the number in international form, with '+' and the country code",
                      {printable_ascii(target)});
  }
  if (format == NumberFormat::e164_tel) return cat({"tel:", digits});
  if (number_domain.empty()) return Error(Errc::config_missing, "no domain for sip: phone numbers (number_domain)");
  return utkit::format("sip:{}@{};user=phone", {digits, number_domain});
}

Result<Simservs> SimservsClient::set_forwarding(const ForwardingChange& change_in) {
  ForwardingChange ch = change_in;
  if (ch.enable) {
    UTKIT_ASSIGN(ch.target, normalize_target(ch.target, profile_.numbers, profile_.number_domain));
  }
  if (!ch.enable && ch.disable == DisableMethod::rule_deactivated) ch.disable = profile_.disable;
  UTKIT_TRY(Simservs::check(ch));  // before anything goes out
  return change([&](Simservs& doc) { return doc.set_forwarding(ch); });
}

Result<Simservs> SimservsClient::set_barring(BarringCondition c, bool enable) {
  return change([&](Simservs& doc) { return doc.set_barring(c, enable, profile_.disable); });
}

Result<Simservs> SimservsClient::set_restricted(Service s, bool restricted) {
  if (s != Service::oir && s != Service::tir) {
    return make_error(Errc::invalid_argument, {service_element(s), " has no default behaviour to restrict"});
  }
  return change([&](Simservs& doc) { return doc.set_restricted(s, restricted); });
}

Result<Simservs> SimservsClient::set_active(Service s, bool active) {
  return change([&](Simservs& doc) { return doc.set_active(s, active); });
}

}  // namespace utkit::xcap
