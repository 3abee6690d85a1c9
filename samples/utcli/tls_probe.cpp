// utcli tls-probe: connect to a TLS server with the TS 33.141 client and
// report what was negotiated. Also the driver of the TLS interop tests.
#include "tls_probe.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/tls/tls_stream.hpp"

namespace utcli {

using json = nlohmann::json;
using namespace utkit;

namespace {

Result<tls::TlsVersion> parse_version(const std::string& s) {
  if (s == "1.0" || s == "TLS1.0" || s == "tls1.0") return tls::TlsVersion::tls1_0;
  if (s == "1.1" || s == "TLS1.1" || s == "tls1.1") return tls::TlsVersion::tls1_1;
  if (s == "1.2" || s == "TLS1.2" || s == "tls1.2") return tls::TlsVersion::tls1_2;
  if (s == "ssl3" || s == "3.0") return tls::TlsVersion::ssl3_0;
  return Error(Errc::invalid_argument, "unknown TLS version '" + s + "' (use 1.0, 1.1 or 1.2)");
}

Result<std::vector<std::uint16_t>> parse_suites(const std::string& s) {
  std::vector<std::uint16_t> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t comma = s.find(',', pos);
    std::string item = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    char* end = nullptr;
    unsigned long v = std::strtoul(item.c_str(), &end, 0);
    if (item.empty() || *end != '\0' || v > 0xFFFF) {
      return Error(Errc::invalid_argument, "bad cipher suite number '" + item + "' (e.g. 0x000A)");
    }
    out.push_back(static_cast<std::uint16_t>(v));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

struct Probe {
  json result;
  Error error{Errc::internal, ""};
  bool ok = false;
};

}  // namespace

const char* kTlsProbeHelp =
    "usage: utcli tls-probe HOST:PORT [options]\n"
    "  --ca FILE            trust anchors (PEM/DER); required\n"
    "  --servername NAME    name for SNI and the certificate check (default HOST)\n"
    "  --connect-to ADDR    connect to this address instead of resolving HOST\n"
    "  --profile NAME       ts33141 (default) or modern\n"
    "  --suites LIST        only these suites, e.g. 0x000A,0x0005\n"
    "  --no-rc4             drop TLS_RSA_WITH_RC4_128_SHA\n"
    "  --min V / --max V    version range: 1.0, 1.1, 1.2\n"
    "  --x509 legacy        accept SHA-1 signatures and RSA >= 1024 (WAPCert-era servers)\n"
    "  --mfl N              RFC 3546 max_fragment_length: 512, 1024, 2048, 4096\n"
    "  --truncated-hmac     RFC 3546 truncated_hmac\n"
    "  --reconnect N        connect N more times, resuming the session\n"
    "  --session-max-age S  session lifetime cap in seconds (<= 86400)\n"
    "  --pause MS           wait between connections\n"
    "  --send TEXT          send TEXT (\\r\\n escapes allowed) and read the reply\n"
    "  --timeout MS         per connection (default 10000)\n"
    "  --json               one JSON object (docs/cli.md)\n";

int tls_probe(const std::vector<std::string>& args, bool as_json) {
  if (args.empty()) {
    std::fprintf(stderr, "utcli: tls-probe needs HOST:PORT\n\n%s", kTlsProbeHelp);
    return 2;
  }
  std::string target = args[0];
  auto colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    std::fprintf(stderr, "utcli: tls-probe target must be HOST:PORT, not '%s'\n", target.c_str());
    return 2;
  }
  Endpoint ep{target.substr(0, colon), static_cast<std::uint16_t>(std::atoi(target.c_str() + colon + 1))};
  if (!ep.host.empty() && ep.host.front() == '[' && ep.host.back() == ']') ep.host = ep.host.substr(1, ep.host.size() - 2);

