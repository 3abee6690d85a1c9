// UtSession end to end on loopback: BSF + NAF (TLS, GBA Digest) + XCAP
// server from netsim; software USIM on the handset.
#include <doctest/doctest.h>

#include <cstdlib>
#include <thread>

#include "ut_network.hpp"
#include "bsf.hpp"
#include "naf.hpp"
#include "xcap_server.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/operator_profile.hpp"
#include "utkit/ut/session.hpp"

#include <mbedtls/sha256.h>

using namespace utkit;
using namespace std::chrono_literals;

using testsupport::kXui;
using testsupport::Network;
using testsupport::pki;


TEST_CASE("ut session: cold start, buddies, rules, raw XCAP") {
  Network net;
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform());
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  auto& ut = *s.value();
  CHECK(ut.xui() == kXui);  // from the USIM's IMPUs
  auto empty = ut.buddies();
  REQUIRE_MESSAGE(empty.ok(), empty.error().describe());
  CHECK(empty->empty());
  CHECK(ut.stats().gba.bootstraps == 1);
  CHECK(ut.tls_info()->suite_id == 0x002F);
  // TS 24.109: the UE announces GBA on Ua too, not only on Ub.
  CHECK(net.naf->last_user_agent().find("3gpp-gba") != std::string::npos);

  REQUIRE(ut.add_buddy({"sip:bob@example.test", "Bob"}).ok());
  REQUIRE(ut.add_buddy({"sip:carol@example.test", "Carol"}).ok());
  REQUIRE(ut.remove_buddy("sip:bob@example.test").ok());
  auto one = ut.buddies();
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK(one->at(0).uri == "sip:carol@example.test");
  REQUIRE(ut.allow("sip:carol@example.test").ok());
  REQUIRE(ut.block("sip:mallory@example.test").ok());
  CHECK(ut.buddies("oma_blockedcontacts")->size() == 1);

  auto el = ut.xcap_get("resource-lists/index/~~/resource-lists/list[@name=\"oma_buddylist\"]/entry[1]");
  REQUIRE_MESSAGE(el.ok(), el.error().describe());
  CHECK(el->body.find("sip:carol@example.test") != std::string::npos);
  REQUIRE(ut.xcap_put("resource-lists/index/~~/resource-lists/list[@name=\"oma_buddylist\"]/entry[@uri=\"sip:dan@x\"]",
                      "<entry xmlns=\"urn:ietf:params:xml:ns:resource-lists\" uri=\"sip:dan@x\"/>").ok());
  CHECK(ut.buddies()->size() == 2);
  REQUIRE(ut.xcap_delete("resource-lists/index/~~/resource-lists/list[@name=\"oma_buddylist\"]/entry[@uri=\"sip:dan@x\"]").ok());
  CHECK(ut.uri_for("nonsense").error().code() == Errc::xcap_bad_selector);
  CHECK(ut.stats().gba.bootstraps == 1);
}

TEST_CASE("ut session: a kept-alive warm operation is one round trip") {
  Network net;
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  REQUIRE(s->buddies().ok());
  s->reset_stats();
  REQUIRE(s->buddies().ok());
  CHECK(s->stats().naf.round_trips() == 1);
}

TEST_CASE("ut session: with a store and a key, the next run resumes TLS and reuses the bootstrap") {
  Network net;
  MemoryKeyValueStore store;
  auto key = std::make_shared<const SecretBytes>(ByteView::of("0123456789abcdef0123456789abcdef"));
  ut::Platform p{net.tcp, *net.random, net.clock, &store, nullptr};
  {
    auto c = net.config(*net.naf);
    c.tls_session_key = key;
    auto first = ut::UtSession::create(c, *net.usim, p).value();
    REQUIRE(first->buddies().ok());
    CHECK(first->stats().naf.tls_full == 1);
  }
  auto c = net.config(*net.naf);
  c.tls_session_key = key;
  auto second = ut::UtSession::create(c, *net.usim, p).value();  // a restarted app
  REQUIRE(second->buddies().ok());
  CHECK(second->stats().naf.tls_resumed == 1);
  CHECK(second->stats().gba.loaded_from_store == 1);
  CHECK(second->stats().gba.bootstraps == 0);
}

