// The simservs model (TS 24.623): reading an operator's document, and edits
// that change the operator's own rule, keep what the SDK does not know, and
// come out as standalone XCAP element bodies.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <pugixml.hpp>

#include "utkit/xcap/simservs.hpp"

using namespace utkit;
using namespace utkit::xcap;

namespace {

std::string operator_a() {
  std::ifstream f(std::string(UTKIT_VECTORS_DIR) + "/simservs/operator-a.xml");
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// An element body must stand alone: parsed by itself, each prefix it uses is
// declared on it. Returns the namespace of the root element.
std::string standalone_namespace(const std::string& body) {
  pugi::xml_document d;
  REQUIRE(d.load_string(body.c_str()));
  pugi::xml_node root = d.document_element();
  std::string name = root.name();
  const auto colon = name.find(':');
  const std::string attr = colon == std::string::npos ? "xmlns" : "xmlns:" + name.substr(0, colon);
  return root.attribute(attr.c_str()).value();
}

}  // namespace

TEST_CASE("simservs: reads an operator's document with its own prefixes") {
  auto s = Simservs::parse(operator_a());
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  CHECK(s->state(Service::communication_diversion).provisioned);
  CHECK(s->state(Service::communication_diversion).active);
  CHECK(s->state(Service::communication_waiting).provisioned);
  CHECK_FALSE(s->state(Service::communication_waiting).active);
  CHECK(s->state(Service::oip).active);  // active="true"
  CHECK_FALSE(s->state(Service::tip).provisioned);
  CHECK(s->no_reply_timer() == 20);
  CHECK(s->restricted(Service::oir) == false);
  CHECK_FALSE(s->restricted(Service::tir).has_value());

  auto fwd = s->forwarding_rules();
  REQUIRE(fwd.size() == 2);  // the identity-conditioned rule is kept but not typed
  CHECK(fwd[0].id == "call-diversion-busy");
  CHECK(fwd[0].condition == ForwardCondition::busy);
  CHECK(fwd[0].enabled);
  CHECK(fwd[0].target == "tel:+15550100");
  CHECK(fwd[1].condition == ForwardCondition::no_reply);
  CHECK_FALSE(fwd[1].enabled);  // rule-deactivated
  CHECK_FALSE(s->forwarding(ForwardCondition::unconditional).has_value());

  auto ocb = s->barring_rules(false);
  REQUIRE(ocb.size() == 1);
  CHECK(ocb[0].condition == BarringCondition::outgoing_international);
  CHECK(ocb[0].enabled);
  CHECK(s->barring_rules(true).empty());
}

TEST_CASE("simservs: forwarding on no reply changes the operator's rule and timer, and keeps the rest") {
  auto s = Simservs::parse(operator_a()).value();
  ForwardingChange ch;
  ch.condition = ForwardCondition::no_reply;
  ch.target = "sip:voicemail@ims.example.net";
  ch.no_reply_timer = 25;
  auto edits = s.set_forwarding(ch);
  REQUIRE_MESSAGE(edits.ok(), edits.error().describe());
  REQUIRE(edits->size() == 2);
  // The timer first, replaced in place.
  CHECK((*edits)[0].node.to_string() == "simservs/communication-diversion/NoReplyTimer");
  CHECK(standalone_namespace((*edits)[0].body) == kSimservsNs);
  CHECK((*edits)[0].body.find(">25<") != std::string::npos);
  // Then the operator's own rule (its id, not one of ours), re-activated.
  const SimservsEdit& rule = (*edits)[1];
  CHECK(rule.method == SimservsEdit::Method::put);
  CHECK(rule.node.to_string() == "simservs/communication-diversion/cp:ruleset/cp:rule[@id=\"call-diversion-no-reply\"]");
  REQUIRE(rule.node.bindings.size() == 1);
  CHECK(rule.node.bindings[0].second == kCommonPolicyNs);
  CHECK(standalone_namespace(rule.body) == kCommonPolicyNs);
  CHECK(rule.body.find("rule-deactivated") == std::string::npos);
  CHECK(rule.body.find("sip:voicemail@ims.example.net") != std::string::npos);
  CHECK(rule.body.find("xmlns:ss=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\"") != std::string::npos);
  // The document reflects it, and what the SDK does not know is still there.
  CHECK(s.no_reply_timer() == 25);
  auto nr = s.forwarding(ForwardCondition::no_reply);
  REQUIRE(nr.has_value());
  CHECK(nr->enabled);
  CHECK(nr->target == "sip:voicemail@ims.example.net");
  const std::string out = s.serialize();
  for (const char* kept : {"op:announcement", "op:operator-flags", "plan=\"gold\"", "vip-only", "sip:boss@example.net",
                           "ss:notify-caller"}) {
    CHECK_MESSAGE(out.find(kept) != std::string::npos, kept);
  }
  // And the result parses again to the same services.
  auto again = Simservs::parse(out);
  REQUIRE(again.ok());
  CHECK(again->forwarding(ForwardCondition::no_reply)->target == "sip:voicemail@ims.example.net");
}

TEST_CASE("simservs: disabling a forwarding rule: rule-deactivated by default, or delete the rule") {
  auto s = Simservs::parse(operator_a()).value();
  ForwardingChange off;
  off.condition = ForwardCondition::busy;
  off.enable = false;
  auto e = s.set_forwarding(off);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].body.find("ss:rule-deactivated") != std::string::npos);
  CHECK((*e)[0].body.find("op:announcement") != std::string::npos);  // the operator's action stays
  CHECK_FALSE(s.forwarding(ForwardCondition::busy)->enabled);
  CHECK(s.forwarding(ForwardCondition::busy)->target == "tel:+15550100");  // kept for turning it back on

  // Enabling again removes the condition.
  ForwardingChange on;
  on.condition = ForwardCondition::busy;
  on.target = "tel:+15550100";
  auto back = s.set_forwarding(on);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 1);
  CHECK((*back)[0].body.find("rule-deactivated") == std::string::npos);
  CHECK(s.forwarding(ForwardCondition::busy)->enabled);

  off.disable = DisableMethod::delete_rule;
  e = s.set_forwarding(off);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].method == SimservsEdit::Method::remove);
  CHECK((*e)[0].node.to_string() == "simservs/communication-diversion/cp:ruleset/cp:rule[@id=\"call-diversion-busy\"]");
  CHECK_FALSE(s.forwarding(ForwardCondition::busy).has_value());
  // Disabling what does not exist is no request at all.
  e = s.set_forwarding(off);
  REQUIRE(e.ok());
  CHECK(e->empty());
}

