// utcli tls-probe: connect to a TLS server with the TS 33.141 client and
// report what was negotiated. Also the driver of the TLS interop tests.
#include "tls_probe.hpp"

#include <nlohmann/json.hpp>

#include "output.hpp"

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
    return usage_error("tls-probe needs HOST:PORT", kTlsProbeHelp);
  }
  std::string target = args[0];
  auto colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return usage_error("tls-probe target must be HOST:PORT, not '" + target + "'");
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
        usage_error(std::string(name) + " needs a value");
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
      if (!p) return fail(p.error(), 3);
      cfg.profile = p.value();
    } else if (a == "--suites") {
      if (!need("--suites")) return 2;
      auto s = parse_suites(v);
      if (!s) return fail(s.error(), 2);
      suites = s.value();
    } else if (a == "--no-rc4") {
      no_rc4 = true;
    } else if (a == "--min" || a == "--max") {
      if (!need(a.c_str())) return 2;
      auto ver = parse_version(v);
      if (!ver) return fail(ver.error(), 2);
      (a == "--min" ? vmin : vmax) = ver.value();
    } else if (a == "--x509") {
      if (!need("--x509")) return 2;
      if (v != "legacy" && v != "strict") return usage_error("--x509 is strict or legacy");
      cfg.x509 = v == "legacy" ? tls::X509Policy::legacy : tls::X509Policy::strict;
    } else if (a == "--mfl") {
      if (!need("--mfl")) return 2;
      int n = parse_count(v, 512, 4096).value_or(0);
      if (n != 512 && n != 1024 && n != 2048 && n != 4096) {
        return usage_error("--mfl is 512, 1024, 2048 or 4096");
      }
      cfg.max_fragment = static_cast<tls::MaxFragment>(n);
    } else if (a == "--truncated-hmac") {
      cfg.truncated_hmac = true;
    } else if (a == "--reconnect") {
      if (!need("--reconnect")) return 2;
      auto n = parse_count(v, 0, 100);
      if (!n) return usage_error("--reconnect takes a count from 0 to 100, not '" + v + "'");
      reconnect = *n;
    } else if (a == "--session-max-age") {
      if (!need("--session-max-age")) return 2;
      auto n = parse_count(v, 0, 24 * 3600);
      if (!n) return usage_error("--session-max-age takes seconds from 0 to 86400 (TS 33.141 caps it at 24 h), not '" + v + "'");
      max_age = *n;
    } else if (a == "--pause") {
      if (!need("--pause")) return 2;
      auto n = parse_count(v, 0, 3600000);
      if (!n) return usage_error("--pause takes milliseconds from 0 to 3600000, not '" + v + "'");
      pause_ms = *n;
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
      auto n = parse_count(v, 1, 3600000);
      if (!n) return usage_error("--timeout takes milliseconds from 1 to 3600000, not '" + v + "'");
      timeout_ms = *n;
    } else {
      return usage_error("unknown tls-probe option '" + a + "'", kTlsProbeHelp);
    }
  }
  if (!suites.empty()) cfg.profile = cfg.profile.only(suites);
  if (no_rc4) cfg.profile = cfg.profile.without(tls::suite::rsa_rc4_128_sha);
  if (vmin) cfg.profile.min_version = *vmin;
  if (vmax) cfg.profile.max_version = *vmax;

  posix::SystemClock clock;
  auto random = posix::make_system_random();
  if (!random) return fail(random.error(), 1);
  auto cache = tls::TlsSessionCache::create(clock, std::chrono::seconds(max_age));
  if (!cache) return fail(cache.error(), 3);
  auto ctx = tls::TlsContext::create(cfg, *random.value(), clock, cache.value().get());
  if (!ctx) return fail(ctx.error(), kConfig);
  posix::ResolveOverrides resolve;
  if (!connect_to.empty()) {
    auto r = resolve.add(ep.host + ":" + std::to_string(ep.port), connect_to);
    if (!r) return fail(r.error(), 2);
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
      if (!as_json) std::printf("connection %d: FAILED %s\n", n + 1, term(r.error().describe()).c_str());
      exit_code = kNetwork;
      break;
    }
    const auto& info = stream.info();
    std::string reply;
    std::optional<Error> after;  // a failure after the handshake fails the probe too
    if (!send.empty()) {
      auto w = stream.write(ByteView::of(send), Millis(timeout_ms));
      if (!w) after = w.error();
      if (w) {
        std::uint8_t buf[4096];
        while (reply.size() < 65536) {
          auto got = stream.read(buf, sizeof buf, Millis(timeout_ms));
          if (!got) {
            if (got.error().code() != Errc::net_peer_closed || reply.empty()) after = got.error();
            break;
          }
          if (got.value() == 0) break;
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
    if (!send.empty() && reply.empty() && !after) {
      after = Error(Errc::net_peer_closed, "no reply to --send: the server closed the connection without answering");
    }
    if (after) {
      c["ok"] = false;
      c["error"] = to_string(after->code());
      c["message"] = after->message();
      exit_code = exit_code_for(*after);
    }
    connections.push_back(c);
    if (!as_json) {
      std::printf("connection %d: %s%s %s (%s), %s, %.1f ms, %llu bytes sent, %llu received\n", n + 1,
                  after ? "FAILED after the handshake: " : "",
                  tls::to_string(info.version), info.suite.c_str(), idhex,
                  info.resumed ? "resumed" : "full handshake", ms,
                  static_cast<unsigned long long>(stats.bytes_written),
                  static_cast<unsigned long long>(stats.bytes_read));
      if (n == 0) {
        std::printf("  server certificate: %s\n  issued by: %s\n  valid until: %s UTC (%u-bit key)\n",
                    term(info.peer.subject).c_str(), term(info.peer.issuer).c_str(), term(info.peer.not_after).c_str(),
                    info.peer.key_bits);
      }
      if (!send.empty()) std::printf("  reply: %zu bytes\n", reply.size());
      if (after) std::printf("  error: %s\n", term(after->describe()).c_str());
    }
    if (after) break;
  }
  if (as_json) {
    json out = {{"target", target}, {"profile", cfg.profile.name}, {"connections", connections}};
    print_json(out);
  }
  return exit_code;
}

}  // namespace utcli