// A restarted app with its state on disk: TCP + resumed TLS + one HTTP
// exchange per change (3 RTT), the Digest state (never a key) coming from the
// store; a nonce the NAF retired costs one 401, as with any cached nonce.
TEST_CASE("ut session: a restarted app answers the NAF from its stored Digest state: one exchange per change") {
  Network net;
  const ut::Platform p = net.disk_platform();
  auto config = [&] { return net.disk_config(); };
  {
    auto first = ut::UtSession::create(config(), *net.usim, p).value();
    REQUIRE(first->add_buddy({"sip:bob@example.test", "Bob"}).ok());
  }
  for (const char* op : {"add", "rename", "remove"}) {
    CAPTURE(op);
    auto s = ut::UtSession::create(config(), *net.usim, p).value();  // a new process
    Result<void> r = std::string(op) == "add"      ? s->add_buddy({"sip:carol@example.test", "Carol"})
                     : std::string(op) == "rename" ? s->rename_buddy("sip:bob@example.test", "Robert")
                                                   : s->remove_buddy("sip:carol@example.test");
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    const auto st = s->stats();
    CHECK(st.naf.tcp_connects == 1);
    CHECK(st.naf.tls_resumed == 1);
    CHECK(st.naf.exchanges == 1);       // no 401, no read
    CHECK(st.naf.preemptive_auth == 1);
    CHECK(st.naf.round_trips() == 3);
    CHECK(st.gba.bootstraps == 0);
  }
  // The NAF retires its nonces: one 401 (stale), then the change.
  net.naf->demand_reauthentication();
  auto s = ut::UtSession::create(config(), *net.usim, p).value();
  REQUIRE(s->add_buddy({"sip:dave@example.test", "Dave"}).ok());
  CHECK(s->stats().naf.exchanges == 2);
  CHECK(s->stats().gba.bootstraps == 0);
  // Another B-TID since (a new bootstrap): the old state is not used.
  REQUIRE(s->bootstrap(true).ok());
  auto t = ut::UtSession::create(config(), *net.usim, p).value();
  REQUIRE(t->buddies().ok());
  CHECK(t->stats().naf.preemptive_auth == 0);
}

TEST_CASE("ut session: sessions to two NAFs share one bootstrap across threads") {
  Network net;
  netsim::XcapServer second_xcap;
  auto naf2 = net.start_naf(second_xcap);
  auto first = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  auto second = ut::UtSession::create(net.config(*naf2), *net.usim, net.platform(), first->gba()).value();
  std::atomic<int> failures{0};
  std::thread a([&] {
    for (int i = 0; i < 5; ++i) failures += first->add_buddy({"sip:a" + std::to_string(i) + "@x", ""}).ok() ? 0 : 1;
  });
  std::thread b([&] {
    for (int i = 0; i < 5; ++i) failures += second->add_buddy({"sip:b" + std::to_string(i) + "@x", ""}).ok() ? 0 : 1;
  });
  a.join();
  b.join();
  CHECK(failures == 0);
  CHECK(first->gba()->stats().bootstraps == 1);
  CHECK(first->buddies()->size() == 5);
  CHECK(second->buddies()->size() == 5);
}

TEST_CASE("ut session: a forged network stops a cold start with the real reason") {
  Network net;
  net.bsf->set_fault(netsim::Bsf::Fault::bad_mac);
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  auto r = s->buddies();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::gba_network_not_authentic);
}

TEST_CASE("ut session: deadlines and cancellation") {
  Network net;
  netsim::StreamServer::Options o;
  o.tls = false;
  auto slow = netsim::HttpServer::start(o, [](const netsim::HttpRequest&) {
                auto r = netsim::HttpReply::text(200, "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>");
                r.delay = 1500ms;
                return r;
              }).value();
  ut::UtConfig c = net.config(*net.naf);
  c.xcap_root = "http://127.0.0.1:" + std::to_string(slow->port()) + "/xcap-root";
  auto s = ut::UtSession::create(c, *net.usim, net.platform()).value();
  auto t0 = std::chrono::steady_clock::now();
  auto timed = s->buddies({}, ut::OpLimits{300ms, nullptr});
  REQUIRE_FALSE(timed.ok());
  CHECK(timed.error().code() == Errc::net_timeout);
  CHECK(std::chrono::steady_clock::now() - t0 < 1200ms);

  CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel.fire();
  });
  t0 = std::chrono::steady_clock::now();
  auto cancelled = s->buddies({}, ut::OpLimits{std::nullopt, &cancel});
  canceller.join();
  REQUIRE_FALSE(cancelled.ok());
  CHECK(cancelled.error().code() == Errc::cancelled);
  CHECK(std::chrono::steady_clock::now() - t0 < 1200ms);
}

