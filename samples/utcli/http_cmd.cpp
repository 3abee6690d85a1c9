// utcli http: one HTTP(S) request with the SDK's client — Digest
// authentication, TLS with the TS 33.141 profile, an optional proxy
// (CONNECT for https). For checking a server by hand; also drives the HTTP
// interop tests.
#include "http_cmd.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "utkit/http/client.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"

namespace utcli {

using namespace utkit;

const char* kHttpHelp =
    "usage: utcli http METHOD URL [options]\n"
    "  --user NAME            Digest user name\n"
    "  --password-env VAR     Digest password from environment variable VAR\n"
    "  --ca FILE              trust anchors for https (required for https)\n"
    "  --proxy URL            HTTP proxy (https goes through CONNECT)\n"
    "  --connect-to H:P=ADDR  connect to ADDR for H:P (like curl --resolve)\n"
    "  --data FILE            request body from FILE\n"
    "  -H 'Name: value'       extra request header (repeatable)\n"
    "  --qop auth|auth-int    preferred qop when the server offers both\n"
    "  --require-rspauth      fail unless the server proves it knows the password\n"
    "  --repeat N             send the request N times (shows connection reuse)\n"
    "  --timeout MS           per request (default 30000)\n"
    "  --json                 one JSON object (docs/cli.md)\n";

int http_command(const std::vector<std::string>& args, bool as_json) {
  if (args.size() < 2) {
    std::fprintf(stderr, "utcli: http needs METHOD and URL\n\n%s", kHttpHelp);
    return 2;
  }
  const std::string method = args[0];
  auto url = http::parse_url(args[1]);
  if (!url) return std::fprintf(stderr, "utcli: %s\n", url.error().describe().c_str()), 2;

  std::string user, password_env, ca, proxy, data_file;
  std::vector<std::string> extra_headers;
  posix::ResolveOverrides resolve;
  http::HttpClientOptions opt;
  int repeat = 1;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string* v = nullptr;
    if (a == "--require-rspauth") {
      opt.require_rspauth = true;
      continue;
    }
    if ((v = value()) == nullptr) return std::fprintf(stderr, "utcli: %s needs a value\n", a.c_str()), 2;
    if (a == "--user") user = *v;
    else if (a == "--password-env") password_env = *v;
    else if (a == "--ca") ca = *v;
    else if (a == "--proxy") proxy = *v;
    else if (a == "--data") data_file = *v;
    else if (a == "-H") extra_headers.push_back(*v);
    else if (a == "--repeat") repeat = std::max(1, std::atoi(v->c_str()));
    else if (a == "--timeout") opt.request_timeout = Millis(std::atoi(v->c_str()));
    else if (a == "--qop") opt.preferred_qop = *v == "auth-int" ? http::Qop::auth_int : http::Qop::auth;
    else if (a == "--connect-to") {
      auto eq = v->find('=');
      if (eq == std::string::npos) return std::fprintf(stderr, "utcli: --connect-to is HOST:PORT=ADDRESS\n"), 2;
      auto r = resolve.add(v->substr(0, eq), v->substr(eq + 1));
      if (!r) return std::fprintf(stderr, "utcli: %s\n", r.error().describe().c_str()), 2;
    } else {
      std::fprintf(stderr, "utcli: unknown http option '%s'\n\n%s", a.c_str(), kHttpHelp);
      return 2;
    }
  }
  if (!proxy.empty()) {
    auto p = http::parse_url(proxy);
    if (!p) return std::fprintf(stderr, "utcli: --proxy: %s\n", p.error().describe().c_str()), 2;
    opt.proxy = p.value();
  }

