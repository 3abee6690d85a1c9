// TLS benchmark: per TS 33.141 suite, the client's cost of a full and of a
// resumed handshake against netsim's mbedTLS server on loopback (client
// thread CPU time, wall time, bytes on the wire), and the client's peak heap
// during one handshake. Figures only; nothing is asserted.
//
// Peak heap: alloc_hooks.cpp counts the client thread's allocations
// (mbedTLS's included).
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#include "alloc_hooks.hpp"
#include "tls_server.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/tls/tls_stream.hpp"

using namespace utkit;
using namespace utkit::tls;
using namespace std::chrono_literals;

namespace {

double thread_cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Sample {
  double cpu_ms, wall_ms;
  std::uint64_t sent, received;
  long peak_heap;
  bool resumed;
};

Sample handshake(const std::shared_ptr<TlsContext>& ctx, posix::ResolveOverrides& resolve, std::uint16_t port) {
  TlsStream s(ctx, std::make_unique<posix::TcpTransport>(&resolve));
  bench::start_counting();
  double c0 = thread_cpu_ms();
  auto w0 = std::chrono::steady_clock::now();
  auto r = s.connect({"naf.example.test", port}, 5000ms);
  double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count();
  double cpu = thread_cpu_ms() - c0;
  const bench::HeapCounts heap = bench::stop_counting();
  if (!r) {
    std::fprintf(stderr, "bench: %s\n", r.error().describe().c_str());
    std::exit(1);
  }
  Sample smp{cpu, wall, s.stats().bytes_written, s.stats().bytes_read, heap.peak_bytes, s.info().resumed};
  // One echoed byte, outside the measurement: the server has then finished
  // its side of the handshake (and cached the session) before we reconnect.
  std::uint8_t b = 0;
  if (s.write(ByteView(&b, 1), 5000ms).ok()) (void)s.read(&b, 1, 5000ms);
  s.close();
  return smp;
}

}  // namespace

int main(int argc, char** argv) {
  const char* pki = argc > 1 ? argv[1] : std::getenv("UTKIT_PKI_DIR");
  if (pki == nullptr) {
    std::fprintf(stderr, "usage: utkit_bench_tls PKI_DIR (from tests/interop/make-certs.sh)\n");
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 30;
  netsim::TlsServer::Options o;
  o.cert_file = std::string(pki) + "/good.pem";
  o.key_file = std::string(pki) + "/good.key";
  auto srv = netsim::TlsServer::start(o, netsim::TlsServer::echo);
  if (!srv) return std::fprintf(stderr, "bench: %s\n", srv.error().describe().c_str()), 1;
  posix::ResolveOverrides resolve;
  (void)resolve.add("naf.example.test:" + std::to_string(srv.value()->port()), "127.0.0.1");
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();

  std::printf("utkit TLS benchmark: client side, loopback, RSA-2048 server, %d rounds, medians\n", rounds);
  std::printf("mbedTLS %s, record buffers: %d bytes in, %d bytes out\n", MBEDTLS_VERSION_STRING,
              static_cast<int>(MBEDTLS_SSL_IN_CONTENT_LEN), static_cast<int>(MBEDTLS_SSL_OUT_CONTENT_LEN));
  std::printf("%-34s %-8s %9s %9s %8s %8s %10s\n", "suite", "kind", "cpu ms", "wall ms", "sent B", "recv B", "peak heap");
  for (std::uint16_t id : TlsProfile::ts33141().suites) {
    for (MaxFragment mfl : {MaxFragment::none, MaxFragment::f4096}) {
      TlsConfig cfg;
      cfg.profile = TlsProfile::ts33141().only({id});
      cfg.max_fragment = mfl;
      cfg.trust.ca_file = std::string(pki) + "/ca.pem";
      // Full handshakes: a context without a session cache. Resumed: with one.
      auto cache = TlsSessionCache::create(clock).value();
      auto full_ctx = TlsContext::create(cfg, *random, clock, nullptr);
      auto resume_ctx = TlsContext::create(cfg, *random, clock, cache.get());
      if (!full_ctx) return std::fprintf(stderr, "bench: %s\n", full_ctx.error().describe().c_str()), 1;
      for (bool resume : {false, true}) {
        const auto& ctx = resume ? resume_ctx : full_ctx;
        std::vector<double> cpu, wall, sent, recv, heap;
        if (resume) (void)handshake(ctx.value(), resolve, srv.value()->port());  // prime the cache
        for (int i = 0; i < rounds; ++i) {
          Sample s = handshake(ctx.value(), resolve, srv.value()->port());
          if (s.resumed != resume) {
            std::fprintf(stderr, "bench: expected %s handshake\n", resume ? "a resumed" : "a full");
            return 1;
          }
          cpu.push_back(s.cpu_ms);
          wall.push_back(s.wall_ms);
          sent.push_back(static_cast<double>(s.sent));
          recv.push_back(static_cast<double>(s.received));
          heap.push_back(static_cast<double>(s.peak_heap));
        }
        std::string kind = std::string(resume ? "resumed" : "full") + (mfl == MaxFragment::none ? "" : "/mfl4k");
        std::printf("%-34s %-13s %6.2f %9.2f %8.0f %8.0f %10.0f\n", suite_name(id).c_str(), kind.c_str(),
                    median(cpu), median(wall), median(sent), median(recv), median(heap));
      }
    }
  }
  std::printf("\nnotes: max_fragment_length 4096 shrinks records on the wire; the buffers (and so the peak heap)\n"
              "are fixed when mbedTLS is built: Debian's package has 16 KiB, tests/bench/bench-handset.sh builds\n"
              "Debian's source with 4 KiB and runs this benchmark against it.\n");
  return 0;
}