// A BSF that accepts the connection and never answers: the operation's
// deadline and cancel flag must end a cold start, not the (long) Ub timeout.
TEST_CASE("ut session: a deadline or a cancel stops a cold start stuck at a silent BSF") {
  Network net;
  netsim::StreamServer::Options o;
  o.tls = false;
  auto silent = netsim::HttpServer::start(o, [](const netsim::HttpRequest&) {
                  auto r = netsim::HttpReply::text(503, "late");
                  r.delay = 2500ms;
                  return r;
                }).value();
  ut::UtConfig c = net.config(*net.naf);
  c.gba.bsf_url = "http://127.0.0.1:" + std::to_string(silent->port()) + "/";
  c.gba.timeout = 60000ms;
  SUBCASE("deadline") {
    auto s = ut::UtSession::create(c, *net.usim, net.platform()).value();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = s->buddies({}, ut::OpLimits{700ms, nullptr});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::net_timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 3000ms);  // not the 60 s Ub timeout
  }
  SUBCASE("cancel") {
    auto s = ut::UtSession::create(c, *net.usim, net.platform()).value();
    CancelToken cancel;
    std::thread canceller([&] {
      std::this_thread::sleep_for(300ms);
      cancel.fire();
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto r = s->buddies({}, ut::OpLimits{1000ms, &cancel});
    canceller.join();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::cancelled);
    CHECK(std::chrono::steady_clock::now() - t0 < 3000ms);
  }
  SUBCASE("sequential cold start (no concurrent bootstrap) honours the deadline too") {
    c.concurrent_bootstrap = false;
    auto s = ut::UtSession::create(c, *net.usim, net.platform()).value();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = s->buddies({}, ut::OpLimits{700ms, nullptr});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::net_timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 3000ms);
  }
}

TEST_CASE("ut session: a NAF that refuses the cached B-TID with a bare 401 gets a new bootstrap, once") {
  Network net;
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  REQUIRE(s->buddies().ok());
  const std::string first = s->gba()->current()->btid;
  net.naf->set_bare_401(true);
  net.naf->refuse_known_btids();
  auto again = s->buddies();
  REQUIRE_MESSAGE(again.ok(), again.error().describe());
  CHECK(s->gba()->current()->btid != first);
  CHECK(s->stats().gba.bootstraps == 2);
}

