// HTTP benchmark: response-parser throughput and heap allocations per parsed
// response (fed whole and byte by byte), and the round trips and bytes that
// the cached-nonce path saves against a Digest-protected netsim server.
// Figures only; nothing is asserted.
#include <chrono>
#include <cstdio>
#include <string>

#include "alloc_hooks.hpp"
#include "http_server.hpp"
#include "utkit/http/client.hpp"
#include "utkit/http/parser.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"

using namespace utkit;
using namespace utkit::http;

namespace {

std::string xcap_response(std::size_t body_len, bool chunked) {
  std::string body(body_len, 'x');
  std::string h = "HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 16:00:00 GMT\r\nServer: netsim\r\n"
                  "Content-Type: application/resource-lists+xml\r\nETag: \"4f2a9c1d\"\r\n"
                  "Authentication-Info: rspauth=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000002\r\n";
  if (!chunked) return h + "Content-Length: " + std::to_string(body_len) + "\r\n\r\n" + body;
  std::string out = h + "Transfer-Encoding: chunked\r\n\r\n";
  for (std::size_t off = 0; off < body_len; off += 1024) {
    std::size_t n = std::min<std::size_t>(1024, body_len - off);
    char len[16];
    std::snprintf(len, sizeof len, "%zx\r\n", n);
    out += len + body.substr(off, n) + "\r\n";
  }
  return out + "0\r\n\r\n";
}

void parse_bench(const char* label, const std::string& raw, std::size_t piece, int rounds) {
  bench::HeapCounts heap{};
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) {
    if (i == 0) bench::start_counting();
    ResponseParser p;
    for (std::size_t off = 0; off < raw.size() && p.need_more();) {
      std::size_t n = piece == 0 ? raw.size() - off : std::min(piece, raw.size() - off);
      auto used = p.feed(ByteView::of(std::string_view(raw).substr(off, n)));
      if (!used) {
        std::fprintf(stderr, "bench: %s\n", used.error().describe().c_str());
        std::exit(1);
      }
      off += used.value();
    }
    Response r = p.take();
    if (i == 0) heap = bench::stop_counting();
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%-36s %8zu B %10.1f MB/s %10.0f responses/s %6ld allocs/response %8ld B peak\n", label, raw.size(),
              static_cast<double>(raw.size()) * rounds / s / 1e6, rounds / s, heap.allocations, heap.peak_bytes);
}

}  // namespace

int main() {
  std::printf("utkit HTTP benchmark\n\nresponse parser (one thread):\n");
  for (std::size_t len : {200u, 2000u, 50000u}) {
    for (bool chunked : {false, true}) {
      std::string raw = xcap_response(len, chunked);
      std::string label = std::to_string(len) + " B body, " + (chunked ? "chunked" : "Content-Length");
      parse_bench((label + ", whole").c_str(), raw, 0, len > 10000 ? 2000 : 20000);
      if (len <= 2000) parse_bench((label + ", byte by byte").c_str(), raw, 1, 2000);
    }
  }

  // Round trips with and without the cached nonce.
  netsim::DigestGuard guard({"netsim", "MD5", "auth", false, true, false, ""});
  netsim::StreamServer::Options o;
  o.tls = false;
  auto srv = netsim::HttpServer::start(o, [&](const netsim::HttpRequest& req) {
    auto out = guard.check(req, [](const std::string&, const std::string&) { return std::optional<std::string>("secret"); });
    if (!out.authorized) return out.challenge;
    auto reply = netsim::HttpReply::text(200, std::string(500, 'x'));
    out.sign(reply);
    return reply;
  });
  if (!srv) return std::fprintf(stderr, "bench: %s\n", srv.error().describe().c_str()), 1;
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();
  posix::TcpTransportFactory tcp;
  StaticCredentials creds("alice", SecretBytes(ByteView::of("secret")));
  const Url url = parse_url("http://127.0.0.1:" + std::to_string(srv.value()->port()) + "/doc").value();
  std::printf("\n10 authenticated GETs on one kept-alive connection:\n");
  for (bool cached : {false, true}) {
    HttpClient c(tcp, *random, clock, nullptr);
    c.set_credentials(&creds);
    for (int i = 0; i < 10; ++i) {
      if (!cached) c.forget_auth(url);
      auto r = c.send(url, Request{});
      if (!r || r->status != 200) return std::fprintf(stderr, "bench: request failed\n"), 1;
    }
    const auto& s = c.stats();
    std::printf("  %-28s %3d round trips (%d exchanges), %6llu bytes sent, %6llu received\n",
                cached ? "with the cached nonce" : "challenge every time", s.round_trips(), s.exchanges,
                static_cast<unsigned long long>(s.bytes_sent), static_cast<unsigned long long>(s.bytes_received));
  }
  return 0;
}
