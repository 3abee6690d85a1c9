// utcli http: one HTTP(S) request with the SDK's client — Digest
// authentication, TLS with the TS 33.141 profile, an optional proxy
// (CONNECT for https). For checking a server by hand; also drives the HTTP
// interop tests.
#include "http_cmd.hpp"

#include <nlohmann/json.hpp>

#include "output.hpp"

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
    return usage_error("http needs METHOD and URL", kHttpHelp);
  }
  const std::string method = args[0];
  auto url = http::parse_url(args[1]);
  if (!url) return fail(url.error(), 2);

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
    if ((v = value()) == nullptr) return usage_error(a + " needs a value");
    if (a == "--user") user = *v;
    else if (a == "--password-env") password_env = *v;
    else if (a == "--ca") ca = *v;
    else if (a == "--proxy") proxy = *v;
    else if (a == "--data") data_file = *v;
    else if (a == "-H") extra_headers.push_back(*v);
    else if (a == "--repeat") {
      auto n = parse_count(*v, 1, 1000);
      if (!n) return usage_error("--repeat takes a whole number from 1 to 1000, not '" + *v + "'");
      repeat = *n;
    } else if (a == "--timeout") {
      auto n = parse_count(*v, 1, 3600000);
      if (!n) return usage_error("--timeout takes milliseconds from 1 to 3600000, not '" + *v + "'");
      opt.request_timeout = Millis(*n);
    } else if (a == "--qop") {
      if (*v != "auth" && *v != "auth-int") return usage_error("--qop is auth or auth-int, not '" + *v + "'");
      opt.preferred_qop = *v == "auth-int" ? http::Qop::auth_int : http::Qop::auth;
    }
    else if (a == "--connect-to") {
      auto eq = v->find('=');
      if (eq == std::string::npos) return usage_error("--connect-to is HOST:PORT=ADDRESS");
      auto r = resolve.add(v->substr(0, eq), v->substr(eq + 1));
      if (!r) return fail(r.error(), 2);
    } else {
      return usage_error("unknown http option '" + a + "'", kHttpHelp);
    }
  }
  if (!proxy.empty()) {
    auto p = http::parse_url(proxy);
    if (!p) return usage_error("--proxy: " + p.error().describe());
    opt.proxy = p.value();
  }

  posix::SystemClock clock;
  auto random = posix::make_system_random();
  if (!random) return fail(random.error(), 1);
  std::shared_ptr<tls::TlsContext> tls;
  auto cache = tls::TlsSessionCache::create(clock).value();
  if (!ca.empty()) {
    tls::TlsConfig cfg;
    cfg.trust.ca_file = ca;
    auto ctx = tls::TlsContext::create(cfg, *random.value(), clock, cache.get());
    if (!ctx) return fail(ctx.error(), 3);
    tls = ctx.value();
  }
  posix::TcpTransportFactory tcp(&resolve);
  http::HttpClient client(tcp, *random.value(), clock, tls, opt);
  std::unique_ptr<http::StaticCredentials> creds;
  if (!user.empty()) {
    const char* pw = password_env.empty() ? nullptr : std::getenv(password_env.c_str());
    if (pw == nullptr) return usage_error("--user needs --password-env naming a set variable");
    creds = std::make_unique<http::StaticCredentials>(user, SecretBytes(ByteView::of(pw)));
    client.set_credentials(creds.get());
  }
  http::Request req;
  req.method = method;
  for (const auto& h : extra_headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos) return usage_error("-H takes 'Name: value'");
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    req.headers.add(h.substr(0, colon), value);
  }
  if (!data_file.empty()) {
    auto body = read_regular_file(data_file, 16u << 20);
    if (!body) return fail(std::move(body).error().with_context("--data"));
    req.body.assign(body->begin(), body->end());
  }

  nlohmann::json responses = nlohmann::json::array();
  int exit_code = 0;
  for (int n = 0; n < repeat; ++n) {
    auto r = client.send(url.value(), req);
    if (!r) {
      if (as_json) {
        responses.push_back({{"ok", false}, {"error", to_string(r.error().code())}, {"message", r.error().message()}});
      } else {
        std::fprintf(stderr, "utcli: %s\n", term(r.error().describe()).c_str());
      }
      exit_code = exit_code_for(r.error());
      break;
    }
    if (as_json) {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [k, v] : r->headers.fields()) headers[k] = v;
      responses.push_back({{"ok", true}, {"status", r->status}, {"headers", headers}, {"body", r->body_text()}});
    } else {
      std::printf("HTTP/1.%d %d %s\n", r->version_minor, r->status, term(r->reason).c_str());
      for (const auto& [k, v] : r->headers.fields()) std::printf("%s: %s\n", term(k).c_str(), term(v).c_str());
      std::printf("\n%s", term(r->body_text()).c_str());
      if (!r->body.empty() && r->body.back() != '\n') std::printf("\n");
    }
    if (r->status >= 400) exit_code = kHttpStatus;
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
    print_json(out);
  } else {
    std::fprintf(stderr, "-- %d round trips (%d TCP, %d TLS full, %d TLS resumed, %d tunnels, %d exchanges), "
                         "%llu bytes sent, %llu received\n",
                 s.round_trips(), s.tcp_connects, s.tls_full, s.tls_resumed, s.proxy_tunnels, s.exchanges,
                 static_cast<unsigned long long>(s.bytes_sent), static_cast<unsigned long long>(s.bytes_received));
  }
  return exit_code;
}

}  // namespace utcli
