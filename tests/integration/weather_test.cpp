// Network weather: UtSession against netsim through a netsim::FaultProxy in
// front of the NAF (latency, bandwidth caps, stalls, drips, black holes,
// cuts, resets). Each case asserts the outcome — success within the
// deadline, or a clear error — and what the server holds afterwards (no
// lost or doubled change). Time bounds here are correctness bounds (a call
// must not outlive its deadline by more than a scheduling margin); figures
// per profile go to tests/bench (ut_bench), not into assertions.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "fault_proxy.hpp"
#include "ut_network.hpp"
#include "utkit/xcap/resource_lists.hpp"

using namespace utkit;
using namespace std::chrono_literals;
using testsupport::kXui;
using testsupport::Network;

namespace {

using Steady = std::chrono::steady_clock;

// The margin a call may take past its deadline: scheduling on a loaded
// 2-core machine, never the length of a network timeout.
constexpr auto kMargin = 1500ms;

struct Weathered {
  Network net;
  std::unique_ptr<netsim::FaultProxy> proxy = netsim::FaultProxy::start(net.naf->port()).value();
  ut::UtConfig config() { return net.config_via(proxy->port()); }
  std::unique_ptr<ut::UtSession> session(ut::UtConfig c) {
    auto s = ut::UtSession::create(std::move(c), *net.usim, net.platform());
    REQUIRE_MESSAGE(s.ok(), s.error().describe());
    return std::move(s).value();
  }
  std::string buddy_doc() { return net.xcap.document("resource-lists", kXui, "index"); }
  std::size_t entries_on_server() {
    auto doc = xcap::ResourceLists::parse(buddy_doc());
    if (!doc) return 0;
    auto e = doc->entries("oma_buddylist");
    return e ? e->size() : 0;
  }
};

}  // namespace

TEST_CASE("weather: a NAF that drips its answer a byte at a time cannot hold a call past its deadline") {
  Weathered w;
  ut::UtConfig c = w.config();
  c.http.reused_first_byte = 0ms;  // the drip sends its first byte at once anyway
  auto s = w.session(c);
  REQUIRE(s->add_buddy({"sip:bob@example.test", "Bob"}).ok());  // warm: TLS up, Digest answered
  w.proxy->set(netsim::Weather::named("drip"));

  SUBCASE("the operation's deadline") {
    const auto t0 = Steady::now();
    auto r = s->buddies({}, ut::OpLimits{1500ms, nullptr});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::net_timeout);
    CHECK(Steady::now() - t0 < 1500ms + kMargin);
  }
  SUBCASE("the I/O timeout, when the operation has no deadline of its own") {
    ut::UtConfig c2 = w.config();
    c2.http.io_timeout = 1500ms;
    c2.http.request_timeout = 120000ms;
    auto s2 = w.session(c2);
    w.proxy->set({});
    REQUIRE(s2->buddies().ok());
    w.proxy->set(netsim::Weather::named("drip"));
    const auto t0 = Steady::now();
    auto r = s2->buddies();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::net_timeout);
    CHECK(Steady::now() - t0 < 1500ms + kMargin);  // each record byte did not restart the timeout
  }
}

TEST_CASE("weather: a cancel ends a call blocked in a TLS read at once") {
  Weathered w;
  ut::UtConfig c = w.config();
  c.http.reused_first_byte = 0ms;
  auto s = w.session(c);
  REQUIRE(s->buddies().ok());
  w.proxy->black_hole_open();
  CancelToken cancel;
  std::atomic<long long> fired_at{0};
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    fired_at = Steady::now().time_since_epoch().count();
    cancel.fire();
  });
  auto r = s->buddies({}, ut::OpLimits{std::nullopt, &cancel});
  const auto returned = Steady::now().time_since_epoch().count();
  canceller.join();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::cancelled);
  CHECK(std::chrono::nanoseconds(returned - fired_at.load()) < 500ms);  // woken, not polled
}