TEST_CASE("simservs: a new rule gets an id no other rule has, and the document's prefixes") {
  auto s = Simservs::parse(operator_a()).value();
  auto e = s.set_barring(BarringCondition::all_outgoing, true);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  // "utkit-baoc" is taken (by the operator's international rule).
  CHECK((*e)[0].node.to_string() ==
        "simservs/outgoing-communication-barring/cp:ruleset/cp:rule[@id=\"utkit-baoc-2\"]");
  CHECK((*e)[0].body.find("<cp:rule id=\"utkit-baoc-2\"") == 0);
  CHECK((*e)[0].body.find("<ss:allow>false</ss:allow>") != std::string::npos);
  CHECK(s.barring(BarringCondition::all_outgoing)->enabled);
  CHECK(s.barring(BarringCondition::outgoing_international)->id == "utkit-baoc");  // untouched

  // Incoming barring has no ruleset yet: the ruleset is put whole.
  e = s.set_barring(BarringCondition::anonymous, true);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].node.to_string() == "simservs/incoming-communication-barring/cp:ruleset");
  CHECK(standalone_namespace((*e)[0].body) == kCommonPolicyNs);
  CHECK((*e)[0].body.find("<ss:anonymous/>") != std::string::npos);
  CHECK(s.barring(BarringCondition::anonymous)->enabled);

  // Flip allow instead of deactivating, when the profile says so.
  e = s.set_barring(BarringCondition::anonymous, false, DisableMethod::flip_allow);
  REQUIRE(e.ok());
  CHECK((*e)[0].body.find("<ss:allow>true</ss:allow>") != std::string::npos);
  CHECK((*e)[0].body.find("rule-deactivated") == std::string::npos);
  CHECK_FALSE(s.barring(BarringCondition::anonymous)->enabled);
}

