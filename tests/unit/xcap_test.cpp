// xcap units: resource-lists parsing and round trips (unknown content kept,
// hostile documents refused), xcap-error bodies, element XML.
#include <doctest/doctest.h>

#include "utkit/xcap/resource_lists.hpp"

using namespace utkit;
using namespace utkit::xcap;

TEST_CASE("resource-lists: parse, list, keep what we do not know") {
  const char* doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\" xmlns:x=\"urn:example:ext\">\n"
      " <list name=\"oma_buddylist\">\n"
      "  <display-name>Buddies</display-name>\n"
      "  <entry uri=\"sip:bob@example.test\"><display-name>Bob</display-name><x:note>n1</x:note></entry>\n"
      "  <entry uri=\"tel:+15550100\" x:prio=\"1\"/>\n"
      "  <entry-ref ref=\"resource-lists/users/sip:a@b/index/~~/resource-lists/list%5b@name=%22x%22%5d\"/>\n"
      "  <external anchor=\"http://xcap.example.test/ext\"/>\n"
      " </list>\n"
      " <list name=\"oma_blockedcontacts\"/>\n"
      " <x:other>kept</x:other>\n"
      "</resource-lists>\n";
  auto rl = ResourceLists::parse(doc);
  REQUIRE_MESSAGE(rl.ok(), rl.error().describe());
  CHECK(rl->list_names() == std::vector<std::string>{"oma_buddylist", "oma_blockedcontacts"});
  auto e = rl->entries("oma_buddylist");
  REQUIRE(e.ok());
  REQUIRE(e->size() == 2);
  CHECK((*e)[0].uri == "sip:bob@example.test");
  CHECK((*e)[0].display_name == "Bob");
  CHECK((*e)[1].uri == "tel:+15550100");
  CHECK(rl->find("oma_buddylist", "tel:+15550100") != nullptr);
  CHECK(rl->find("oma_blockedcontacts", "tel:+15550100") == nullptr);
  CHECK(rl->entries("nope").error().code() == Errc::xcap_not_found);
  const std::string out = rl->serialize();
  CHECK(out.find("<x:note>n1</x:note>") != std::string::npos);
  CHECK(out.find("x:prio=\"1\"") != std::string::npos);
  CHECK(out.find("entry-ref") != std::string::npos);
  CHECK(out.find("<x:other>kept</x:other>") != std::string::npos);
  auto again = ResourceLists::parse(out);
  REQUIRE(again.ok());
  CHECK(again->serialize() == out);
}

TEST_CASE("resource-lists: defaults, element XML, escaping") {
  auto d = ResourceLists::with_lists({"oma_buddylist", "oma_grantedcontacts", "oma_blockedcontacts", "oma_allcontacts"});
  CHECK(d.list_names().size() == 4);
  CHECK(d.entries("oma_allcontacts")->empty());
  CHECK(ResourceLists::entry_xml({"sip:a&b@x", "A \"quoted\" <name>"}) ==
        "<entry xmlns=\"urn:ietf:params:xml:ns:resource-lists\" uri=\"sip:a&amp;b@x\"><display-name>A &quot;quoted&quot; "
        "&lt;name&gt;</display-name></entry>");
  CHECK(ResourceLists::entry_xml({"sip:c@x", ""}) == "<entry xmlns=\"urn:ietf:params:xml:ns:resource-lists\" uri=\"sip:c@x\"/>");
}

TEST_CASE("resource-lists: hostile documents are refused cleanly") {
  auto code = [](const std::string& xml) { return ResourceLists::parse(xml).error().code(); };
  CHECK(code("<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><resource-lists>&b;</resource-lists>") ==
        Errc::xcap_bad_document);
  std::string deep = "<resource-lists>";
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  for (int i = 0; i < 5000; ++i) deep += "</a>";
  deep += "</resource-lists>";
  CHECK(code(deep) == Errc::xcap_bad_document);
  CHECK(code("<resource-lists><list name=\"a\" " + std::string(1 << 20, ' ') + "x=\"" + std::string(5 << 20, 'a') +
             "\"/></resource-lists>") == Errc::xcap_bad_document);
  CHECK(code("<ruleset/>") == Errc::xcap_bad_document);
  CHECK(code("<resource-lists><list>") == Errc::xcap_bad_document);
  auto huge_attr = ResourceLists::parse("<resource-lists><list name=\"" + std::string(100000, 'n') + "\"/></resource-lists>");
  CHECK(huge_attr.ok());  // large but within limits: fine
}

TEST_CASE("xcap-error bodies, parsed loosely") {
  auto e = parse_xcap_error(
      "<?xml version=\"1.0\"?><!-- c --><xcap-error xmlns=\"urn:ietf:params:xml:ns:xcap-error\">"
      "<uniqueness-failure><exists field=\"rl:list/rl:entry/@uri\"><alt-value>sip:b2@x</alt-value>"
      "</exists></uniqueness-failure></xcap-error>");
  CHECK(e.condition == "uniqueness-failure");
  CHECK(e.field == "rl:list/rl:entry/@uri");
  CHECK(e.alt_values == std::vector<std::string>{"sip:b2@x"});
  auto np = parse_xcap_error("<xcap-error xmlns=\"urn:ietf:params:xml:ns:xcap-error\"><no-parent><ancestor>"
                             "http://x/root/resource-lists/users/sip:a@b/index</ancestor></no-parent></xcap-error>");
  CHECK(np.condition == "no-parent");
  CHECK(np.ancestor == "http://x/root/resource-lists/users/sip:a@b/index");
  CHECK(parse_xcap_error("<xcap-error><cannot-insert/></xcap-error>").condition == "cannot-insert");
  CHECK(parse_xcap_error("<xcap-error><not-utf-8 phrase=\"bad\"/></xcap-error>").phrase == "bad");
  CHECK(parse_xcap_error("").condition.empty());
  CHECK(parse_xcap_error("not xml").condition.empty());
  CHECK(parse_xcap_error("<other/>").condition.empty());
}
