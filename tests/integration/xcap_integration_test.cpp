// XCAP end to end: the SDK's XcapClient and BuddyList against netsim's XCAP
// server, directly over http, and behind a NAF (TLS + GBA Digest, Ks_NAF from
// the BSF) that asserts the user's identity.
#include <doctest/doctest.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "bsf.hpp"
#include "naf.hpp"
#include "xcap_server.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/gba/gba.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/xcap/pres_rules.hpp"
#include "utkit/xcap/resource_lists.hpp"

using namespace utkit;
using namespace std::chrono_literals;

namespace {

const std::string kXui = "sip:alice@example.test";

std::string pki(const std::string& f) {
  const char* d = std::getenv("UTKIT_PKI_DIR");
  REQUIRE(d != nullptr);
  return std::string(d) + "/" + f;
}

struct Plain {
  netsim::XcapServer xcap;
  std::unique_ptr<netsim::HttpServer> http;
  posix::SystemClock clock;
  std::unique_ptr<Random> random = posix::make_system_random().value();
  posix::TcpTransportFactory tcp;
  Plain() {
    netsim::StreamServer::Options o;
    o.tls = false;
    http = netsim::HttpServer::start(o, [this](const netsim::HttpRequest& r) {
             auto id = r.headers.find("X-3GPP-Intended-Identity");
             std::string asserted = id ? id->substr(1, id->size() - 2) : std::string();
             return xcap.handle(r, asserted);
           }).value();
  }
  std::string root() const { return "http://127.0.0.1:" + std::to_string(http->port()) + "/xcap-root"; }
};

}  // namespace

TEST_CASE("xcap: documents, elements, attributes, ETags, conditional requests") {
  Plain p;
  http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
  xcap::XcapClient x(hc, {p.root(), kXui, ""});
  auto doc = x.uri("resource-lists", "index");
  CHECK(x.get(doc).error().code() == Errc::xcap_not_found);
  auto created = x.put(doc, xcap::ResourceLists::with_lists({"friends"}).serialize(), xcap::Precondition::if_none_match_any);
  REQUIRE_MESSAGE(created.ok(), created.error().describe());
  CHECK(created->status == 201);
  const std::string etag1 = *x.etag(doc.document);
  CHECK(x.put(doc, "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>",
              xcap::Precondition::if_none_match_any).error().code() == Errc::xcap_precondition_failed);

  xcap::NodeSelector ns;
  ns.steps = {xcap::Step::element("resource-lists"), xcap::Step::element("list").with("name", "friends"),
              xcap::Step::element("entry").with("uri", "sip:bob@example.test")};
  auto el = x.uri("resource-lists", "index", ns);
  REQUIRE(x.get(doc).ok());  // refresh the ETag
  auto put = x.put(el, xcap::ResourceLists::entry_xml({"sip:bob@example.test", "Bob"}));
  REQUIRE_MESSAGE(put.ok(), put.error().describe());
  CHECK(put->status == 201);
  CHECK(*x.etag(doc.document) != etag1);
  auto got = x.get(el);
  REQUIRE(got.ok());
  CHECK(got->content_type == "application/xcap-el+xml");
  CHECK(got->body.find("Bob") != std::string::npos);
  // Conditional GET: 304 with the current ETag.
  auto nm = x.get(doc, true);
  REQUIRE(nm.ok());
  CHECK(nm->status == 304);

  xcap::XcapUri attr = el;
  attr.node.attribute = "uri";
  auto a = x.get(attr);
  REQUIRE(a.ok());
  CHECK(a->body == "sip:bob@example.test");
  CHECK(a->content_type == "application/xcap-att+xml");

  // A stale ETag: 412, and the client forgets it.
  xcap::XcapClient other(hc, {p.root(), kXui, ""});
  REQUIRE(other.get(doc).ok());
  REQUIRE(x.remove(el).ok());
  CHECK(other.remove(el).error().code() == Errc::xcap_precondition_failed);
  CHECK_FALSE(other.etag(doc.document).has_value());
  CHECK(x.get(el).error().code() == Errc::xcap_not_found);

  // Typed 409s.
  xcap::NodeSelector orphan;
  orphan.steps = {xcap::Step::element("resource-lists"), xcap::Step::element("list").with("name", "nope"),
                  xcap::Step::element("entry").with("uri", "sip:c@x")};
  auto no_parent = x.put(x.uri("resource-lists", "index", orphan), xcap::ResourceLists::entry_xml({"sip:c@x", ""}),
                         xcap::Precondition::none);
  REQUIRE_FALSE(no_parent.ok());
  CHECK(no_parent.error().code() == Errc::xcap_conflict);
  CHECK(x.last_error().condition == "no-parent");
  const std::string anc = x.last_error().ancestor;  // the deepest ancestor that exists: the root element
  CHECK(anc.size() > 18);
  CHECK(anc.substr(anc.size() - 18) == "/~~/resource-lists");
  auto bad_frag = x.put(el, "<entry uri=\"sip:bob@example.test\"/><entry/>", xcap::Precondition::none);
  CHECK(x.last_error().condition == "not-xml-frag");
  (void)bad_frag;
  auto wrong = x.put(el, xcap::ResourceLists::entry_xml({"sip:someone-else@x", ""}), xcap::Precondition::none);
  REQUIRE_FALSE(wrong.ok());
  CHECK(x.last_error().condition == "cannot-insert");

  // Another user's tree is off limits.
  xcap::XcapClient mallory(hc, {p.root(), "sip:mallory@example.test", ""});
  auto peek = mallory.get(xcap::XcapUri::parse(p.root(), doc.to_string()).value());
  REQUIRE_FALSE(peek.ok());
  CHECK(peek.error().code() == Errc::xcap_forbidden);

  auto caps = x.caps();
  REQUIRE(caps.ok());
  CHECK(caps->body.find("<auid>resource-lists</auid>") != std::string::npos);
}