TEST_CASE("simservs: a document with the default namespace gets unprefixed elements and declared cp") {
  auto s = Simservs::parse("<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\">"
                           "<communication-diversion active=\"true\"/></simservs>").value();
  ForwardingChange ch;
  ch.condition = ForwardCondition::unconditional;
  ch.target = "tel:+15550123";
  auto e = s.set_forwarding(ch);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].node.to_string() == "simservs/communication-diversion/cp:ruleset");
  CHECK(standalone_namespace((*e)[0].body) == kCommonPolicyNs);
  CHECK((*e)[0].body.find("<forward-to><target>tel:+15550123</target></forward-to>") != std::string::npos);
  CHECK((*e)[0].body.find("<cp:conditions/>") != std::string::npos);  // unconditional: no condition
  auto f = s.forwarding(ForwardCondition::unconditional);
  REQUIRE(f.has_value());
  CHECK(f->enabled);
  CHECK(f->id == "utkit-cfu");
}

TEST_CASE("simservs: the timer is sent with its service when the operator has none yet") {
  auto s = Simservs::parse("<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\" "
                           "xmlns:cp=\"urn:ietf:params:xml:ns:common-policy\"><communication-diversion>"
                           "<cp:ruleset/></communication-diversion></simservs>").value();
  ForwardingChange ch;
  ch.condition = ForwardCondition::no_reply;
  ch.target = "tel:+15550123";
  ch.no_reply_timer = 30;
  auto e = s.set_forwarding(ch);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].node.to_string() == "simservs/communication-diversion");
  // The schema order: NoReplyTimer before the ruleset.
  CHECK((*e)[0].body.find("<NoReplyTimer>30</NoReplyTimer><cp:ruleset>") != std::string::npos);
  CHECK(s.no_reply_timer() == 30);
}

TEST_CASE("simservs: a change the specs forbid is refused before anything is sent, and changes nothing") {
  auto s = Simservs::parse(operator_a()).value();
  const std::string before = s.serialize();
  auto code = [&](ForwardingChange ch) { return s.set_forwarding(ch).error().code(); };
  ForwardingChange ch;
  ch.condition = ForwardCondition::no_reply;
  for (const char* t : {"", "http://example.net/", "tel:", "tel:abc", "tel:+1 555", "sip:", "mailto:a@b", "sip:a\x01@b"}) {
    CAPTURE(t);
    ch.target = t;
    CHECK(code(ch) == Errc::invalid_argument);
  }
  ch.target = "tel:+15550100";
  for (int t : {0, 4, 181, -1}) {
    ch.no_reply_timer = t;
    CHECK(code(ch) == Errc::invalid_argument);
  }
  ch.condition = ForwardCondition::busy;
  ch.no_reply_timer = 20;
  CHECK(code(ch) == Errc::invalid_argument);  // a timer only for no reply
  CHECK(s.serialize() == before);
  // Services the operator has not provisioned are their own error.
  CHECK(s.set_active(Service::tip, true).error().code() == Errc::xcap_not_provisioned);
  CHECK(s.set_restricted(Service::tir, true).error().code() == Errc::xcap_not_provisioned);
  CHECK(s.set_restricted(Service::oip, true).error().code() == Errc::invalid_argument);
  CHECK(s.serialize() == before);
  for (const char* ok : {"tel:+1-555-0100", "tel:1234;phone-context=example.net", "sips:bob@example.net", "SIP:bob@x"}) {
    CAPTURE(ok);
    CHECK(check_forward_target(ok).ok());
  }
}

TEST_CASE("simservs: caller ID restriction and call waiting") {
  auto s = Simservs::parse(operator_a()).value();
  auto e = s.set_restricted(Service::oir, true);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].node.to_string() == "simservs/originating-identity-presentation-restriction/default-behaviour");
  CHECK((*e)[0].body.find(">presentation-restricted<") != std::string::npos);
  CHECK(standalone_namespace((*e)[0].body) == kSimservsNs);
  CHECK(s.restricted(Service::oir) == true);
  e = s.set_active(Service::communication_waiting, true);
  REQUIRE(e.ok());
  CHECK((*e)[0].node.to_string() == "simservs/communication-waiting/@active");
  CHECK((*e)[0].body == "\"true\"");
  CHECK(s.state(Service::communication_waiting).active);
}

