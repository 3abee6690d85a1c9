// xcap units: resource-lists parsing and round trips (unknown content kept,
// hostile documents refused), xcap-error bodies, element XML.
#include <doctest/doctest.h>

#include "utkit/xcap/pres_rules.hpp"
#include "utkit/xcap/resource_lists.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/xcap/document_cache.hpp"

#include <mbedtls/sha256.h>

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
  CHECK(rl->find("oma_buddylist", "tel:+15550100").has_value());
  CHECK_FALSE(rl->find("oma_blockedcontacts", "tel:+15550100").has_value());
  CHECK(rl->entries("nope").error().code() == Errc::xcap_not_found);
  CHECK(rl->list_display_name("oma_buddylist").value() == "Buddies");
  REQUIRE(rl->entry_refs("oma_buddylist")->size() == 1);
  CHECK(rl->entry_refs("oma_buddylist")->at(0).find("resource-lists/users") == 0);
  CHECK(rl->externals("oma_buddylist")->at(0) == "http://xcap.example.test/ext");
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

TEST_CASE("resource-lists: parse_owned parses in place and survives moves; for_each_entry reads the DOM") {
  // Short and long buffers: a short string lives inside the std::string
  // object, so the document must keep its own heap copy of the object.
  for (int n : {0, 1, 300}) {
    std::string xml = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"l\">";
    for (int i = 0; i < n; ++i) xml += "<entry uri=\"sip:u" + std::to_string(i) + "@x\"><display-name>U &amp; " +
                                       std::to_string(i) + "</display-name></entry>";
    xml += "<entry uri=\"sip:nameless@x\"/><x:ext xmlns:x=\"urn:x\"/></list></resource-lists>";
    auto parsed = ResourceLists::parse_owned(std::move(xml));
    REQUIRE(parsed.ok());
    ResourceLists moved = std::move(*parsed);
    ResourceLists again = std::move(moved);
    CHECK(again.entry_count("l") == static_cast<std::size_t>(n) + 1);
    std::vector<std::pair<std::string, std::string>> seen;
    REQUIRE(again.for_each_entry("l", [&](std::string_view uri, std::string_view dn) {
      seen.emplace_back(std::string(uri), std::string(dn));
    }).ok());
    REQUIRE(seen.size() == static_cast<std::size_t>(n) + 1);
    if (n > 0) CHECK(seen[0] == std::make_pair(std::string("sip:u0@x"), std::string("U & 0")));
    CHECK(seen.back() == std::make_pair(std::string("sip:nameless@x"), std::string()));
    CHECK(again.find("l", "sip:nameless@x").has_value());
    CHECK_FALSE(again.find("l", "sip:nobody@x").has_value());
    CHECK(again.for_each_entry("missing", [](std::string_view, std::string_view) {}).error().code() == Errc::xcap_not_found);
    CHECK(again.serialize().find("urn:x") != std::string::npos);  // extension content kept
  }
}

TEST_CASE("resource-lists: hostile documents are refused cleanly") {
  auto code = [](const std::string& xml) { return ResourceLists::parse(xml).error().code(); };
  const std::string kOpen = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">";
  CHECK(code("<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><resource-lists>&b;</resource-lists>") ==
        Errc::xcap_bad_document);
  std::string deep = kOpen;
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  for (int i = 0; i < 5000; ++i) deep += "</a>";
  deep += "</resource-lists>";
  CHECK(code(deep) == Errc::xcap_bad_document);
  // The limit is 64 levels, the root included: 63 nested below it are fine, 64 are not.
  auto nested = [&](int levels) {
    std::string x = kOpen;
    for (int i = 0; i < levels; ++i) x += "<a>";
    for (int i = 0; i < levels; ++i) x += "</a>";
    return x + "</resource-lists>";
  };
  CHECK(ResourceLists::parse(nested(63)).ok());
  CHECK(code(nested(64)) == Errc::xcap_bad_document);
  CHECK(ResourceLists::parse_owned(nested(64)).error().code() == Errc::xcap_bad_document);
  // Over 4 MiB, built in one buffer (the Cortex-M4 run has 16 MiB of heap).
  std::string big = kOpen + "<list name=\"a\" ";
  big.reserve(big.size() + (1 << 20) + (5 << 20) + 64);
  big.append(1 << 20, ' ').append("x=\"").append(5 << 20, 'a').append("\"/></resource-lists>");
  CHECK(code(big) == Errc::xcap_bad_document);
  CHECK(code("<ruleset/>") == Errc::xcap_bad_document);
  CHECK(code(kOpen + "<list>") == Errc::xcap_bad_document);
  auto huge_attr = ResourceLists::parse(kOpen + "<list name=\"" + std::string(100000, 'n') + "\"/></resource-lists>");
  CHECK(huge_attr.ok());  // large but within limits: fine
}