TEST_CASE("netsim xcap server: documents persist in a directory") {
  char tmpl[] = "/tmp/utkit-xcap-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  {
    Plain p;
    REQUIRE(p.xcap.persist_to(tmpl));
    http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
    xcap::XcapClient x(hc, {p.root(), kXui, ""});
    xcap::BuddyList buddies(x);
    REQUIRE(buddies.add({"sip:bob@example.test", "Bob"}).ok());
  }
  netsim::XcapServer again;
  REQUIRE(again.persist_to(tmpl));
  CHECK(again.document("resource-lists", kXui, "index").find("sip:bob@example.test") != std::string::npos);
  std::string cmd = std::string("rm -rf ") + tmpl;
  CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("buddy list: create the defaults, add, rename, move, remove") {
  Plain p;
  http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
  xcap::XcapClient x(hc, {p.root(), kXui, ""});
  xcap::BuddyList buddies(x);
  auto empty = buddies.entries();
  REQUIRE_MESSAGE(empty.ok(), empty.error().describe());
  CHECK(empty->empty());
  auto doc = buddies.document();
  REQUIRE(doc.ok());
  CHECK(doc->list_names().size() == 4);  // OMA defaults created on first use

  REQUIRE(buddies.add({"sip:bob@example.test", "Bob"}).ok());
  REQUIRE(buddies.add({"tel:+15550100", ""}).ok());
  REQUIRE(buddies.add({"sip:bob@example.test", "Bob"}).ok());  // idempotent
  auto two = buddies.entries();
  REQUIRE(two.ok());
  CHECK(two->size() == 2);
  REQUIRE(buddies.rename("sip:bob@example.test", "Robert").ok());
  CHECK(buddies.entries()->at(0).display_name == "Robert");
  REQUIRE(buddies.move("tel:+15550100", "oma_buddylist", "oma_blockedcontacts").ok());
  CHECK(buddies.entries()->size() == 1);
  CHECK(buddies.entries("oma_blockedcontacts")->size() == 1);
  REQUIRE(buddies.add({"sip:carol@example.test", "Carol"}, "work").ok());  // a new list on the fly
  CHECK(buddies.entries("work")->size() == 1);
  REQUIRE(buddies.remove("sip:bob@example.test").ok());
  REQUIRE(buddies.remove("sip:bob@example.test").ok());  // idempotent
  CHECK(buddies.entries()->empty());
  CHECK(buddies.rename("sip:nobody@x", "x").error().code() == Errc::xcap_not_found);
}

