// Hostile and unreliable networks, in figures (nothing is asserted):
//   1. cancel-to-return latency: how long after CancelToken::fire() a call
//      blocked in a name lookup, a TCP connect, a TLS record read, and a GBA
//      bootstrap at a silent BSF returns (target: <= 5 ms on this machine);
//   2. the weather: round trips, bytes and wall time of a cold start, a
//      restarted app's add and list, and a kept-alive list, through
//      netsim::FaultProxy under each named condition (clear, 3g, edge,
//      lossy-radio, stall);
//   3. what a document costs to parse: peak heap per byte of resource-lists.
//   utkit_bench_net PKI_DIR
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "alloc_hooks.hpp"
#include "bench_subscriber.hpp"
#include "bsf.hpp"
#include "fault_proxy.hpp"
#include "naf.hpp"
#include "xcap_server.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/gba/gba.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/session.hpp"
#include "utkit/xcap/resource_lists.hpp"

using namespace utkit;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

namespace {

using bench::kAuc;
using bench::make_usim;

// Runs `prepare`, then `call` while another thread fires a token 50 ms in; the time from the
// fire to the call's return, in microseconds, over `runs` runs.
template <class Prepare, class Call>
void cancel_latency(const char* what, int runs, Prepare prepare, Call call) {
  std::vector<double> us;
  std::string last;
  for (int i = 0; i < runs; ++i) {
    prepare();
    CancelToken token;
    Steady::time_point fired;
    std::thread firer([&] {
      std::this_thread::sleep_for(50ms);
      fired = Steady::now();
      token.fire();
    });
    Result<void> r = call(token);
    const auto back = Steady::now();
    firer.join();
    if (r.ok() || r.error().code() != Errc::cancelled) {
      last = r.ok() ? "completed" : r.error().describe();
      continue;
    }
    us.push_back(std::chrono::duration<double, std::micro>(back - fired).count());
  }
  if (us.empty()) {
    std::printf("%-40s not cancelled (%s)\n", what, last.c_str());
    return;
  }
  std::sort(us.begin(), us.end());
  std::printf("%-40s %6zu %10.0f %10.0f %10.0f\n", what, us.size(), us[us.size() / 2],
              us[std::min(us.size() - 1, us.size() * 9 / 10)], us.back());
}

int slow_lookup(const char*, const char*, const ::addrinfo*, ::addrinfo** out) {
  std::this_thread::sleep_for(3s);
  *out = nullptr;
  return EAI_AGAIN;
}

}  // namespace

