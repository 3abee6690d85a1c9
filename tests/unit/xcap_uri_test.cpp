// XCAP URIs: RFC 4825's examples, building and parsing round trips, and refusals.
#include <doctest/doctest.h>

#include "utkit/xcap/uri.hpp"

using namespace utkit;
using namespace utkit::xcap;

TEST_CASE("xcap uri: RFC 4825 examples parse") {
  // RFC 4825 6.3 (node selector), and the 8.x examples' style.
  auto u = XcapUri::parse("http://xcap.example.com/root",
                          "http://xcap.example.com/root/resource-lists/users/sip:joe@example.com/index/~~/"
                          "resource-lists/list%5b@name=%22list1%22%5d/entry%5b@uri=%22sip:petri@example.com%22%5d");
  REQUIRE_MESSAGE(u.ok(), u.error().describe());
  CHECK(u->document.auid == "resource-lists");
  CHECK(u->document.xui == "sip:joe@example.com");
  CHECK(u->document.path == "index");
  REQUIRE(u->node.steps.size() == 3);
  CHECK(u->node.steps[1].name == "list");
  CHECK(u->node.steps[1].attributes.at(0) == std::make_pair(std::string("name"), std::string("list1")));
  CHECK(u->node.steps[2].attributes.at(0).second == "sip:petri@example.com");

  auto pos = XcapUri::parse("http://xcap.example.com", "http://xcap.example.com/resource-lists/users/"
                                                       "sip:joe@example.com/index/~~/resource-lists/list%5b1%5d/"
                                                       "entry%5b2%5d/@uri");
  REQUIRE(pos.ok());
  CHECK(pos->node.steps[1].position == std::size_t{1});
  CHECK(pos->node.steps[2].position == std::size_t{2});
  CHECK(pos->node.attribute == "uri");

  auto ns = XcapUri::parse("http://x/root",
                           "http://x/root/pres-rules/users/sip:a@b/index/~~/cr:ruleset/cr:rule%5b@id=%22a%22%5d"
                           "?xmlns(cr=urn:ietf:params:xml:ns:common-policy)");
  REQUIRE_MESSAGE(ns.ok(), ns.error().describe());
  CHECK(ns->node.steps[0].name == "cr:ruleset");
  REQUIRE(ns->node.bindings.size() == 1);
  CHECK(ns->node.bindings[0].second == "urn:ietf:params:xml:ns:common-policy");

  auto global = XcapUri::parse("http://x/root", "http://x/root/xcap-caps/global/index");
  REQUIRE(global.ok());
  CHECK(global->document.global);
  CHECK(global->node.empty());
  auto nsel = XcapUri::parse("http://x/root", "http://x/root/resource-lists/users/sip:a@b/index/~~/resource-lists/namespace::*");
  REQUIRE(nsel.ok());
  CHECK(nsel->node.namespaces);
}

TEST_CASE("xcap uri: building percent-encodes and round-trips") {
  XcapUri u;
  u.root = "https://naf.example.test:8443/xcap-root";
  u.document = {"resource-lists", false, "sip:alice@example.test", "index"};
  u.node.steps = {Step::element("resource-lists"), Step::element("list").with("name", "oma_buddylist"),
                  Step::element("entry").with("uri", "sip:bob smith/x@example.test")};
  const std::string s = u.to_string();
  CHECK(s == "https://naf.example.test:8443/xcap-root/resource-lists/users/sip:alice@example.test/index/~~/"
             "resource-lists/list%5B@name=%22oma_buddylist%22%5D/entry%5B@uri=%22sip:bob%20smith%2Fx@example.test%22%5D");
  CHECK(s.find('+') == std::string::npos);  // never form encoding
  auto back = XcapUri::parse(u.root, s);
  REQUIRE_MESSAGE(back.ok(), back.error().describe());
  CHECK(back->to_string() == s);
  CHECK(back->node.steps[2].attributes[0].second == "sip:bob smith/x@example.test");

  // Values with a double quote use single quotes.
  XcapUri q = u;
  q.node.steps[2] = Step::element("entry").with("uri", "sip:\"odd\"@x");
  auto qb = XcapUri::parse(q.root, q.to_string());
  REQUIRE(qb.ok());
  CHECK(qb->node.steps[2].attributes[0].second == "sip:\"odd\"@x");

  XcapUri attr = u;
  attr.node.attribute = "display-name";
  auto ab = XcapUri::parse(attr.root, attr.to_string());
  REQUIRE(ab.ok());
  CHECK(ab->node.attribute == "display-name");
  CHECK(NodeSelector::parse("a/b[3][@x=\"1\"]/@y")->to_string() == "a/b[3][@x=\"1\"]/@y");
}

TEST_CASE("xcap uri: refusals") {
  auto code = [](const char* uri) { return XcapUri::parse("http://x/root", uri).error().code(); };
  CHECK(code("http://other/root/a/users/u/index") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/people/u/index") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/index/~~/a%5b@b=%22c%5d") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/index/~~/a%5b0%5d") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/index/~~/a%5b@b=c%5d") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/index/~~/a/%zz") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/index/~~/a/b%00") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/index/~~/@x") == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/index/~~/a?junk") == Errc::xcap_bad_selector);
  // Found by tests/fuzz/fuzz_xcap_uri: raw control characters must not pass.
  std::string with_nul = "http://x/root/resource-lists/users/u/ind";
  with_nul += '\0';
  with_nul += '\0';
  CHECK(XcapUri::parse("http://x/root", with_nul).error().code() == Errc::xcap_bad_selector);
  CHECK(code("http://x/root/resource-lists/users/u/my doc") == Errc::xcap_bad_selector);
}

TEST_CASE("xcap uri: dot segments and values with both quotes are refused before anything is sent") {
  XcapUri u;
  u.root = "https://xcap.example.test/xcap-root";
  u.document = DocumentSelector{"resource-lists", false, "sip:alice@example.test", "index"};
  CHECK(u.check().ok());
  for (const char* path : {"../../users/sip:bob@example.test/index", "a/./b", "a//b", "..", "index/.."}) {
    u.document.path = path;
    CHECK_MESSAGE(u.check().error().code() == Errc::xcap_bad_selector, path);
  }
  u.document.path = "index";
  u.document.xui = "..";
  CHECK(u.check().error().code() == Errc::xcap_bad_selector);
  u.document.xui = "sip:alice@example.test";
  u.node.steps.push_back(Step::element("resource-lists"));
  u.node.steps.push_back(Step::element("list").with("name", "a\"b"));  // one kind of quote: fine ('...')
  CHECK(u.check().ok());
  u.node.steps.push_back(Step::element("entry").with("uri", "sip:\"x'@example.test"));
  CHECK(u.check().error().code() == Errc::xcap_bad_selector);
}

TEST_CASE("xcap uri: a node selector step that is a dot segment is refused") {
  auto u = XcapUri::parse("https://x/r", "https://x/r/resource-lists/users/sip:a@x/index/~~/resource-lists/list%5B@name=%22a%22%5D/../..");
  REQUIRE(u.ok());  // it parses; it must never be sent
  CHECK(u->check().error().code() == Errc::xcap_bad_selector);
}