TEST_CASE("buddy list: list names and buddies with XML metacharacters round-trip; controls are refused") {
  Plain p;
  http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
  xcap::XcapClient x(hc, {p.root(), kXui, ""});
  xcap::BuddyList buddies(x);
  const std::string list = "work & \"friends\" <2>";
  auto added = buddies.add({"sip:dave@example.test", "Dave \"D\" <&>"}, list);
  REQUIRE_MESSAGE(added.ok(), added.error().describe());
  auto doc = buddies.document();
  REQUIRE(doc.ok());
  CHECK(doc->has_list(list));
  auto got = buddies.entries(list);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 1);
  CHECK(got->at(0).display_name == "Dave \"D\" <&>");
  // What XML 1.0 cannot carry is refused before anything is sent.
  hc.reset_stats();
  auto ctl = buddies.add({"sip:eve@example.test", "Eve\x01"});
  REQUIRE_FALSE(ctl.ok());
  CHECK(ctl.error().code() == Errc::invalid_argument);
  CHECK_FALSE(buddies.add({"sip:eve@example.test", "\xff"}).ok());
  CHECK(hc.stats().exchanges == 0);
}

TEST_CASE("xcap: put, delete, put again of a whole document; errors name the method") {
  Plain p;
  http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
  xcap::XcapClient x(hc, {p.root(), kXui, ""});
  auto doc = x.uri("resource-lists", "index");
  const std::string body = xcap::ResourceLists::with_lists({"friends"}).serialize();
  REQUIRE(x.put(doc, body).ok());
  REQUIRE(x.remove(doc).ok());
  CHECK_FALSE(x.etag(doc.document).has_value());  // the document is gone, and so is its ETag
  auto again = x.put(doc, body);
  REQUIRE_MESSAGE(again.ok(), again.error().describe());
  auto missing = x.get(x.uri("resource-lists", "nothing-here"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message().rfind("GET http", 0) == 0);
}

TEST_CASE("buddy list: one add costs one element PUT, whatever the list size") {
  Plain p;
  http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
  xcap::XcapClient x(hc, {p.root(), kXui, ""});
  xcap::BuddyList buddies(x);
  for (int i = 0; i < 200; ++i) REQUIRE(buddies.add({"sip:u" + std::to_string(i) + "@example.test", ""}).ok());
  hc.reset_stats();
  REQUIRE(buddies.add({"sip:one-more@example.test", "One More"}).ok());
  CHECK(hc.stats().exchanges == 1);
  CHECK(hc.stats().bytes_sent < 1000);
}

TEST_CASE("buddy list: two devices adding 100 buddies each, interleaved, lose nothing") {
  Plain p;
  std::vector<std::thread> devices;
  std::atomic<int> failures{0}, retries{0};
  std::mutex err_mu;
  std::string first_error;
  for (int d = 0; d < 2; ++d) {
    devices.emplace_back([&, d] {
      http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
      xcap::XcapClient x(hc, {p.root(), kXui, ""});
      xcap::BuddyConfig cfg;
      cfg.max_retries = 30;
      xcap::BuddyList buddies(x, cfg);
      for (int i = 0; i < 100; ++i) {
        auto r = buddies.add({"sip:d" + std::to_string(d) + "-" + std::to_string(i) + "@example.test", ""});
        if (!r) {
          ++failures;
          std::lock_guard<std::mutex> lock(err_mu);
          if (first_error.empty()) first_error = r.error().describe();
        }
      }
      retries += buddies.retries();
    });
  }
  for (auto& t : devices) t.join();
  CHECK_MESSAGE(failures == 0, first_error);
  http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
  xcap::XcapClient x(hc, {p.root(), kXui, ""});
  xcap::BuddyList buddies(x);
  auto all = buddies.entries();
  REQUIRE(all.ok());
  CHECK(all->size() == 200);
  MESSAGE("412 recoveries across both devices: " << retries.load());
}

namespace {
// The whole Ut path on loopback: BSF, NAF (TLS + GBA Digest), XCAP server,
// and on the handset a software USIM, GBA, TLS and the XCAP client.
struct Ut {
  ManualClock clock{std::chrono::system_clock::now()};
  std::unique_ptr<Random> random = posix::make_system_random().value();
  posix::ResolveOverrides resolve;
  posix::TcpTransportFactory tcp{&resolve};
  std::unique_ptr<netsim::Bsf> bsf;
  netsim::XcapServer xs;
  std::unique_ptr<netsim::Naf> naf;
  std::unique_ptr<aka::SoftUsim> usim;
  std::unique_ptr<gba::GbaClient> gba;
  std::shared_ptr<tls::TlsContext> tls;
  std::unique_ptr<http::HttpClient> http;
  std::unique_ptr<gba::NafCredentials> creds;
  std::unique_ptr<xcap::XcapClient> xcap;

  Ut() {
    auto auc = netsim::Auc::from_json(R"({"subscribers":[{"impi":"001010000000001@ims.mnc001.mcc001.3gppnetwork.org",
      "k":"465b5ce8b199b49faa5f0a2ee238a6bc","opc":"cd63cb71954a9f4e48a5994e37a02baf","amf":"8000"}]})").value();
    bsf = netsim::Bsf::start({}, std::move(auc), clock, *random).value();
    (void)resolve.add("bsf.example.test:" + std::to_string(bsf->port()), "127.0.0.1");
    netsim::Naf::Options no;
    no.server.cert_file = pki("good.pem");
    no.server.key_file = pki("good.key");
    naf = netsim::Naf::start(no, *bsf, xs).value();
    (void)resolve.add("naf.example.test:" + std::to_string(naf->port()), "127.0.0.1");

    aka::SoftUsimConfig uc;
    uc.k = secret_from_hex("465b5ce8b199b49faa5f0a2ee238a6bc").value();
    uc.opc = secret_from_hex("cd63cb71954a9f4e48a5994e37a02baf").value();
    uc.imsi = "001010000000001";
    uc.mnc_length = 2;
    usim = aka::SoftUsim::create(std::move(uc), nullptr).value();
    gba::GbaConfig gc;
    gc.bsf_url = "http://bsf.example.test:" + std::to_string(bsf->port()) + "/";
    gba = gba::GbaClient::create(gc, *usim, tcp, *random, clock, nullptr, nullptr, nullptr).value();
    tls::TlsConfig tc;
    tc.trust.ca_file = pki("ca.pem");
    tls = tls::TlsContext::create(tc, *random, clock).value();
    http::HttpClientOptions ho;
    ho.user_agent = "utkit-test 3gpp-gba";  // a GBA client says so on Ua (the NAF refuses others)
    http = std::make_unique<http::HttpClient>(tcp, *random, clock, tls, ho);
    creds = std::make_unique<gba::NafCredentials>(*gba);
    http->set_credentials(creds.get());
    xcap = std::make_unique<xcap::XcapClient>(
        *http, xcap::XcapConfig{"https://naf.example.test:" + std::to_string(naf->port()) + "/xcap-root", kXui, ""});
  }
};
}  // namespace