TEST_CASE("weather: a black-holed kept-alive connection costs the first-byte window, not the timeout") {
  Weathered w;
  ut::UtConfig c = w.config();
  c.http.io_timeout = 20000ms;
  c.http.reused_first_byte = 400ms;
  auto s = w.session(c);
  REQUIRE(s->add_buddy({"sip:bob@example.test", "Bob"}).ok());
  REQUIRE(w.proxy->connections() == 1);
  w.proxy->black_hole_open();  // the NAT forgot the mapping: no FIN, no RST
  const auto t0 = Steady::now();
  auto r = s->buddies();
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->size() == 1);
  CHECK(Steady::now() - t0 < 400ms + kMargin);  // not the 20 s I/O timeout
  CHECK(w.proxy->connections() == 2);
  CHECK(s->stats().naf.tls_resumed >= 1);  // the new connection resumed TLS
}

TEST_CASE("weather: network_changed ends a blocked call with net.changed; the next call opens a new connection") {
  Weathered w;
  std::atomic<int> hooked{0};
  posix::TcpTransportFactory tcp(&w.net.resolve, [&](int) -> Result<void> {
    ++hooked;
    return success();
  });
  ut::UtConfig c = w.config();
  c.http.reused_first_byte = 0ms;
  auto made = ut::UtSession::create(c, *w.net.usim, ut::Platform{tcp, *w.net.random, w.net.clock, nullptr, nullptr});
  REQUIRE(made.ok());
  auto& s = *made.value();
  REQUIRE(s.buddies().ok());
  const int hooks_before = hooked.load();
  w.proxy->black_hole_open();
  std::thread mover([&] {
    std::this_thread::sleep_for(300ms);
    s.network_changed();
  });
  const auto t0 = Steady::now();
  auto r = s.buddies();
  mover.join();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_changed);
  CHECK(Steady::now() - t0 < 300ms + kMargin);
  auto again = s.buddies();
  REQUIRE_MESSAGE(again.ok(), again.error().describe());
  CHECK(hooked.load() == hooks_before + 1);  // through the socket hook again
  CHECK(w.proxy->connections() == 2);
}

// The matrix: each operation under each condition, from a new session on
// the same "disk" (a restarted app) and from nothing (a cold start).
TEST_CASE("weather: cold start, restarted add, list (200 and 304) and a simservs change under each condition") {
  for (const char* name : {"clear", "3g", "edge", "lossy-radio", "stall"}) {
    CAPTURE(name);
    Weathered w;
    w.proxy->set(netsim::Weather::named(name));
    const ut::OpLimits limits{20000ms, nullptr};
    ut::UtConfig c = w.config();
    c.tls_session_key = w.net.disk_key;
    {
      auto cold = ut::UtSession::create(c, *w.net.usim, w.net.disk_platform());
      REQUIRE(cold.ok());
      auto r = cold.value()->add_buddy({"sip:bob@example.test", "Bob"}, {}, limits);
      REQUIRE_MESSAGE(r.ok(), r.error().describe());
    }
    auto restarted = ut::UtSession::create(c, *w.net.usim, w.net.disk_platform()).value();
    auto add = restarted->add_buddy({"sip:carol@example.test", "Carol"}, {}, limits);
    REQUIRE_MESSAGE(add.ok(), add.error().describe());
    auto list = restarted->buddies({}, limits);
    REQUIRE_MESSAGE(list.ok(), list.error().describe());
    CHECK(list->size() == 2);
    auto again = restarted->buddies({}, limits);  // unchanged: If-None-Match, 304
    REQUIRE_MESSAGE(again.ok(), again.error().describe());
    CHECK(again->size() == 2);
    CHECK(restarted->cache_stats().hits >= 1);
    auto ss = restarted->set_call_waiting(false, limits);
    REQUIRE_MESSAGE(ss.ok(), ss.error().describe());
    CHECK(w.entries_on_server() == 2);
    CHECK(w.net.xcap.document("simservs.ngn.etsi.org", kXui, "simservs.xml").find("communication-waiting active=\"false\"") !=
          std::string::npos);
  }
}