  posix::SystemClock clock;
  auto random = posix::make_system_random();
  if (!random) return std::fprintf(stderr, "utcli: %s\n", random.error().describe().c_str()), 1;
  std::shared_ptr<tls::TlsContext> tls;
  auto cache = tls::TlsSessionCache::create(clock).value();
  if (!ca.empty()) {
    tls::TlsConfig cfg;
    cfg.trust.ca_file = ca;
    auto ctx = tls::TlsContext::create(cfg, *random.value(), clock, cache.get());
    if (!ctx) return std::fprintf(stderr, "utcli: %s\n", ctx.error().describe().c_str()), 3;
    tls = ctx.value();
  }
  posix::TcpTransportFactory tcp(&resolve);
  http::HttpClient client(tcp, *random.value(), clock, tls, opt);
  std::unique_ptr<http::StaticCredentials> creds;
  if (!user.empty()) {
    const char* pw = password_env.empty() ? nullptr : std::getenv(password_env.c_str());
    if (pw == nullptr) return std::fprintf(stderr, "utcli: --user needs --password-env naming a set variable\n"), 2;
    creds = std::make_unique<http::StaticCredentials>(user, SecretBytes(ByteView::of(pw)));
    client.set_credentials(creds.get());
  }
  http::Request req;
  req.method = method;
  for (const auto& h : extra_headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos) return std::fprintf(stderr, "utcli: -H takes 'Name: value'\n"), 2;
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    req.headers.add(h.substr(0, colon), value);
  }
  if (!data_file.empty()) {
    std::ifstream in(data_file, std::ios::binary);
    if (!in) return std::fprintf(stderr, "utcli: cannot read %s\n", data_file.c_str()), 2;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string body = ss.str();
    req.body.assign(body.begin(), body.end());
  }

  nlohmann::json responses = nlohmann::json::array();
  int exit_code = 0;
  for (int n = 0; n < repeat; ++n) {
    auto r = client.send(url.value(), req);
    if (!r) {
      if (as_json) {
        responses.push_back({{"ok", false}, {"error", to_string(r.error().code())}, {"message", r.error().message()}});
      } else {
        std::fprintf(stderr, "utcli: %s\n", r.error().describe().c_str());
      }
      exit_code = r.error().module() == ErrorModule::auth ? 5 : 4;
      break;
    }
    if (as_json) {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [k, v] : r->headers.fields()) headers[k] = v;
      responses.push_back({{"ok", true}, {"status", r->status}, {"headers", headers}, {"body", r->body_text()}});
    } else {
      std::printf("HTTP/1.%d %d %s\n", r->version_minor, r->status, r->reason.c_str());
      for (const auto& [k, v] : r->headers.fields()) std::printf("%s: %s\n", k.c_str(), v.c_str());
      std::printf("\n%s", r->body_text().c_str());
      if (!r->body.empty() && r->body.back() != '\n') std::printf("\n");
    }
    if (r->status >= 400) exit_code = 6;
  }
  const auto& s = client.stats();
  if (as_json) {
    nlohmann::json out = {{"url", args[1]},
                          {"responses", responses},
                          {"stats",
                           {{"tcp_connects", s.tcp_connects}, {"tls_full", s.tls_full}, {"tls_resumed", s.tls_resumed},
                            {"proxy_tunnels", s.proxy_tunnels}, {"exchanges", s.exchanges},
                            {"preemptive_auth", s.preemptive_auth}, {"round_trips", s.round_trips()},
                            {"bytes_sent", s.bytes_sent}, {"bytes_received", s.bytes_received}}}};
    if (auto info = client.tls_info(url.value())) {
      char id[8];
      std::snprintf(id, sizeof id, "0x%04X", info->suite_id);
      out["tls"] = {{"version", tls::to_string(info->version)}, {"suite", info->suite}, {"suite_id", id}};
    }
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::fprintf(stderr, "-- %d round trips (%d TCP, %d TLS full, %d TLS resumed, %d tunnels, %d exchanges), "
                         "%llu bytes sent, %llu received\n",
                 s.round_trips(), s.tcp_connects, s.tls_full, s.tls_resumed, s.proxy_tunnels, s.exchanges,
                 static_cast<unsigned long long>(s.bytes_sent), static_cast<unsigned long long>(s.bytes_received));
  }
  return exit_code;
}

}  // namespace utcli