int main(int argc, char** argv) {
  const char* pki = argc > 1 ? argv[1] : std::getenv("UTKIT_PKI_DIR");
  if (pki == nullptr) return std::fprintf(stderr, "usage: utkit_bench_net PKI_DIR\n"), 2;
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();
  posix::ResolveOverrides resolve;
  posix::TcpTransportFactory tcp(&resolve);
  auto bsf = netsim::Bsf::start({}, netsim::Auc::from_json(kAuc).value(), clock, *random).value();
  (void)resolve.add("bsf.example.test:" + std::to_string(bsf->port()), "127.0.0.1");
  netsim::XcapServer xs;
  netsim::Naf::Options no;
  no.server.cert_file = std::string(pki) + "/good.pem";
  no.server.key_file = std::string(pki) + "/good.key";
  auto naf = netsim::Naf::start(no, *bsf, xs).value();
  auto proxy = netsim::FaultProxy::start(naf->port()).value();
  (void)resolve.add("naf.example.test:" + std::to_string(proxy->port()), "127.0.0.1");
  auto config = [&] {
    ut::UtConfig c;
    c.xcap_root = "https://naf.example.test:" + std::to_string(proxy->port()) + "/xcap-root";
    c.gba.bsf_url = "http://bsf.example.test:" + std::to_string(bsf->port()) + "/";
    c.tls.trust.ca_file = std::string(pki) + "/ca.pem";
    c.http.reused_first_byte = 0ms;
    return c;
  };

  // ---- 1. cancel-to-return latency
  std::printf("cancel-to-return latency, microseconds from CancelToken::fire() to the call's return\n");
  std::printf("%-40s %6s %10s %10s %10s\n", "blocked in", "runs", "median", "p90", "max");
  constexpr int kRuns = 20;
  {
    posix::ResolveOverrides dns;
    dns.set_lookup(&slow_lookup);
    cancel_latency("a name lookup (DNS silent)", kRuns, [] {}, [&](const CancelToken& t) -> Result<void> {
      posix::TcpTransport tr(&dns);
      tr.set_cancel(&t);
      return tr.connect({"xcap.example.test", 443}, 10s);
    });
  }
  {
    // A listener that never accepts, its backlog full: the next SYN goes unanswered.
    const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(lfd, 0);
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
    const std::uint16_t port = ntohs(a.sin_port);
    std::vector<std::unique_ptr<posix::TcpTransport>> fill;
    for (int i = 0; i < 4; ++i) {
      fill.push_back(std::make_unique<posix::TcpTransport>());
      (void)fill.back()->connect({"127.0.0.1", port}, 200ms);
    }
    cancel_latency("a TCP connect (SYN unanswered)", kRuns, [] {}, [&](const CancelToken& t) -> Result<void> {
      posix::TcpTransport tr;
      tr.set_cancel(&t);
      return tr.connect({"127.0.0.1", port}, 10s);
    });
    ::close(lfd);
  }
  {
    netsim::StreamServer::Options o;
    o.tls = false;
    auto silent = netsim::HttpServer::start(o, [](const netsim::HttpRequest&) {
                    auto r = netsim::HttpReply::text(503, "late");
                    r.delay = 3000ms;
                    return r;
                  }).value();
    auto usim = make_usim();
    gba::GbaConfig g;
    g.bsf_url = "http://127.0.0.1:" + std::to_string(silent->port()) + "/";
    auto client = gba::GbaClient::create(g, *usim, tcp, *random, clock, nullptr, nullptr, nullptr).value();
    cancel_latency("a GBA bootstrap (the BSF went silent)", kRuns / 4, [] {}, [&](const CancelToken& t) -> Result<void> {
      auto r = client->bootstrap(gba::GbaLimits{MonoTime::max(), &t});
      if (r) return success();
      return std::move(r).error();
    });
  }
  {
    auto usim = make_usim();
    auto s = ut::UtSession::create(config(), *usim, ut::Platform{tcp, *random, clock, nullptr, nullptr}).value();
    if (!s->buddies()) return std::fprintf(stderr, "bench: warm-up failed\n"), 1;
    auto silence = [&] {
      (void)s->buddies();  // a kept-alive connection (a cancel drops the one it was on)
      proxy->black_hole_open();
    };
    cancel_latency("a TLS record read (the NAF went silent)", kRuns, silence, [&](const CancelToken& t) -> Result<void> {
      auto r = s->buddies({}, ut::OpLimits{std::nullopt, &t});
      if (r) return success();
      return std::move(r).error();
    });
  }
  proxy->set({});

  // ---- 2. the weather
  std::printf("\nnetwork weather through a user-space fault proxy (NAF side; Ub on loopback)\n");
  std::printf("%-12s %-30s %9s %8s %9s %9s\n", "condition", "operation", "wall ms", "NAF RTT", "sent B", "recv B");
  for (const char* name : {"clear", "3g", "edge", "lossy-radio", "stall"}) {
    proxy->set(netsim::Weather::named(name));
    MemoryKeyValueStore disk;
    ut::UtConfig c = config();
    c.tls_session_key = std::make_shared<const SecretBytes>(ByteView::of("0123456789abcdef0123456789abcdef"));
    auto usim = make_usim();
    auto row = [&](const char* op, ut::UtSession& s, auto&& f) {
      s.reset_stats();
      const auto t0 = Steady::now();
      const bool ok = f();
      const double ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
      const auto st = s.stats().naf;
      std::printf("%-12s %-30s %9.1f %8d %9llu %9llu%s\n", name, op, ms, st.round_trips(),
                  static_cast<unsigned long long>(st.bytes_sent), static_cast<unsigned long long>(st.bytes_received),
                  ok ? "" : "  (failed)");
    };
    {
      auto cold = ut::UtSession::create(c, *usim, ut::Platform{tcp, *random, clock, &disk, nullptr}).value();
      row("cold start, list", *cold, [&] { return cold->buddies({}, {20000ms, nullptr}).ok(); });
    }
    auto s = ut::UtSession::create(c, *usim, ut::Platform{tcp, *random, clock, &disk, nullptr}).value();
    row("restarted, add", *s, [&] { return s->add_buddy({"sip:w@example.test", name}, {}, {20000ms, nullptr}).ok(); });
    row("kept-alive, list (200)", *s, [&] { return s->buddies({}, {20000ms, nullptr}).ok(); });
    row("kept-alive, list (304)", *s, [&] { return s->buddies({}, {20000ms, nullptr}).ok(); });
    (void)s->remove_buddy("sip:w@example.test");
  }
  proxy->set({});

  // ---- 3. document cost
  std::printf("\nparsing resource-lists: peak heap per byte of document\n");
  std::printf("%8s %12s %14s %12s\n", "entries", "document B", "peak heap B", "heap/byte");
  for (int n : {100, 1000, 10000}) {
    std::string doc = "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"b\">";
    for (int i = 0; i < n; ++i) {
      doc += "<entry uri=\"sip:buddy" + std::to_string(i) + "@example.test\"><display-name>Buddy " + std::to_string(i) +
             "</display-name></entry>";
    }
    doc += "</list></resource-lists>";
    std::string copy = doc;
    bench::start_counting();
    auto parsed = xcap::ResourceLists::parse_owned(std::move(copy));
    auto heap = bench::stop_counting();
    if (!parsed) return std::fprintf(stderr, "bench: %s\n", parsed.error().describe().c_str()), 1;
    std::printf("%8d %12zu %14ld %12.2f\n", n, doc.size(), heap.peak_bytes,
                static_cast<double>(heap.peak_bytes) / static_cast<double>(doc.size()));
  }
  std::printf("(parse_owned: the buffer is taken over, so the figure is the DOM's own cost beyond the text.)\n");
  return 0;
}
