// Ut round-trip benchmark: the flows of docs/flows.md against netsim (BSF,
// NAF with TLS + GBA Digest, XCAP server) with an emulated round-trip time.
// A LatencyTransport adds one RTT to each TCP connect and to the first read
// after each write (one flight there and back), per connection, so
// concurrent connections overlap as they would on a real network.
//   cold start, Ub concurrent with the NAF connection  (target 5 RTT)
//   cold start, strictly one step after another         (8 RTT)
//   warm op on a new connection: resumed TLS, cached nonce (target 3 RTT)
//   op on a kept-alive connection                        (target 1 RTT)
// Figures only; nothing is asserted.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <stdlib.h>
#include <sys/stat.h>
#include <thread>

#include "alloc_hooks.hpp"
#include "bench_subscriber.hpp"
#include "bsf.hpp"
#include "naf.hpp"
#include "xcap_server.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/session.hpp"

#include <mbedtls/config.h>
#include <mbedtls/ssl.h>

using namespace utkit;

namespace {

class LatencyTransport final : public Transport {
 public:
  LatencyTransport(std::unique_ptr<Transport> inner, Millis rtt) : inner_(std::move(inner)), rtt_(rtt) {}
  Result<void> connect(const Endpoint& to, Millis timeout) override {
    std::this_thread::sleep_for(rtt_);  // SYN, SYN-ACK
    return inner_->connect(to, timeout);
  }
  Result<std::size_t> read(std::uint8_t* buf, std::size_t cap, Millis timeout) override {
    if (in_flight_) {
      std::this_thread::sleep_for(rtt_);  // the request's way there and the answer's way back
      in_flight_ = false;
    }
    return inner_->read(buf, cap, timeout);
  }
  Result<void> write(ByteView data, Millis timeout) override {
    in_flight_ = true;
    return inner_->write(data, timeout);
  }
  void set_cancel(const CancelToken* token) override { inner_->set_cancel(token); }
  void close() override { inner_->close(); }
  bool is_open() const override { return inner_->is_open(); }
  bool idle_clean() override { return inner_->idle_clean(); }
  TransportStats stats() const override { return inner_->stats(); }

 private:
  std::unique_ptr<Transport> inner_;
  Millis rtt_;
  bool in_flight_ = false;
};

class LatencyFactory final : public TransportFactory {
 public:
  LatencyFactory(TransportFactory& inner, Millis rtt) : inner_(inner), rtt_(rtt) {}
  std::unique_ptr<Transport> create() override { return std::make_unique<LatencyTransport>(inner_.create(), rtt_); }

 private:
  TransportFactory& inner_;
  Millis rtt_;
};

}  // namespace