TEST_CASE("simservs: hostile or foreign documents are refused cleanly") {
  auto code = [](const std::string& xml) { return Simservs::parse(xml).error().code(); };
  CHECK(code("<simservs/>") == Errc::xcap_bad_document);  // no namespace
  CHECK(code("<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>") == Errc::xcap_bad_document);
  CHECK(code("<!DOCTYPE s [<!ENTITY a \"b\">]><simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\"/>") ==
        Errc::xcap_bad_document);
  std::string deep = "<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\">";
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  CHECK(code(deep + "</simservs>") == Errc::xcap_bad_document);
  CHECK(code("<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\">") == Errc::xcap_bad_document);
  // A prefix rebound nearer down is honoured: this <cp:rule> is not common-policy.
  auto s = Simservs::parse("<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\" "
                           "xmlns:cp=\"urn:ietf:params:xml:ns:common-policy\"><communication-diversion>"
                           "<cp:ruleset><cp:rule id=\"x\" xmlns:cp=\"urn:other\"><cp:conditions/></cp:rule></cp:ruleset>"
                           "</communication-diversion></simservs>");
  REQUIRE(s.ok());
  CHECK(s->forwarding_rules().empty());
}

TEST_CASE("simservs: a ruleset that rebinds the default namespace gets simservs elements in simservs") {
  // Under <ruleset xmlns="common-policy">, an unprefixed <busy/> would be a
  // common-policy element: new simservs elements must carry a prefix there.
  auto s = Simservs::parse("<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\">"
                           "<communication-diversion><ruleset xmlns=\"urn:ietf:params:xml:ns:common-policy\">"
                           "<rule id=\"b\"><conditions><busy xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\"/>"
                           "</conditions><actions/></rule></ruleset></communication-diversion></simservs>").value();
  REQUIRE(s.forwarding(ForwardCondition::busy).has_value());
  ForwardingChange off;
  off.condition = ForwardCondition::busy;
  off.enable = false;
  auto e = s.set_forwarding(off);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].body.find("<ss:rule-deactivated xmlns:ss=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\"/>") !=
        std::string::npos);
  // Read back, the rule is deactivated (the condition is in the right namespace).
  auto again = Simservs::parse(s.serialize());
  REQUIRE(again.ok());
  CHECK_FALSE(again->forwarding(ForwardCondition::busy)->enabled);
}

TEST_CASE("simservs: an edit takes the rule for all media over a media-only one; odd ids and attribute floods are refused") {
  const std::string head = "<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\" "
                           "xmlns:cp=\"urn:ietf:params:xml:ns:common-policy\"><communication-diversion><cp:ruleset>";
  const std::string tail = "</cp:ruleset></communication-diversion></simservs>";
  auto s = Simservs::parse(head +
                           "<cp:rule id=\"video\"><cp:conditions><busy/><media>video</media></cp:conditions>"
                           "<cp:actions><forward-to><target>tel:+1111</target></forward-to></cp:actions></cp:rule>"
                           "<cp:rule id=\"all\"><cp:conditions><busy/></cp:conditions>"
                           "<cp:actions><forward-to><target>tel:+2222</target></forward-to></cp:actions></cp:rule>" + tail)
               .value();
  ForwardingChange ch;
  ch.condition = ForwardCondition::busy;
  ch.target = "tel:+3333";
  auto e = s.set_forwarding(ch);
  REQUIRE(e.ok());
  CHECK((*e)[0].node.to_string().find("[@id=\"all\"]") != std::string::npos);

  // A rule the selector cannot address: refused, nothing changed.
  auto odd = Simservs::parse(head + "<cp:rule id=\"a&quot;b'c\"><cp:conditions><busy/></cp:conditions><cp:actions/></cp:rule>" +
                             tail).value();
  const std::string before = odd.serialize();
  CHECK(odd.set_forwarding(ch).error().code() == Errc::xcap_bad_document);
  CHECK(odd.serialize() == before);
  auto noid = Simservs::parse(head + "<cp:rule><cp:conditions><busy/></cp:conditions><cp:actions/></cp:rule>" + tail).value();
  ch.no_reply_timer.reset();
  CHECK(noid.set_forwarding(ch).error().code() == Errc::xcap_bad_document);

  // Thousands of attributes on one element would make namespace lookups quadratic.
  std::string flood = "<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\"";
  for (int i = 0; i < 65; ++i) flood += " a" + std::to_string(i) + "=\"x\"";
  CHECK(Simservs::parse(flood + "/>").error().code() == Errc::xcap_bad_document);

  // A chain of taken ids is stepped over.
  auto taken = Simservs::parse(head + "<cp:rule id=\"utkit-cfu\"><cp:conditions><busy/></cp:conditions></cp:rule>"
                                      "<cp:rule id=\"utkit-cfu-2\"><cp:conditions><no-answer/></cp:conditions></cp:rule>" + tail)
                   .value();
  ch.condition = ForwardCondition::unconditional;
  e = taken.set_forwarding(ch);
  REQUIRE(e.ok());
  CHECK((*e)[0].node.to_string().find("[@id=\"utkit-cfu-3\"]") != std::string::npos);
}