TEST_CASE("resource-lists: elements are read by namespace, not by local name") {
  const std::string ns = "urn:ietf:params:xml:ns:resource-lists";
  auto entries = [&](const std::string& xml) -> std::size_t {
    auto d = ResourceLists::parse(xml);
    REQUIRE_MESSAGE(d.ok(), d.error().describe());
    auto e = d->entries("b");
    return e ? e->size() : 0;
  };
  // A prefix bound to the namespace counts; the same local name elsewhere does not.
  CHECK(entries("<rl:resource-lists xmlns:rl=\"" + ns + "\" xmlns:x=\"urn:other\"><rl:list name=\"b\">"
                "<rl:entry uri=\"sip:a@x\"/><x:entry uri=\"sip:evil@x\"/><entry uri=\"sip:nons@x\"/>"
                "</rl:list></rl:resource-lists>") == 1);
  // A default namespace redeclared below the root takes its elements out.
  CHECK(entries("<resource-lists xmlns=\"" + ns + "\"><list name=\"b\"><entry uri=\"sip:a@x\"/>"
                "<entry xmlns=\"urn:other\" uri=\"sip:evil@x\"/></list></resource-lists>") == 1);
  // A root in no namespace, in the wrong one, or under an undeclared prefix is not a resource-lists document.
  for (const char* bad : {"<resource-lists/>", "<resource-lists xmlns=\"urn:wrong\"/>", "<q:resource-lists/>"}) {
    CHECK_MESSAGE(ResourceLists::parse(bad).error().code() == Errc::xcap_bad_document, bad);
  }
}

TEST_CASE("xml: a character reference to a character XML does not allow is refused (no NUL cuts a URI)") {
  const std::string open = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"b\">";
  for (const char* ref : {"&#0;", "&#x0;", "&#00;", "&#x1;", "&#xD800;", "&#xFFFE;", "&#1114112;", "&#;", "&#x;"}) {
    auto r = ResourceLists::parse(open + "<entry uri=\"sip:a" + ref + "@evil\"/></list></resource-lists>");
    REQUIRE_FALSE_MESSAGE(r.ok(), ref);
    CHECK(r.error().code() == Errc::xcap_bad_document);
  }
  // Raw, the same characters are refused too (a document must read back after an edit).
  CHECK_FALSE(ResourceLists::parse(open + "<entry uri=\"sip:a@x\"/>\x0e</list></resource-lists>").ok());
  CHECK_FALSE(ResourceLists::parse(open + "<entry uri=\"sip:a\x01@x\"/></list></resource-lists>").ok());
  auto fine = ResourceLists::parse(open + "<entry uri=\"sip:&#97;&#x62;@x\"/></list></resource-lists>");
  REQUIRE(fine.ok());
  CHECK(fine->entries("b")->at(0).uri == "sip:ab@x");
}

TEST_CASE("xml: the element count is bounded before a DOM is built") {
  std::string many = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"b\">";
  for (int i = 0; i < 60000; ++i) many += "<e/>";
  many += "</list></resource-lists>";
  auto r = ResourceLists::parse(many);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::xcap_bad_document);
  CHECK(r.error().message().find("elements") != std::string::npos);
  // The limit is the caller's (BuddyConfig::document_limits).
  std::string ten = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"b\">";
  for (int i = 0; i < 10; ++i) ten += "<entry uri=\"sip:" + std::to_string(i) + "@x\"/>";
  ten += "</list></resource-lists>";
  CHECK(ResourceLists::parse(ten).ok());
  CHECK(ResourceLists::parse(ten, XmlLimits{1 << 20, 12}).ok());  // 12 elements: the root, the list, 10 entries
  CHECK(ResourceLists::parse(ten, XmlLimits{1 << 20, 11}).error().code() == Errc::xcap_bad_document);
  CHECK(ResourceLists::parse(ten, XmlLimits{100, 50}).error().code() == Errc::xcap_bad_document);
}