// Whatever is in the stored Digest record (damaged, edited, from another
// version), a session starts, works and writes a good one again.
TEST_CASE("ut session: a damaged stored Digest record is dropped, never trusted or fatal") {
  Network net;
  MemoryKeyValueStore store;
  ut::Platform p{net.tcp, *net.random, net.clock, &store, nullptr};
  auto c = net.config(*net.naf);
  {
    auto first = ut::UtSession::create(c, *net.usim, p).value();
    REQUIRE(first->buddies().ok());
  }
  const std::string origin = http::parse_url(c.xcap_root).value().origin();
  unsigned char d[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(origin.data()), origin.size(), d, 0);
  const std::string key = "naf-digest-" + to_hex(ByteView(d, 8));
  const std::string good(store.get(key).value().view().as_string());
  REQUIRE(good.find("challenge Digest") != std::string::npos);
  {
    // The same lines, "saved" last and no final newline: still ours, used, and
    // rewriting it later must not trip over the missing newline.
    const auto a = good.find("\nsaved ");
    const auto b = good.find('\n', a + 1);
    std::string reordered = good.substr(0, a) + good.substr(b);
    reordered.pop_back();
    reordered += "\n" + good.substr(a + 1, b - a - 1);
    REQUIRE(store.put(key, ByteView::of(reordered)).ok());
    auto s = ut::UtSession::create(c, *net.usim, p).value();
    REQUIRE(s->buddies().ok());
    CHECK(s->stats().naf.preemptive_auth == 1);
    REQUIRE(s->add_buddy({"sip:x@example.test", "X"}).ok());
  }
  const std::string no_newline = good.substr(0, good.find("\nsaved ")) + "\nsaved 1";
  // Well-formed, but its challenge is one the credentials cannot answer (the
  // realm edited away from 3GPP-bootstrapping@...): forgotten, not fatal.
  std::string foreign_realm = good;
  const auto realm_at = foreign_realm.find("3GPP-bootstrapping@");
  REQUIRE(realm_at != std::string::npos);
  foreign_realm.replace(realm_at, 19, "elsewhere@");
  for (const std::string& bad : {foreign_realm, no_newline, good + "nc 5\n", good + "extra line\n",
                                 std::string("utkit-naf-digest 1\nnc 99999999999999999999\n"), std::string("\xff\x00"),
                                 std::string()}) {
    REQUIRE(store.put(key, ByteView::of(bad)).ok());
    auto s = ut::UtSession::create(c, *net.usim, p);
    REQUIRE(s.ok());
    auto r = s.value()->buddies();
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    CHECK(s.value()->stats().naf.preemptive_auth == 0);  // the record was not used
    auto again = store.get(key);
    REQUIRE(again.ok());
    CHECK(again->view().as_string().rfind("utkit-naf-digest 1\norigin ", 0) == 0);  // a good one again
  }
}

// Issue 12, reads: a restarted app keeps the buddy-list document with its
// ETag; listing an unchanged list is one conditional GET answered by a 304
// without a body, and a change anywhere (another device) brings the new body.
TEST_CASE("ut session: a restarted app lists an unchanged buddy list with a 304 and no body") {
  Network net;
  const ut::Platform p = net.disk_platform();
  auto config = [&] { return net.disk_config(); };
  // 500 entries (about 40 KB), seeded straight into the server.
  std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<resource-lists "
                    "xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"oma_buddylist\">";
  for (int i = 0; i < 500; ++i) {
    doc += "<entry uri=\"sip:b" + std::to_string(i) + "@example.test\"><display-name>B " + std::to_string(i) +
           "</display-name></entry>";
  }
  doc += "</list></resource-lists>\n";
  netsim::HttpRequest seed;
  seed.method = "PUT";
  seed.target = "/xcap-root/resource-lists/users/" + kXui + "/index";
  seed.headers.add("Content-Type", "application/resource-lists+xml");
  seed.body = doc;
  REQUIRE(net.xcap.handle(seed, kXui).status == 201);

  auto list_in_new_process = [&](ut::UtConfig c) {
    auto s = ut::UtSession::create(std::move(c), *net.usim, p).value();
    std::size_t n = 0;
    std::string last;
    auto r = s->for_each_buddy([&](std::string_view uri, std::string_view) {
      ++n;
      last = std::string(uri);
    });
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    return std::make_tuple(n, last, s->stats().naf, s->cache_stats());
  };
  {
    auto [n, last, st, cache] = list_in_new_process(config());  // the first run: 200, kept
    CHECK(n == 500);
    CHECK(st.bytes_received > doc.size());
    CHECK(cache.saves == 1);
    CHECK(cache.hits == 0);
  }
  {
    auto [n, last, st, cache] = list_in_new_process(config());  // restarted: 304
    CHECK(n == 500);
    CHECK(last == "sip:b499@example.test");
    CHECK(cache.hits == 1);
    CHECK(st.exchanges == 1);
    CHECK(st.round_trips() == 3);        // TCP, resumed TLS, one conditional GET
    CHECK(st.bytes_received < 2000);     // no body
  }
  // Another device adds a buddy: the ETag changes, the new body comes back.
  {
    auto other = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
    REQUIRE(other->add_buddy({"sip:new@example.test", "New"}).ok());
  }
  {
    auto [n, last, st, cache] = list_in_new_process(config());
    CHECK(n == 501);
    CHECK(last == "sip:new@example.test");
    CHECK(cache.hits == 0);
    CHECK(cache.saves == 1);
    CHECK(st.bytes_received > doc.size());
  }
  // A change made by this app (one element DELETE) also changes the ETag:
  // the kept copy (501 entries) is not served, the new document replaces it.
  {
    auto s = ut::UtSession::create(config(), *net.usim, p).value();
    REQUIRE(s->remove_buddy("sip:new@example.test").ok());
  }
  {
    auto [n, last, st, cache] = list_in_new_process(config());
    CHECK(n == 500);
    CHECK(cache.hits == 0);
    CHECK(cache.saves == 1);
  }
  // Without a cache (document_cache_max = 0): never If-None-Match.
  {
    auto c = config();
    c.document_cache_max = 0;
    auto [n, last, st, cache] = list_in_new_process(c);
    CHECK(n == 500);
    CHECK(cache.loads == 0);
    CHECK(st.bytes_received > doc.size());
  }
}