TEST_CASE("xcap over Ut: TLS, GBA Digest at the NAF, asserted identity") {
  Ut ut;
  xcap::BuddyList buddies(*ut.xcap);
  REQUIRE_MESSAGE(buddies.add({"sip:bob@example.test", "Bob"}).ok(), "add over Ut");
  auto e = buddies.entries();
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK(e->at(0).uri == "sip:bob@example.test");
  CHECK(ut.gba->stats().bootstraps == 1);
  CHECK(ut.http->stats().tls_full == 1);
  CHECK(ut.xs.document("resource-lists", kXui, "index").find("sip:bob@example.test") != std::string::npos);

  // Another user's documents, through the proxy: the asserted identity is the caller's.
  xcap::XcapClient mallory(*ut.http, {"https://naf.example.test:" + std::to_string(ut.naf->port()) + "/xcap-root",
                                      "sip:bob@example.test", kXui});
  CHECK(mallory.get(mallory.uri("resource-lists", "index")).error().code() == Errc::xcap_forbidden);
}

TEST_CASE("xcap over Ut: the operator demands re-authentication, then refuses the B-TID") {
  Ut ut;
  xcap::BuddyList buddies(*ut.xcap);
  REQUIRE(buddies.add({"sip:bob@example.test", ""}).ok());
  const auto auths = ut.naf->authentications();

  ut.naf->demand_reauthentication();  // every nonce goes stale: same credentials, new nonce
  REQUIRE(buddies.add({"sip:carol@example.test", ""}).ok());
  CHECK(ut.gba->stats().bootstraps == 1);
  CHECK(ut.naf->authentications() > auths);

  ut.naf->refuse_known_btids();  // the NAF no longer accepts the B-TID: bootstrap again, once
  REQUIRE(buddies.add({"sip:dave@example.test", ""}).ok());
  CHECK(ut.gba->stats().bootstraps == 2);
  auto all = buddies.entries();
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
}