  tls::TlsConfig cfg;
  std::string servername, connect_to, send;
  int reconnect = 0, pause_ms = 0, timeout_ms = 10000;
  long max_age = 24 * 3600;
  bool no_rc4 = false;
  std::vector<std::uint16_t> suites;
  std::optional<tls::TlsVersion> vmin, vmax;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= args.size()) return std::string("\x01");
      return args[++i];
    };
    std::string v;
    auto need = [&](const char* name) {
      v = next();
      if (v == "\x01") {
        std::fprintf(stderr, "utcli: %s needs a value\n", name);
        return false;
      }
      return true;
    };
    if (a == "--ca") {
      if (!need("--ca")) return 2;
      cfg.trust.ca_file = v;
    } else if (a == "--servername") {
      if (!need("--servername")) return 2;
      servername = v;
    } else if (a == "--connect-to") {
      if (!need("--connect-to")) return 2;
      connect_to = v;
    } else if (a == "--profile") {
      if (!need("--profile")) return 2;
      auto p = tls::TlsProfile::named(v);
      if (!p) return std::fprintf(stderr, "utcli: %s\n", p.error().describe().c_str()), 3;
      cfg.profile = p.value();
    } else if (a == "--suites") {
      if (!need("--suites")) return 2;
      auto s = parse_suites(v);
      if (!s) return std::fprintf(stderr, "utcli: %s\n", s.error().describe().c_str()), 2;
      suites = s.value();
    } else if (a == "--no-rc4") {
      no_rc4 = true;
    } else if (a == "--min" || a == "--max") {
      if (!need(a.c_str())) return 2;
      auto ver = parse_version(v);
      if (!ver) return std::fprintf(stderr, "utcli: %s\n", ver.error().describe().c_str()), 2;
      (a == "--min" ? vmin : vmax) = ver.value();
    } else if (a == "--x509") {
      if (!need("--x509")) return 2;
      if (v != "legacy" && v != "strict") return std::fprintf(stderr, "utcli: --x509 is strict or legacy\n"), 2;
      cfg.x509 = v == "legacy" ? tls::X509Policy::legacy : tls::X509Policy::strict;
    } else if (a == "--mfl") {
      if (!need("--mfl")) return 2;
      int n = std::atoi(v.c_str());
      if (n != 512 && n != 1024 && n != 2048 && n != 4096) {
        return std::fprintf(stderr, "utcli: --mfl is 512, 1024, 2048 or 4096\n"), 2;
      }
      cfg.max_fragment = static_cast<tls::MaxFragment>(n);
    } else if (a == "--truncated-hmac") {
      cfg.truncated_hmac = true;
    } else if (a == "--reconnect") {
      if (!need("--reconnect")) return 2;
      reconnect = std::atoi(v.c_str());
    } else if (a == "--session-max-age") {
      if (!need("--session-max-age")) return 2;
      max_age = std::atol(v.c_str());
    } else if (a == "--pause") {
      if (!need("--pause")) return 2;
      pause_ms = std::atoi(v.c_str());
    } else if (a == "--send") {
      if (!need("--send")) return 2;
      for (std::size_t k = 0; k < v.size(); ++k) {
        if (v[k] == '\\' && k + 1 < v.size() && (v[k + 1] == 'r' || v[k + 1] == 'n')) {
          send += v[k + 1] == 'r' ? '\r' : '\n';
          ++k;
        } else {
          send += v[k];
        }
      }
    } else if (a == "--timeout") {
      if (!need("--timeout")) return 2;
      timeout_ms = std::atoi(v.c_str());
    } else {
      std::fprintf(stderr, "utcli: unknown tls-probe option '%s'\n\n%s", a.c_str(), kTlsProbeHelp);
      return 2;
    }
  }
  if (!suites.empty()) cfg.profile = cfg.profile.only(suites);
  if (no_rc4) cfg.profile = cfg.profile.without(tls::suite::rsa_rc4_128_sha);
  if (vmin) cfg.profile.min_version = *vmin;
  if (vmax) cfg.profile.max_version = *vmax;

  posix::SystemClock clock;
  auto random = posix::make_system_random();
  if (!random) return std::fprintf(stderr, "utcli: %s\n", random.error().describe().c_str()), 1;
  auto cache = tls::TlsSessionCache::create(clock, std::chrono::seconds(max_age));
  if (!cache) return std::fprintf(stderr, "utcli: %s\n", cache.error().describe().c_str()), 3;
  auto ctx = tls::TlsContext::create(cfg, *random.value(), clock, cache.value().get());
  if (!ctx) {
    std::fprintf(stderr, "utcli: %s\n", ctx.error().describe().c_str());
    return 3;
  }
  posix::ResolveOverrides resolve;
  if (!connect_to.empty()) {
    auto r = resolve.add(ep.host + ":" + std::to_string(ep.port), connect_to);
    if (!r) return std::fprintf(stderr, "utcli: %s\n", r.error().describe().c_str()), 2;
  }

  json connections = json::array();
  int exit_code = 0;
  for (int n = 0; n <= reconnect; ++n) {
    if (n > 0 && pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    tls::TlsStream stream(ctx.value(), std::make_unique<posix::TcpTransport>(&resolve));
    if (!servername.empty()) stream.set_server_name(servername);
    auto t0 = std::chrono::steady_clock::now();
    auto r = stream.connect(ep, Millis(timeout_ms));
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    json c;
    if (!r) {
      c = {{"ok", false}, {"error", to_string(r.error().code())}, {"message", r.error().message()}};
      connections.push_back(c);
      if (!as_json) std::printf("connection %d: FAILED %s\n", n + 1, r.error().describe().c_str());
      exit_code = 4;
      break;
    }
    const auto& info = stream.info();
    std::string reply;
    if (!send.empty()) {
      auto w = stream.write(ByteView::of(send), Millis(timeout_ms));
      if (w) {
        std::uint8_t buf[4096];
        while (reply.size() < 65536) {
          auto got = stream.read(buf, sizeof buf, Millis(timeout_ms));
          if (!got || got.value() == 0) break;
          reply.append(reinterpret_cast<char*>(buf), got.value());
          if (send.find("HTTP/") == std::string::npos && reply.find('\n') != std::string::npos) break;  // echo servers
        }
      }
    }
    stream.close();
    auto stats = stream.stats();
    char idhex[8];
    std::snprintf(idhex, sizeof idhex, "0x%04X", info.suite_id);
    c = {{"ok", true},
         {"version", tls::to_string(info.version)},
         {"suite", info.suite},
         {"suite_id", idhex},
         {"resumed", info.resumed},
         {"handshake_ms", ms},
         {"bytes_sent", stats.bytes_written},
         {"bytes_received", stats.bytes_read},
         {"peer", {{"subject", info.peer.subject}, {"issuer", info.peer.issuer},
                   {"not_after", info.peer.not_after}, {"key_bits", info.peer.key_bits}}}};
    if (!send.empty()) c["reply"] = reply;
    connections.push_back(c);
    if (!as_json) {
      std::printf("connection %d: %s %s (%s), %s, %.1f ms, %llu bytes sent, %llu received\n", n + 1,
                  tls::to_string(info.version), info.suite.c_str(), idhex,
                  info.resumed ? "resumed" : "full handshake", ms,
                  static_cast<unsigned long long>(stats.bytes_written),
                  static_cast<unsigned long long>(stats.bytes_read));
      if (n == 0) {
        std::printf("  server certificate: %s\n  issued by: %s\n  valid until: %s UTC (%u-bit key)\n",
                    info.peer.subject.c_str(), info.peer.issuer.c_str(), info.peer.not_after.c_str(),
                    info.peer.key_bits);
      }
      if (!send.empty()) std::printf("  reply: %zu bytes\n", reply.size());
    }
  }
  if (as_json) {
    json out = {{"target", target}, {"profile", cfg.profile.name}, {"connections", connections}};
    std::printf("%s\n", out.dump().c_str());
  }
  return exit_code;
}

}  // namespace utcli