// ---- MMTel supplementary services (simservs) over Ut ----

namespace {
std::string simservs_doc(Network& net) { return net.xcap.document("simservs.ngn.etsi.org", kXui, "simservs.xml"); }
}  // namespace

TEST_CASE("ut session: forward on no reply to voicemail after 25 s, restrict caller ID, then show") {
  Network net;
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  auto before = s->supplementary_services();
  REQUIRE_MESSAGE(before.ok(), before.error().describe());
  CHECK(before->no_reply_timer() == 20);
  CHECK_FALSE(before->forwarding(xcap::ForwardCondition::no_reply)->enabled);
  const std::size_t changes = net.xcap.changes();

  xcap::ForwardingChange cf;
  cf.condition = xcap::ForwardCondition::no_reply;
  cf.target = "sip:voicemail@example.test";
  cf.no_reply_timer = 25;
  auto after = s->set_call_forwarding(cf);
  REQUIRE_MESSAGE(after.ok(), after.error().describe());
  CHECK(net.xcap.changes() == changes + 2);  // the timer, then the operator's rule: two element PUTs
  // What the server now holds: the operator's own rule (its id), active, with
  // the target; its other rules and its extension element untouched.
  auto server = xcap::Simservs::parse(simservs_doc(net));
  REQUIRE(server.ok());
  auto nr = server->forwarding(xcap::ForwardCondition::no_reply);
  REQUIRE(nr.has_value());
  CHECK(nr->id == "mtas-cfnr");
  CHECK(nr->enabled);
  CHECK(nr->target == "sip:voicemail@example.test");
  CHECK(server->no_reply_timer() == 25);
  CHECK(server->forwarding_rules().size() == 4);
  CHECK(simservs_doc(net).find("mtas:service-profile") != std::string::npos);
  CHECK(simservs_doc(net).find("ss:notify-caller") != std::string::npos);

  REQUIRE(s->set_caller_id_restriction(true).ok());
  CHECK(xcap::Simservs::parse(simservs_doc(net))->restricted(xcap::Service::oir) == true);
  REQUIRE(s->set_call_waiting(false).ok());
  CHECK_FALSE(xcap::Simservs::parse(simservs_doc(net))->state(xcap::Service::communication_waiting).active);
  // TIP off, and a TIR the operator has not provisioned.
  REQUIRE(s->set_service_active(xcap::Service::tip, false).ok());
  CHECK_FALSE(xcap::Simservs::parse(simservs_doc(net))->state(xcap::Service::tip).active);
  CHECK(s->set_presentation_restricted(xcap::Service::tir, true).error().code() == Errc::xcap_not_provisioned);
  // Incoming barring has an empty ruleset: a rule of ours is created.
  REQUIRE(s->set_call_barring(xcap::BarringCondition::anonymous, true).ok());
  auto acr = xcap::Simservs::parse(simservs_doc(net))->barring(xcap::BarringCondition::anonymous);
  REQUIRE(acr.has_value());
  CHECK(acr->enabled);
  // Switching forwarding off keeps the target for next time (rule-deactivated).
  xcap::ForwardingChange off;
  off.condition = xcap::ForwardCondition::no_reply;
  off.enable = false;
  REQUIRE(s->set_call_forwarding(off).ok());
  nr = xcap::Simservs::parse(simservs_doc(net))->forwarding(xcap::ForwardCondition::no_reply);
  CHECK_FALSE(nr->enabled);
  CHECK(nr->target == "sip:voicemail@example.test");
  // And the show the app displays is the server's document.
  auto shown = s->supplementary_services();
  REQUIRE(shown.ok());
  CHECK(shown->restricted(xcap::Service::oir) == true);
}