TEST_CASE("simservs: forwarding targets in the operator's number format") {
  using xcap::NumberFormat;
  CHECK(normalize_target("sip:bob@example.net", NumberFormat::as_given, "").value() == "sip:bob@example.net");
  CHECK(normalize_target("+1 (555) 010-0100", NumberFormat::e164_tel, "").value() == "tel:+15550100100");
  CHECK(normalize_target("tel:+1-555-0100", NumberFormat::e164_tel, "").value() == "tel:+15550100");
  CHECK(normalize_target("tel:+15550100;ext=12", NumberFormat::e164_tel, "").error().code() == Errc::invalid_argument);
  CHECK(normalize_target("sip:+15550100@ims.example.net;user=phone", NumberFormat::e164_tel, "").value() ==
        "tel:+15550100");
  CHECK(normalize_target("tel:+15550100", NumberFormat::sip_user_phone, "ims.example.net").value() ==
        "sip:+15550100@ims.example.net;user=phone");
  // A sip: URI that is not a phone number stays as it is (voicemail servers).
  CHECK(normalize_target("sip:voicemail@example.net", NumberFormat::e164_tel, "").value() == "sip:voicemail@example.net");
  // No country code: refused rather than guessed.
  CHECK(normalize_target("5550100", NumberFormat::e164_tel, "").error().code() == Errc::invalid_argument);
  CHECK(normalize_target("tel:+1x", NumberFormat::e164_tel, "").error().code() == Errc::invalid_argument);
  CHECK(normalize_target("+15550100", NumberFormat::sip_user_phone, "").error().code() == Errc::config_missing);
}

TEST_CASE("simservs: a forwarding rule for some media only") {
  auto s = Simservs::parse(operator_a()).value();
  ForwardingChange video;
  video.condition = ForwardCondition::busy;
  video.target = "sip:video-mail@example.net";
  video.media = {"video"};
  auto e = s.set_forwarding(video);
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  // Not the operator's all-media busy rule: a new rule with the media condition.
  CHECK((*e)[0].node.to_string().find("utkit-cfb") != std::string::npos);
  CHECK((*e)[0].body.find("<ss:media>video</ss:media>") != std::string::npos);
  CHECK(s.forwarding(ForwardCondition::busy)->target == "tel:+15550100");  // the all-media rule is untouched
  // The same change again finds that rule (by its media), no second one.
  e = s.set_forwarding(video);
  REQUIRE(e.ok());
  CHECK((*e)[0].node.to_string().find("utkit-cfb\"") != std::string::npos);
  int video_rules = 0;
  for (const auto& r : s.forwarding_rules()) video_rules += r.media == std::vector<std::string>{"video"} ? 1 : 0;
  CHECK(video_rules == 1);
  video.media = {"Video!"};
  CHECK(s.set_forwarding(video).error().code() == Errc::invalid_argument);
}