TEST_CASE("weather: a connection cut or reset mid-answer ends in success or a clear error, never a doubled change") {
  for (bool reset : {false, true}) {
    for (std::size_t cut : {std::size_t{1}, std::size_t{60}, std::size_t{700}}) {
      CAPTURE(reset);
      CAPTURE(cut);
      Weathered w;
      auto s = w.session(w.config());
      REQUIRE(s->add_buddy({"sip:bob@example.test", "Bob"}).ok());
      netsim::Weather wx;
      wx.cut_after = cut;  // counted over the connection's life: the next answer is cut
      wx.reset = reset;
      w.proxy->set(wx);
      const auto t0 = Steady::now();
      auto r = s->add_buddy({"sip:carol@example.test", "Carol"}, {}, ut::OpLimits{8000ms, nullptr});
      CHECK(Steady::now() - t0 < 8000ms + kMargin);
      if (!r.ok()) {
        const ErrorModule m = r.error().module();
        CHECK((m == ErrorModule::net || m == ErrorModule::tls || m == ErrorModule::http));
      }
      w.proxy->set({});
      auto fix = s->add_buddy({"sip:carol@example.test", "Carol"});  // the app tries again: the same PUT
      REQUIRE_MESSAGE(fix.ok(), fix.error().describe());
      CHECK(w.entries_on_server() == 2);  // Carol once, Bob kept
    }
  }
}

// A soak: two devices, several hundred changes, random weather switched
// under them. Each change is an element PUT or DELETE by URI (idempotent):
// a device that gets an error tries it again. The server must end with
// exactly the expected entries.
TEST_CASE("weather: soak, two devices under random faults end with exactly the expected document") {
  Weathered w;
  auto proxy_b = netsim::FaultProxy::start(w.net.naf->port()).value();
  ut::UtConfig ca = w.config(), cb = w.net.config_via(proxy_b->port());
  for (ut::UtConfig* c : {&ca, &cb}) {
    c->http.io_timeout = 1500ms;
    c->http.reused_first_byte = 300ms;
  }
  auto a = w.session(ca);
  auto b = w.session(cb);
  std::mt19937 rng(20261208);
  auto weather = [&](std::mt19937& g) {
    netsim::Weather wx;
    switch (g() % 6) {
      case 0: wx.cut_after = 1 + g() % 2000; wx.reset = g() % 2 == 0; break;
      case 1: wx.latency = std::chrono::milliseconds(g() % 30); wx.jitter = 20ms; break;
      case 2: wx.stall = 200ms; wx.stall_after = g() % 500; break;
      default: break;  // clear, most of the time
    }
    return wx;
  };
  constexpr int kPerDevice = 120;
  std::atomic<int> errors{0}, attempts{0};
  auto device = [&](ut::UtSession& s, netsim::FaultProxy& p, const char* who, unsigned seed) {
    std::mt19937 g(seed);
    for (int i = 0; i < kPerDevice; ++i) {
      const std::string uri = std::string("sip:") + who + std::to_string(i) + "@example.test";
      const bool remove = i % 5 == 4;  // every fifth change removes the one before it
      for (int tries = 0; tries < 12; ++tries) {
        p.set(weather(g));
        ++attempts;
        auto r = remove ? s.remove_buddy(std::string("sip:") + who + std::to_string(i - 1) + "@example.test", {},
                                         ut::OpLimits{5000ms, nullptr})
                        : s.add_buddy({uri, who}, {}, ut::OpLimits{5000ms, nullptr});
        if (r.ok() || (remove && r.error().code() == Errc::xcap_not_found)) break;
        ++errors;
      }
    }
    p.set({});
  };
  std::thread tb([&] { device(*b, *proxy_b, "b", 7); });
  device(*a, *w.proxy, "a", 3);
  tb.join();
  MESSAGE("soak: " << attempts.load() << " attempts, " << errors.load() << " ended in an error and were tried again");
  auto doc = xcap::ResourceLists::parse(w.buddy_doc());
  REQUIRE(doc.ok());
  auto entries = doc->entries("oma_buddylist");
  REQUIRE(entries.ok());
  std::vector<std::string> got;
  for (const auto& e : *entries) got.push_back(e.uri);
  std::vector<std::string> want;
  for (const char* who : {"a", "b"}) {
    for (int i = 0; i < kPerDevice; ++i) {
      if (i % 5 == 3 || i % 5 == 4) continue;  // added, then removed (the fifth is a removal)
      want.push_back(std::string("sip:") + who + std::to_string(i) + "@example.test");
    }
  }
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  CHECK(got == want);
}