TEST_CASE("ut session: a refused supplementary-service change says why and changes nothing") {
  Network net;
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  REQUIRE(s->supplementary_services().ok());
  const std::string original = simservs_doc(net);
  // Checked locally: nothing sent, not even the read.
  const std::size_t requests = net.naf->requests();
  xcap::ForwardingChange cf;
  cf.condition = xcap::ForwardCondition::busy;
  cf.target = "http://example.test/";
  CHECK(s->set_call_forwarding(cf).error().code() == Errc::invalid_argument);
  cf.condition = xcap::ForwardCondition::no_reply;
  cf.target = "tel:+15550100";
  cf.no_reply_timer = 200;
  CHECK(s->set_call_forwarding(cf).error().code() == Errc::invalid_argument);
  CHECK(s->set_presentation_restricted(xcap::Service::oip, true).error().code() == Errc::invalid_argument);
  CHECK(net.naf->requests() == requests);
  // The server's own validation: a 409 whose phrase reaches the message.
  auto bad = s->xcap_put("simservs.ngn.etsi.org/simservs.xml/~~/simservs/communication-diversion/NoReplyTimer",
                         "<NoReplyTimer xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\">3</NoReplyTimer>");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == Errc::xcap_conflict);
  CHECK(bad.error().message().find("NoReplyTimer must be 5 to 180 seconds") != std::string::npos);
  // A service the subscription does not let the user change: 403.
  net.xcap.forbid_simservs_changes("communication-waiting");
  auto cw = s->set_call_waiting(false);
  REQUIRE_FALSE(cw.ok());
  CHECK(cw.error().code() == Errc::xcap_forbidden);
  CHECK(simservs_doc(net) == original);
}

TEST_CASE("ut session: a service the operator has not provisioned is its own error") {
  Network net;
  net.xcap.provision_simservs(kXui, "<simservs xmlns=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\">"
                                    "<communication-waiting active=\"true\"/></simservs>");
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  const std::size_t changes = net.xcap.changes();
  auto cb = s->set_call_barring(xcap::BarringCondition::all_outgoing, true);
  REQUIRE_FALSE(cb.ok());
  CHECK(cb.error().code() == Errc::xcap_not_provisioned);
  xcap::ForwardingChange cf;
  cf.target = "tel:+15550100";
  CHECK(s->set_call_forwarding(cf).error().code() == Errc::xcap_not_provisioned);
  CHECK(net.xcap.changes() == changes);
  CHECK(s->set_call_waiting(false).ok());  // what is provisioned still works
}

TEST_CASE("ut session: two devices changing different services at once lose neither change") {
  Network net;
  auto a = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  auto b = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  REQUIRE(a->supplementary_services().ok());
  REQUIRE(b->supplementary_services().ok());
  std::atomic<int> failures{0};
  std::thread ta([&] {
    for (int i = 0; i < 12; ++i) failures += a->set_call_waiting(i % 2 == 0).ok() ? 0 : 1;
  });
  std::thread tb([&] {
    for (int i = 0; i < 12; ++i) failures += b->set_caller_id_restriction(i % 2 == 0).ok() ? 0 : 1;
  });
  ta.join();
  tb.join();
  CHECK(failures == 0);
  auto doc = xcap::Simservs::parse(simservs_doc(net));
  REQUIRE(doc.ok());
  CHECK_FALSE(doc->state(xcap::Service::communication_waiting).active);  // the last of a's (i = 11: off)
  CHECK(doc->restricted(xcap::Service::oir) == false);                   // the last of b's
}