TEST_CASE("resource-lists: a document that is not UTF-8 is refused") {
  auto r = ResourceLists::parse("<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"\xff\"/>"
                                "</resource-lists>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::xcap_bad_document);
  CHECK(r.error().message().find("UTF-8") != std::string::npos);
  CHECK_FALSE(PresRules::parse("<cr:ruleset xmlns:cr=\"urn:ietf:params:xml:ns:common-policy\">\xc0\xaf</cr:ruleset>").ok());
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

TEST_CASE("pres-rules: OMA defaults, rules, decisions") {
  const std::string doc = PresRules::oma_default("sip:alice@example.test",
                                                 "http://x/root/resource-lists/users/sip:alice@example.test/index");
  auto p = PresRules::parse(doc);
  REQUIRE_MESSAGE(p.ok(), p.error().describe());
  REQUIRE(p->rules().size() == 3);
  CHECK(p->find("wp_prs_allow_own")->identities.at(0) == "sip:alice@example.test");
  CHECK(p->find("wp_prs_grantedcontacts")->external_lists.at(0).find("oma_grantedcontacts") != std::string::npos);
  CHECK(p->find("wp_prs_blockedcontacts")->sub_handling == SubHandling::block);
  CHECK(p->decision_for("sip:alice@example.test") == SubHandling::allow);
  CHECK_FALSE(p->decision_for("sip:eve@example.test").has_value());

  auto ietf = PresRules::parse(
      "<ruleset xmlns=\"urn:ietf:params:xml:ns:common-policy\" xmlns:pr=\"urn:ietf:params:xml:ns:pres-rules\">"
      "<rule id=\"a\"><conditions><identity><one id=\"sip:bob@x\"/><many domain=\"example.test\"/></identity>"
      "</conditions><actions><pr:sub-handling>polite-block</pr:sub-handling></actions></rule>"
      "<rule id=\"b\"><conditions><identity><one id=\"sip:bob@x\"/></identity></conditions>"
      "<actions><pr:sub-handling>allow</pr:sub-handling></actions><!-- c --><unknown/></rule></ruleset>");
  REQUIRE(ietf.ok());
  CHECK(ietf->decision_for("sip:bob@x") == SubHandling::allow);  // the most permissive wins
  CHECK(ietf->decision_for("sip:carol@example.test") == SubHandling::polite_block);
  CHECK(PresRules::parse("<resource-lists/>").error().code() == Errc::xcap_bad_document);
  CHECK(PresRules::parse("<!DOCTYPE x><ruleset/>").error().code() == Errc::xcap_bad_document);

  const std::string rule = PresRules::rule_xml({"r1", {"sip:a\"b@x"}, {}, {}, SubHandling::block});
  CHECK(rule.find("id=\"r1\"") != std::string::npos);
  CHECK(rule.find("sip:a&quot;b@x") != std::string::npos);
  CHECK(rule.find("<pr:sub-handling>block</pr:sub-handling>") != std::string::npos);
  CHECK(XcapProfile::named("ietf")->pres_rules_auid == "pres-rules");
  CHECK(XcapProfile::named("oma")->pres_rules_doc == "pres-rules");
  CHECK(XcapProfile::named("other").error().code() == Errc::config_invalid);
}

TEST_CASE("rls-services and xcap-caps") {
  RlsService s{"sip:alice@x;pres-list=oma_buddylist", "http://x/root/resource-lists/users/sip:alice@x/index/~~/l", {"presence"}};
  auto parsed = parse_rls_services(std::string("<rls-services xmlns=\"urn:ietf:params:xml:ns:rls-services\">") +
                                   rls_service_xml(s) + "</rls-services>");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  CHECK(parsed->at(0).uri == s.uri);
  CHECK(parsed->at(0).resource_list == s.resource_list);
  CHECK(parsed->at(0).packages == s.packages);
  auto caps = parse_xcap_caps("<xcap-caps xmlns=\"urn:ietf:params:xml:ns:xcap-caps\"><auids><auid>resource-lists</auid>"
                              "<auid>pres-rules</auid></auids><extensions/><namespaces>"
                              "<namespace>urn:x</namespace></namespaces></xcap-caps>");
  CHECK(caps.parsed);
  CHECK(caps.supports("pres-rules"));
  CHECK_FALSE(caps.supports("rls-services"));
  CHECK(caps.namespaces.size() == 1);
  // A malformed xcap-caps does not disable anything: it just says nothing.
  auto broken = parse_xcap_caps("<xcap-caps><auids><auid>resource-lists");
  CHECK_FALSE(broken.parsed);
  CHECK(broken.auids.empty());
  CHECK_FALSE(parse_xcap_caps("").parsed);
}

namespace {
std::string cache_key_of(const XcapUri& u) {
  unsigned char d[32];
  const std::string s = u.to_string();
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d, 0);
  return "xcap-doc-" + utkit::to_hex(utkit::ByteView(d, 8));
}
}  // namespace

TEST_CASE("document cache: a copy is served only when its record is whole and names the same document") {
  utkit::MemoryKeyValueStore store;
  DocumentCache cache(store, 4096);
  XcapUri u;
  u.root = "https://xcap.example.test/xcap-root";
  u.document = DocumentSelector{"resource-lists", false, "sip:alice@example.test", "index"};
  CHECK_FALSE(cache.load(u).has_value());
  cache.save(u, "\"e1\"", "<resource-lists/>");
  auto got = cache.load(u);
  REQUIRE(got.has_value());
  CHECK(got->etag == "\"e1\"");
  CHECK(got->body == "<resource-lists/>");
  CHECK(cache.etag(u) == std::optional<std::string>("\"e1\""));
  // The body is served only for the ETag the caller revalidated.
  CHECK_FALSE(cache.load(u, "\"e0\"").has_value());
  CHECK(cache.load(u, "\"e1\"").has_value());
  // An element URI of the same document finds the document's copy.
  XcapUri el = u;
  el.node = NodeSelector::parse("resource-lists/list").value();
  CHECK(cache.load(el).has_value());
  // Another user's document: no copy.
  XcapUri other = u;
  other.document.xui = "sip:bob@example.test";
  CHECK_FALSE(cache.load(other).has_value());
  // A body that no longer matches its meta record (edited, or a torn write): a miss.
  const std::string key = cache_key_of(u);
  REQUIRE(store.put(key, utkit::ByteView::of("<resource-lists><list name=\"x\"/></resource-lists>")).ok());
  CHECK_FALSE(cache.load(u).has_value());
  // A meta record that is not ours: a miss, never a crash.
  cache.save(u, "\"e2\"", "<resource-lists/>");
  REQUIRE(cache.load(u).has_value());
  for (const char* meta : {"", "garbage", "utkit-xcap-document 1\nuri x\n", "utkit-xcap-document 1\nsize 99999999999999999999\n",
                           "utkit-xcap-document 1\netag \"a\nb\"\n"}) {
    REQUIRE(store.put(key + ".meta", utkit::ByteView::of(meta)).ok());
    CHECK_FALSE(cache.load(u).has_value());
  }
  // No ETag, a control character in it, or a body over the limit: nothing kept.
  cache.save(u, "\"e3\"", "<resource-lists/>");
  REQUIRE(cache.load(u).has_value());
  cache.save(u, "", "<resource-lists/>");
  CHECK_FALSE(cache.load(u).has_value());
  cache.save(u, "\"e\x01\"", "<resource-lists/>");
  CHECK_FALSE(cache.load(u).has_value());
  cache.save(u, "\"e4\"", std::string(5000, ' '));
  CHECK_FALSE(cache.load(u).has_value());
  cache.save(u, "\"e5\"", "<resource-lists/>");
  cache.drop(el);
  CHECK_FALSE(cache.load(u).has_value());
  CHECK(store.get(key).error().code() == utkit::Errc::storage_not_found);
}

TEST_CASE("xml: attributes per element are counted before a DOM is built; an empty prefix names no namespace") {
  const std::string open = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"b\"";
  std::string many = open;
  for (int i = 0; i < 63; ++i) many += " a" + std::to_string(i) + "=\"x=y\"";  // with name=: 64; "=" in values does not count
  CHECK(ResourceLists::parse(many + "/></resource-lists>").ok());
  many += " z=\"1\"";
  auto r = ResourceLists::parse(many + "/></resource-lists>");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().find("attributes") != std::string::npos);
  // A reference in an attribute value is checked like one in text.
  CHECK_FALSE(ResourceLists::parse(open + " x=\"&#x0;\"/></resource-lists>").ok());
  auto colon = ResourceLists::parse(open + "><:entry uri=\"sip:e@x\"/></list></resource-lists>");
  if (colon.ok()) CHECK(colon->entries("b")->empty());  // pugixml may take ":entry"; it is no entry
}

TEST_CASE("xml: comments and CDATA are skipped by the pre-parse checks, and cannot hide depth") {
  const std::string open = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">";
  // Literal text, not markup: fine.
  CHECK(ResourceLists::parse(open + "<!-- &#0; <a <b --><list name=\"b\"><![CDATA[</x></y> &#0;]]></list>"
                                    "</resource-lists>").ok());
  // Closing tags inside a comment do not buy extra levels.
  std::string deep = open + "<!--";
  for (int i = 0; i < 200; ++i) deep += "</a>";
  deep += "-->";
  for (int i = 0; i < 70; ++i) deep += "<a>";
  for (int i = 0; i < 70; ++i) deep += "</a>";
  deep += "</resource-lists>";
  auto r = ResourceLists::parse(deep);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().find("deeper") != std::string::npos);
}