TEST_CASE("watcher rules: OMA lists and IETF identity rules, rls-services") {
  Plain p;
  http::HttpClient hc(p.tcp, *p.random, p.clock, nullptr);
  xcap::XcapClient x(hc, {p.root(), kXui, ""});
  SUBCASE("OMA: allow and block move the watcher between the OMA lists") {
    xcap::WatcherRules rules(x, xcap::XcapProfile::oma());
    REQUIRE_MESSAGE(rules.allow("sip:bob@example.test").ok(), "allow");
    xcap::BuddyList lists(x);
    CHECK(lists.entries("oma_grantedcontacts")->size() == 1);
    REQUIRE(rules.block("sip:bob@example.test").ok());
    CHECK(lists.entries("oma_grantedcontacts")->empty());
    CHECK(lists.entries("oma_blockedcontacts")->size() == 1);
    auto r = rules.rules();
    REQUIRE(r.ok());
    CHECK(r->find("wp_prs_blockedcontacts") != nullptr);
    CHECK(p.xcap.document("org.openmobilealliance.pres-rules", kXui, "pres-rules").find("wp_prs_allow_own") !=
          std::string::npos);
  }
  SUBCASE("IETF: one rule per watcher, the last decision wins") {
    xcap::WatcherRules rules(x, xcap::XcapProfile::ietf());
    REQUIRE_MESSAGE(rules.allow("sip:bob@example.test").ok(), "allow");
    REQUIRE(rules.polite_block("sip:eve@example.test").ok());
    auto r = rules.rules();
    REQUIRE(r.ok());
    CHECK(r->decision_for("sip:bob@example.test") == xcap::SubHandling::allow);
    CHECK(r->decision_for("sip:eve@example.test") == xcap::SubHandling::polite_block);
    REQUIRE(rules.block("sip:bob@example.test").ok());
    CHECK(rules.rules()->decision_for("sip:bob@example.test") == xcap::SubHandling::block);
    CHECK(rules.rules()->rules().size() == 2);
    REQUIRE(rules.set_domain("example.test", xcap::SubHandling::confirm).ok());
    CHECK(rules.rules()->decision_for("sip:zed@example.test") == xcap::SubHandling::confirm);
    CHECK(rules.rules()->decision_for("sip:eve@example.test") == xcap::SubHandling::polite_block);
  }
  SUBCASE("rls-services: the buddy-list service, created once") {
    xcap::WatcherRules rules(x);
    auto s = rules.ensure_buddy_service();
    REQUIRE_MESSAGE(s.ok(), s.error().describe());
    CHECK(s->uri == kXui + ";pres-list=oma_buddylist");
    REQUIRE(rules.ensure_buddy_service().ok());
    REQUIRE(rules.ensure_buddy_service("work").ok());
    auto doc = xcap::parse_rls_services(p.xcap.document("rls-services", kXui, "index"));
    REQUIRE(doc.ok());
    CHECK(doc->size() == 2);
  }
  SUBCASE("xcap-caps discovery") {
    auto c = x.caps();
    REQUIRE(c.ok());
    auto caps = xcap::parse_xcap_caps(c->body);
    CHECK(caps.parsed);
    CHECK(caps.supports("resource-lists"));
  }
}

// A server that refuses every write with 412: the retries back off, and the
// operation's cancel flag and deadline end them.
TEST_CASE("buddy list: retries after 412 back off and stop at the deadline or on cancel") {
  std::atomic<int> puts{0};
  netsim::StreamServer::Options o;
  o.tls = false;
  auto server = netsim::HttpServer::start(o, [&](const netsim::HttpRequest& r) {
                  if (r.method == "PUT") {
                    ++puts;
                    return netsim::HttpReply::text(412, "");
                  }
                  auto rep = netsim::HttpReply::text(
                      200, "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"oma_buddylist\"/>"
                           "</resource-lists>", "application/resource-lists+xml");
                  rep.headers.add("ETag", "\"e" + std::to_string(puts.load()) + "\"");
                  return rep;
                }).value();
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();
  posix::TcpTransportFactory tcp;
  http::HttpClient hc(tcp, *random, clock, nullptr);
  xcap::XcapClient x(hc, {"http://127.0.0.1:" + std::to_string(server->port()) + "/xcap-root", kXui, ""});
  xcap::BuddyConfig bc;
  bc.max_retries = 50;
  bc.backoff_base = 100ms;
  bc.backoff_max = 400ms;
  xcap::BuddyList buddies(x, bc);
  SUBCASE("deadline") {
    x.set_limits({std::chrono::steady_clock::now() + 800ms, nullptr});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = buddies.add({"sip:bob@example.test", "Bob"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::net_timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 2000ms);
    CHECK(puts.load() < 20);  // paced, not 50 PUTs in a burst
  }
  SUBCASE("cancel") {
    CancelToken cancel;
    x.set_limits({std::nullopt, &cancel});
    std::thread canceller([&] {
      std::this_thread::sleep_for(300ms);
      cancel.fire();
    });
    auto r = buddies.add({"sip:bob@example.test", "Bob"});
    canceller.join();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::cancelled);
  }
}