TEST_CASE("ut session: the NAF refuses Ua clients that do not announce 3gpp-gba; UtSession does") {
  Network net;
  auto s = ut::UtSession::create(net.config(*net.naf), *net.usim, net.platform()).value();
  REQUIRE(s->supplementary_services().ok());
  CHECK(net.naf->last_user_agent().find("3gpp-gba") != std::string::npos);
  tls::TlsConfig tc;
  tc.trust.ca_file = pki("ca.pem");
  auto tls = tls::TlsContext::create(tc, *net.random, net.clock).value();
  http::HttpClient plain(net.tcp, *net.random, net.clock, tls);  // User-Agent "utkit/<version>"
  xcap::XcapClient x(plain, {"https://naf.example.test:" + std::to_string(net.naf->port()) + "/xcap-root", kXui, ""});
  auto r = x.get(x.uri("simservs.ngn.etsi.org", "simservs.xml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::xcap_forbidden);
  CHECK(r.error().message().find("3gpp-gba") != std::string::npos);
}

TEST_CASE("ut session: an operator profile: prefix, extra header, bare identity, document writes, delete to disable") {
  Network net;
  netsim::XcapServer prefixed("/xcap-root/ut");  // the server wants a segment before the AUID
  auto naf = net.start_naf(prefixed);
  auto profile = ut::OperatorProfile::preset("document-writes").value();
  profile.xcap_root = "https://naf.example.test:" + std::to_string(naf->port()) + "/xcap-root";
  profile.auid_prefix = "ut";
  profile.headers = {{"X-Operator-Client", "utkit-handset"}};
  ut::UtConfig c = net.config(*naf);
  auto id = net.usim->identity().value();
  REQUIRE(ut::apply(profile, id, c).ok());
  CHECK(c.xcap_root.substr(c.xcap_root.size() - 13) == "/xcap-root/ut");
  auto s = ut::UtSession::create(c, *net.usim, net.platform());
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  auto& ut = *s.value();

  xcap::ForwardingChange cf;
  cf.condition = xcap::ForwardCondition::busy;
  cf.target = "+1 555 0100";  // a number as the user typed it: E.164 tel: per the profile
  auto r = ut.set_call_forwarding(cf);
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(naf->last_header("X-Operator-Client") == "utkit-handset");
  CHECK(naf->last_header("X-3GPP-Intended-Identity") == kXui);  // bare, no quotes
  CHECK(naf->last_header("Content-Type") == "application/vnd.etsi.simservs+xml");  // the whole document
  const std::string stored = prefixed.document("simservs.ngn.etsi.org", kXui, "simservs.xml");
  auto doc = xcap::Simservs::parse(stored);
  REQUIRE(doc.ok());
  CHECK(doc->forwarding(xcap::ForwardCondition::busy)->target == "tel:+15550100");
  CHECK(doc->forwarding(xcap::ForwardCondition::busy)->enabled);
  CHECK(stored.find("mtas:service-profile") != std::string::npos);  // a document write keeps it too
  // Disabling deletes the operator's rule, as this profile says.
  cf.enable = false;
  REQUIRE(ut.set_call_forwarding(cf).ok());
  doc = xcap::Simservs::parse(prefixed.document("simservs.ngn.etsi.org", kXui, "simservs.xml"));
  REQUIRE(doc.ok());
  CHECK_FALSE(doc->forwarding(xcap::ForwardCondition::busy).has_value());
  CHECK(doc->forwarding(xcap::ForwardCondition::no_reply).has_value());  // the others stay
  // A header a profile must not smuggle in: refused when the session is made.
  profile.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  ut::UtConfig bad = net.config(*naf);
  REQUIRE(ut::apply(profile, id, bad).ok());
  CHECK(ut::UtSession::create(bad, *net.usim, net.platform()).error().code() == Errc::config_invalid);
}

TEST_CASE("ut session: a change its local checks refuse sends nothing, not even a cold start's bootstrap") {
  Network net;
  ut::UtConfig c = net.config(*net.naf);
  c.gba.bsf_url = "http://127.0.0.1:9/";  // nothing there: any bootstrap would fail with a network error
  auto s = ut::UtSession::create(c, *net.usim, net.platform()).value();
  auto r = s->add_buddy({"sip:\"mallory'@example.test", "M"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::xcap_bad_selector);  // the local error, not the BSF's
  CHECK(s->stats().gba.bootstraps == 0);
  CHECK(s->stats().naf.tcp_connects == 0);
  CHECK(net.bsf->requests() == 0);
}