int main(int argc, char** argv) {
  const char* pki = argc > 1 ? argv[1] : std::getenv("UTKIT_PKI_DIR");
  if (pki == nullptr) return std::fprintf(stderr, "usage: utkit_bench_ut PKI_DIR [RTT_MS]\n"), 2;
  const Millis rtt(argc > 2 ? std::atoi(argv[2]) : 40);
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();
  posix::ResolveOverrides resolve;
  posix::TcpTransportFactory tcp(&resolve);
  LatencyFactory slow(tcp, rtt);

  auto auc = netsim::Auc::from_json(bench::kAuc).value();
  auto bsf = netsim::Bsf::start({}, std::move(auc), clock, *random).value();
  (void)resolve.add("bsf.example.test:" + std::to_string(bsf->port()), "127.0.0.1");
  netsim::XcapServer xs;
  netsim::Naf::Options no;
  no.server.cert_file = std::string(pki) + "/good.pem";
  no.server.key_file = std::string(pki) + "/good.key";
  auto naf = netsim::Naf::start(no, *bsf, xs).value();
  (void)resolve.add("naf.example.test:" + std::to_string(naf->port()), "127.0.0.1");

  using bench::make_usim;
  auto config = [&](bool concurrent) {
    ut::UtConfig c;
    c.xcap_root = "https://naf.example.test:" + std::to_string(naf->port()) + "/xcap-root";
    c.gba.bsf_url = "http://bsf.example.test:" + std::to_string(bsf->port()) + "/";
    c.tls.trust.ca_file = std::string(pki) + "/ca.pem";
    c.concurrent_bootstrap = concurrent;
#if defined(MBEDTLS_SSL_IN_CONTENT_LEN) && MBEDTLS_SSL_IN_CONTENT_LEN < 16384
    // Record buffers smaller than TLS's 16 KiB: ask the server for records
    // that fit (RFC 6066 max_fragment_length), as a handset build must.
    c.tls.max_fragment = tls::MaxFragment::f4096;
#endif
    return c;
  };
  // Seed one document so that "list" is one GET.
  {
    auto usim = make_usim();
    auto s = ut::UtSession::create(config(true), *usim, ut::Platform{tcp, *random, clock, nullptr, nullptr}).value();
    for (int i = 0; i < 20; ++i) (void)s->add_buddy({"sip:buddy" + std::to_string(i) + "@example.test", "Buddy"});
  }

  std::printf("utkit Ut round trips: emulated RTT %lld ms (netsim on loopback, TLS_RSA_WITH_AES_128_CBC_SHA)\n",
              static_cast<long long>(rtt.count()));
  std::printf("build: mbedTLS record buffers %d/%d B; ", MBEDTLS_SSL_IN_CONTENT_LEN, MBEDTLS_SSL_OUT_CONTENT_LEN);
#if defined(PUGIXML_MEMORY_PAGE_SIZE)
  std::printf("pugixml built with %d-byte pages%s\n\n", PUGIXML_MEMORY_PAGE_SIZE,
#if defined(PUGIXML_COMPACT)
              ", compact DOM"
#else
              ""
#endif
  );
#else
  std::printf("the installed pugixml (32 KiB pages)\n\n");
#endif

  std::printf("%-48s %9s %8s %10s %10s %10s\n", "operation: list the buddies", "wall ms", "~RTT", "NAF RTT", "sent B",
              "recv B");
  auto line = [&](const char* what, double ms, const ut::UtStats& st) {
    std::printf("%-48s %9.1f %8.1f %10d %10llu %10llu\n", what, ms, ms / static_cast<double>(rtt.count()),
                st.naf.round_trips(), static_cast<unsigned long long>(st.naf.bytes_sent),
                static_cast<unsigned long long>(st.naf.bytes_received));
  };
  for (bool concurrent : {true, false}) {
    auto usim = make_usim();
    auto s = ut::UtSession::create(config(concurrent), *usim, ut::Platform{slow, *random, clock, nullptr, nullptr}).value();
    bench::start_counting();
    auto t0 = std::chrono::steady_clock::now();
    auto r = s->buddies();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    auto heap = bench::stop_counting();
    if (!r) return std::fprintf(stderr, "bench: %s\n", r.error().describe().c_str()), 1;
    line(concurrent ? "cold start, Ub beside the NAF connection" : "cold start, one step after another", ms, s->stats());
    if (!concurrent) {
      std::printf("%-48s %9s %8s   peak heap of this thread: %ld B, %ld allocations\n", "", "", "", heap.peak_bytes,
                  heap.allocations);
      continue;
    }
    s->close_connections();
    s->reset_stats();
    t0 = std::chrono::steady_clock::now();
    r = s->buddies();
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r) return 1;
    line("warm, new connection (resumed TLS, cached nonce)", ms, s->stats());
    s->reset_stats();
    t0 = std::chrono::steady_clock::now();
    r = s->buddies();
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r) return 1;
    line("warm, kept-alive connection", ms, s->stats());
    s->reset_stats();
    t0 = std::chrono::steady_clock::now();
    auto add = s->add_buddy({"sip:new@example.test", "New"});
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!add) return 1;
    line("add a buddy, kept-alive connection", ms, s->stats());
  }

  // Per operation and list size, in the three cases a handset meets:
  //   live:      a session that has run before, connection kept alive;
  //   restarted: a new process with its state on disk (bootstrapping
  //              context, TLS session, the NAF's Digest state, the cached
  //              document): TCP + resumed TLS + one exchange;
  //   cold:      a new process with nothing stored (Ub bootstrap, full TLS).
  // The document is seeded directly into the XCAP server. "list" is
  // for_each_buddy (entries seen in place, not copied).
  std::printf("\n%-34s %9s %8s %8s %10s %10s %12s %8s\n", "per operation (case, op, entries)", "wall ms", "~RTT",
              "NAF RTT", "sent B", "recv B", "peak heap B", "allocs");
  const std::string xui = "sip:alice@example.test";
  for (int n : {10, 1000, 10000}) {
    std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<resource-lists "
                      "xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"oma_buddylist\">";
    for (int i = 0; i < n; ++i) {
      doc += "<entry uri=\"sip:buddy" + std::to_string(i) + "@example.test\"><display-name>Buddy " + std::to_string(i) +
             "</display-name></entry>";
    }
    doc += "</list><list name=\"oma_grantedcontacts\"/><list name=\"oma_blockedcontacts\"/>"
           "<list name=\"oma_allcontacts\"/></resource-lists>\n";
    netsim::HttpRequest seed;
    seed.method = "PUT";
    seed.target = "/xcap-root/resource-lists/users/" + xui + "/index";
    seed.headers.add("Content-Type", "application/resource-lists+xml");
    seed.body = doc;
    (void)xs.handle(seed, xui);
    std::printf("%d entries: document %zu B\n", n, doc.size());

    // A real directory: a memory store would copy each cached document onto
    // the heap, which a phone's flash storage does not.
    char dir_template[] = "/tmp/utkit-bench-XXXXXX";
    const char* dir = ::mkdtemp(dir_template);
    if (dir == nullptr) return std::fprintf(stderr, "bench: mkdtemp failed\n"), 1;
    auto disk_store = posix::FileKeyValueStore::open(dir).value();
    KeyValueStore& disk = *disk_store;
    auto key = std::make_shared<const SecretBytes>(ByteView::of("0123456789abcdef0123456789abcdef"));
    auto stored_config = [&] {
      ut::UtConfig c = config(true);
      c.tls_session_key = key;
      return c;
    };
    auto run_op = [&](ut::UtSession& s, int kind) -> bool {
      std::size_t seen = 0;
      switch (kind) {
        case 0: return s.add_buddy({"sip:newbie@example.test", "Newbie"}).ok();
        case 1: return s.rename_buddy("sip:newbie@example.test", "Renamed").ok();
        case 2: return s.remove_buddy("sip:newbie@example.test").ok();
        default:  // 3 and 4: list
          return s.for_each_buddy([&](std::string_view, std::string_view) { ++seen; }).ok() && seen >= 10;
      }
    };
    const char* names[] = {"add", "rename", "remove", "list", "list again"};
    auto measure = [&](const char* which, ut::UtSession& s, int kind) -> bool {
      s.reset_stats();
      bench::start_counting();
      const auto t0 = std::chrono::steady_clock::now();
      const bool ok = run_op(s, kind);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      auto heap = bench::stop_counting();
      if (!ok) return std::fprintf(stderr, "bench: %s %s failed\n", which, names[kind]), false;
      const auto st = s.stats();
      const std::string what = std::string(which) + ", " + names[kind] + ", " + std::to_string(n);
      std::printf("%-34s %9.1f %8.1f %8d %10llu %10llu %12ld %8ld\n", what.c_str(), ms,
                  ms / static_cast<double>(rtt.count()), st.naf.round_trips(),
                  static_cast<unsigned long long>(st.naf.bytes_sent),
                  static_cast<unsigned long long>(st.naf.bytes_received), heap.peak_bytes, heap.allocations);
      return true;
    };
    {
      // live: the first list fills the cache and the connection; then each op.
      auto usim = make_usim();
      auto s = ut::UtSession::create(stored_config(), *usim, ut::Platform{slow, *random, clock, &disk, nullptr}).value();
      if (!run_op(*s, 3)) return 1;
      for (int kind : {3, 0, 1, 2}) {
        if (!measure("live", *s, kind)) return 1;
      }
    }
    for (int kind : {0, 1, 2, 3, 4}) {
      // restarted: a new session object on the same store (a new process).
      // The first list follows changes (a new body); the second finds its
      // copy current (304).
      auto usim = make_usim();
      auto s = ut::UtSession::create(stored_config(), *usim, ut::Platform{slow, *random, clock, &disk, nullptr}).value();
      if (!measure("restarted", *s, kind)) return 1;
    }
    for (int kind : {3, 0}) {
      // cold: nothing stored.
      const std::string cold_dir = std::string(dir) + "/cold" + std::to_string(kind);
      if (::mkdir(cold_dir.c_str(), 0700) != 0) return std::fprintf(stderr, "bench: mkdir failed\n"), 1;
      auto empty = posix::FileKeyValueStore::open(cold_dir).value();
      auto usim = make_usim();
      auto s = ut::UtSession::create(stored_config(), *usim, ut::Platform{slow, *random, clock, empty.get(), nullptr}).value();
      if (!measure("cold", *s, kind)) return 1;
    }
    disk_store.reset();
    const std::string rm = std::string("rm -rf '") + dir + "'";
    if (std::system(rm.c_str()) != 0) std::fprintf(stderr, "bench: could not remove %s\n", dir);
  }
  std::printf("\n~RTT = wall time / RTT (the Ub round trips are not counted in \"NAF RTT\").\n"
              "peak heap: this thread's, above its level when the operation starts (session set-up excluded;\n"
              "for \"live\" the connection's TLS buffers already exist; \"restarted\" and \"cold\" include them).\n"
              "restarted list: a 304 when the kept copy is current (the first restarted list after a live change\n"
              "gets the new body). cold start runs Ub on a second thread, whose heap is not counted here.\n");
  return 0;
}