// A restarted app: a new client with no ETag and no document in memory.
// Adding, removing and renaming a buddy is one request each, with no read.
TEST_CASE("buddy list: from a new process, add, remove and rename are one request each, with no read") {
  netsim::XcapServer xs;
  std::mutex mu;
  std::vector<std::string> seen;  // "METHOD target" of every request
  netsim::StreamServer::Options o;
  o.tls = false;
  auto server = netsim::HttpServer::start(o, [&](const netsim::HttpRequest& r) {
                  {
                    std::lock_guard<std::mutex> lock(mu);
                    seen.push_back(r.method + " " + r.target);
                  }
                  return xs.handle(r, kXui);
                }).value();
  const std::string root = "http://127.0.0.1:" + std::to_string(server->port()) + "/xcap-root";
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();
  posix::TcpTransportFactory tcp;
  auto requests = [&] {
    std::lock_guard<std::mutex> lock(mu);
    auto out = seen;
    seen.clear();
    return out;
  };
  {
    // First use ever: the document does not exist; the add creates it.
    http::HttpClient hc(tcp, *random, clock, nullptr);
    xcap::XcapClient x(hc, {root, kXui, ""});
    xcap::BuddyList b(x);
    REQUIRE(b.add({"sip:bob@example.test", "Bob"}).ok());
    auto first = requests();
    CHECK(first.size() == 4);  // PUT entry (404), GET document (404), PUT document, PUT entry
    CHECK(first.front().rfind("PUT ", 0) == 0);
  }
  auto fresh = [&](auto&& op) {
    http::HttpClient hc(tcp, *random, clock, nullptr);
    xcap::XcapClient x(hc, {root, kXui, ""});
    xcap::BuddyList b(x);
    auto r = op(b);
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    CHECK(hc.stats().exchanges == 1);
    return requests();
  };
  auto add = fresh([](xcap::BuddyList& b) { return b.add({"sip:carol@example.test", "Carol"}); });
  REQUIRE(add.size() == 1);
  CHECK(add[0].rfind("PUT ", 0) == 0);
  CHECK(add[0].find("entry%5B@uri=%22sip:carol@example.test%22%5D") != std::string::npos);
  auto rename = fresh([](xcap::BuddyList& b) { return b.rename("sip:bob@example.test", "Robert"); });
  REQUIRE(rename.size() == 1);
  CHECK(rename[0].rfind("PUT ", 0) == 0);
  CHECK(rename[0].find("display-name") != std::string::npos);
  auto remove = fresh([](xcap::BuddyList& b) { return b.remove("sip:carol@example.test"); });
  REQUIRE(remove.size() == 1);
  CHECK(remove[0].rfind("DELETE ", 0) == 0);
  auto again = fresh([](xcap::BuddyList& b) { return b.remove("sip:carol@example.test"); });  // 404: gone already
  CHECK(again.size() == 1);
  // The document says what the requests did.
  http::HttpClient hc(tcp, *random, clock, nullptr);
  xcap::XcapClient x(hc, {root, kXui, ""});
  xcap::BuddyList b(x);
  auto entries = b.entries();
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK(entries->at(0).uri == "sip:bob@example.test");
  CHECK(entries->at(0).display_name == "Robert");
  // Renaming a buddy that is not there creates nothing.
  CHECK(b.rename("sip:nobody@example.test", "X").error().code() == Errc::xcap_not_found);
  CHECK(b.entries()->size() == 1);
}
