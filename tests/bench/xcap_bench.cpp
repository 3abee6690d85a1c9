// XCAP benchmark: bytes on the wire for one buddy added to lists of 10, 1,000
// and 10,000 entries (an element PUT: it should not grow with the list), the
// cost of reading the whole document for comparison, and the parse time and
// peak heap of ResourceLists for those sizes. Figures only.
#include <chrono>
#include <cstdio>
#include <string>

#include "alloc_hooks.hpp"
#include "xcap_server.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/xcap/resource_lists.hpp"

using namespace utkit;

namespace {
std::string document_with(int n) {
  std::string x = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<resource-lists xmlns=\"") +
                  xcap::kResourceListsNs + "\"><list name=\"oma_buddylist\">";
  for (int i = 0; i < n; ++i) {
    x += "<entry uri=\"sip:buddy" + std::to_string(i) + "@example.test\"><display-name>Buddy " + std::to_string(i) +
         "</display-name></entry>";
  }
  return x + "</list></resource-lists>\n";
}
}  // namespace

int main() {
  const std::string kXui = "sip:alice@example.test";
  netsim::XcapServer xs;
  netsim::StreamServer::Options o;
  o.tls = false;
  auto srv = netsim::HttpServer::start(o, [&](const netsim::HttpRequest& r) { return xs.handle(r, ""); });
  if (!srv) return std::fprintf(stderr, "bench: %s\n", srv.error().describe().c_str()), 1;
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();
  posix::TcpTransportFactory tcp;
  const std::string root = "http://127.0.0.1:" + std::to_string(srv.value()->port()) + "/xcap-root";

  std::printf("utkit XCAP benchmark (plain HTTP on loopback, no authentication)\n\n");
  std::printf("%8s %14s %14s %14s %14s\n", "entries", "add: sent B", "add: recv B", "GET doc: recv", "add: exchanges");
  for (int n : {10, 1000, 10000}) {
    http::HttpClient hc(tcp, *random, clock, nullptr);
    xcap::XcapClient x(hc, {root, kXui, ""});
    auto doc = x.uri("resource-lists", "index");
    (void)x.remove(doc, xcap::Precondition::none);
    if (!x.put(doc, document_with(n), xcap::Precondition::none)) return std::fprintf(stderr, "bench: seed failed\n"), 1;
    hc.reset_stats();
    if (!x.get(doc)) return 1;
    const auto get_recv = hc.stats().bytes_received;
    xcap::BuddyList buddies(x);
    hc.reset_stats();
    auto r = buddies.add({"sip:new-buddy@example.test", "New Buddy"});
    if (!r) return std::fprintf(stderr, "bench: %s\n", r.error().describe().c_str()), 1;
    std::printf("%8d %14llu %14llu %14llu %14d\n", n, static_cast<unsigned long long>(hc.stats().bytes_sent),
                static_cast<unsigned long long>(hc.stats().bytes_received), static_cast<unsigned long long>(get_recv),
                hc.stats().exchanges);
  }

  std::printf("\nResourceLists::parse:\n%8s %10s %12s %14s %10s\n", "entries", "bytes", "parse ms", "peak heap B", "allocs");
  for (int n : {10, 1000, 10000}) {
    const std::string xml = document_with(n);
    const int rounds = n >= 10000 ? 20 : 200;
    auto t0 = std::chrono::steady_clock::now();
    bench::HeapCounts heap{};
    for (int i = 0; i < rounds; ++i) {
      if (i == 0) bench::start_counting();
      auto rl = xcap::ResourceLists::parse(xml);
      if (!rl) return 1;
      if (i == 0) heap = bench::stop_counting();
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / rounds;
    std::printf("%8d %10zu %12.3f %14ld %10ld\n", n, xml.size(), ms, heap.peak_bytes, heap.allocations);
  }
  return 0;
}
