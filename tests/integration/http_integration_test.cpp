// The HTTP client against netsim's HTTP server on loopback: keep-alive and
// its retry, deadlines, Digest (challenge, cached nonce, stale, single-use
// nonces, auth-int, rspauth, bounded retries, no-challenge 401) over plain
// TCP and over TLS, where the provider sees the negotiated suite.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "http_server.hpp"
#include "utkit/http/client.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"

using namespace utkit;
using namespace utkit::http;
using namespace std::chrono_literals;

namespace {

std::string pki(const std::string& f) {
  const char* d = std::getenv("UTKIT_PKI_DIR");
  REQUIRE(d != nullptr);
  return std::string(d) + "/" + f;
}

// A loopback server's options: plain TCP, or TLS with the test PKI's NAF certificate.
netsim::StreamServer::Options server_options(bool tls) {
  netsim::StreamServer::Options o;
  o.tls = tls;
  if (tls) {
    o.cert_file = pki("good.pem");
    o.key_file = pki("good.key");
  }
  return o;
}

std::unique_ptr<netsim::HttpServer> serve(netsim::HttpServer::Handler h, bool tls = false) {
  auto s = netsim::HttpServer::start(server_options(tls), std::move(h));
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  return std::move(s).value();
}

struct Env {
  posix::SystemClock clock;
  std::unique_ptr<Random> random = posix::make_system_random().value();
  posix::ResolveOverrides resolve;
  posix::TcpTransportFactory tcp{&resolve};
  std::shared_ptr<tls::TlsContext> tls;
  std::unique_ptr<tls::TlsSessionCache> cache = tls::TlsSessionCache::create(clock).value();

  Env() {
    tls::TlsConfig cfg;
    cfg.trust.ca_file = pki("ca.pem");
    tls = tls::TlsContext::create(cfg, *random, clock, cache.get()).value();
  }
  Url url(const netsim::HttpServer& s, const std::string& path, bool https = false) {
    (void)resolve.add("naf.example.test:" + std::to_string(s.port()), "127.0.0.1");
    return parse_url(std::string(https ? "https" : "http") + "://naf.example.test:" + std::to_string(s.port()) + path)
        .value();
  }
  HttpClient client(HttpClientOptions o = {}) { return HttpClient(tcp, *random, clock, tls, o); }
};

// Counts calls; refuses to do better after a refusal.
struct CountingProvider final : CredentialProvider {
  std::string user = "alice", password = "secret";
  int calls = 0;
  int max_attempt_seen = -1;
  std::uint16_t tls_suite = 0;
  Result<DigestCredentials> credentials(const AuthRequest& r) override {
    ++calls;
    max_attempt_seen = std::max(max_attempt_seen, r.attempt);
    if (r.tls) tls_suite = r.tls->suite_id;
    if (r.attempt > 1) return Error(Errc::auth_failed, "refused twice");
    return DigestCredentials{user, SecretBytes(ByteView::of(password)), {}};
  }
};

netsim::HttpServer::Handler guarded(netsim::DigestGuard& guard, const std::string& password = "secret") {
  return [&guard, password](const netsim::HttpRequest& req) {
    auto out = guard.check(req, [&](const std::string& u, const std::string&) -> std::optional<std::string> {
      if (u == "alice") return password;
      return std::nullopt;
    });
    if (!out.authorized) return out.challenge;
    auto reply = netsim::HttpReply::text(200, "hello " + out.username + " " + req.method + " " + req.body);
    out.sign(reply);
    return reply;
  };
}

}  // namespace

TEST_CASE("http client: keep-alive reuses one connection") {
  auto srv = serve([](const netsim::HttpRequest& r) { return netsim::HttpReply::text(200, "got " + r.target); });
  Env env;
  auto c = env.client();
  for (int i = 0; i < 3; ++i) {
    auto r = c.send(env.url(*srv, "/doc/" + std::to_string(i)), Request{});
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    CHECK(r->status == 200);
    CHECK(r->body_text() == "got /doc/" + std::to_string(i));
  }
  CHECK(srv->connections() == 1);
  CHECK(c.stats().tcp_connects == 1);
  CHECK(c.stats().exchanges == 3);
  CHECK(c.stats().bytes_sent > 0);
  CHECK(c.stats().bytes_received > 0);
}

TEST_CASE("http client: a closed kept-alive connection is retried once for idempotent methods") {
  auto srv = serve([](const netsim::HttpRequest& r) {
    auto reply = netsim::HttpReply::text(200, r.method);
    reply.close_silently = true;  // the server drops idle connections without saying so
    return reply;
  });
  Env env;
  auto c = env.client();
  REQUIRE(c.send(env.url(*srv, "/a"), Request{}).ok());
  auto second = c.send(env.url(*srv, "/a"), Request{});
  REQUIRE_MESSAGE(second.ok(), second.error().describe());
  CHECK(srv->connections() == 2);

  // The dead connection is seen before anything is sent (an EOF waiting on
  // it, once the server's FIN has arrived): even a POST goes out on a new
  // connection, sent once.
  std::this_thread::sleep_for(100ms);
  Request post;
  post.method = "POST";
  post.body = Bytes{'x'};
  auto p = c.send(env.url(*srv, "/a"), post);
  REQUIRE_MESSAGE(p.ok(), p.error().describe());
  CHECK(srv->connections() == 3);
}

TEST_CASE("http client: a request lost on a reused connection is sent again only when idempotent") {
  std::atomic<int> gets{0}, posts{0};
  auto srv = serve([&](const netsim::HttpRequest& r) {
    auto reply = netsim::HttpReply::text(200, r.method);
    if (r.target == "/lost") {
      ++(r.method == "POST" ? posts : gets);
      reply.drop = true;  // read the request, then close without answering
    }
    return reply;
  });
  Env env;
  auto c = env.client();
  REQUIRE(c.send(env.url(*srv, "/a"), Request{}).ok());
  Request post;
  post.method = "POST";
  post.body = Bytes{'x'};
  auto p = c.send(env.url(*srv, "/lost"), post);
  CHECK_FALSE(p.ok());
  CHECK(posts.load() == 1);  // never replayed
  REQUIRE(c.send(env.url(*srv, "/a"), Request{}).ok());
  auto g = c.send(env.url(*srv, "/lost"), Request{});
  CHECK_FALSE(g.ok());
  CHECK(gets.load() == 2);  // once more on a new connection, then the error
}

TEST_CASE("http client: deadlines") {
  auto srv = serve([](const netsim::HttpRequest&) {
    auto r = netsim::HttpReply::text(200, "late");
    r.delay = 800ms;
    return r;
  });
  Env env;
  HttpClientOptions o;
  o.io_timeout = 200ms;
  auto c = env.client(o);
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.send(env.url(*srv, "/"), Request{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_timeout);
  CHECK(std::chrono::steady_clock::now() - t0 < 700ms);
}

TEST_CASE("http client: Digest, then the cached nonce saves a round trip") {
  netsim::DigestGuard guard({"netsim", "MD5", "auth", false, true, false, "opq"});
  auto srv = serve(guarded(guard));
  Env env;
  CountingProvider prov;
  auto c = env.client();
  c.set_credentials(&prov);
  auto r = c.send(env.url(*srv, "/x?y=1"), Request{});
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == 200);
  CHECK(r->body_text() == "hello alice GET ");
  CHECK(c.stats().exchanges == 2);
  CHECK(prov.calls == 1);
  c.reset_stats();
  auto r2 = c.send(env.url(*srv, "/x?y=2"), Request{});
  REQUIRE(r2.ok());
  CHECK(r2->status == 200);
  CHECK(c.stats().exchanges == 1);  // Authorization from the cached nonce, nc=2
  CHECK(c.stats().preemptive_auth == 1);
  CHECK(prov.calls == 1);
  CHECK(guard.challenges_sent() == 1);
}

TEST_CASE("http client: single-use nonces and stale=true need no new credentials") {
  netsim::DigestGuard guard({"netsim", "MD5", "auth", true, true, false, ""});
  auto srv = serve(guarded(guard));
  Env env;
  CountingProvider prov;
  auto c = env.client();
  c.set_credentials(&prov);
  REQUIRE(c.send(env.url(*srv, "/1"), Request{})->status == 200);
  auto r = c.send(env.url(*srv, "/2"), Request{});  // cached nonce is used up: 401 stale=true
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == 200);
  CHECK(prov.calls == 1);
}

TEST_CASE("http client: auth-int with a body, SHA-256, and RFC 2069 servers") {
  for (auto [alg, qop] : {std::pair<std::string, std::string>{"MD5", "auth-int"}, {"SHA-256", "auth"},
                          {"MD5-sess", "auth,auth-int"}, {"", ""}}) {
    SUBCASE((alg + "/" + qop).c_str()) {
      netsim::DigestGuard guard({"netsim", alg, qop, false, true, false, ""});
      auto srv = serve(guarded(guard));
      Env env;
      CountingProvider prov;
      HttpClientOptions o;
      o.preferred_qop = Qop::auth_int;
      auto c = env.client(o);
      c.set_credentials(&prov);
      Request put;
      put.method = "PUT";
      put.body = Bytes{'<', 'a', '/', '>'};
      auto r = c.send(env.url(*srv, "/doc"), put);
      REQUIRE_MESSAGE(r.ok(), r.error().describe());
      CHECK(r->status == 200);
      CHECK(r->body_text() == "hello alice PUT <a/>");
    }
  }
}

TEST_CASE("http client: a wrong rspauth is an error") {
  netsim::DigestGuard guard({"netsim", "MD5", "auth", false, true, true, ""});
  auto srv = serve(guarded(guard));
  Env env;
  CountingProvider prov;
  auto c = env.client();
  c.set_credentials(&prov);
  auto r = c.send(env.url(*srv, "/"), Request{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::auth_rspauth_mismatch);
}

TEST_CASE("http client: wrong credentials end in auth_failed, bounded") {
  netsim::DigestGuard guard({"netsim", "MD5", "auth", false, true, false, ""});
  auto srv = serve(guarded(guard, "other-password"));
  Env env;
  CountingProvider prov;
  auto c = env.client();
  c.set_credentials(&prov);
  auto r = c.send(env.url(*srv, "/"), Request{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::auth_failed);
  CHECK(prov.calls <= 3);
  CHECK(prov.max_attempt_seen >= 1);
  CHECK(srv->requests() <= 4);

  StaticCredentials fixed("alice", SecretBytes(ByteView::of("nope")));
  auto c2 = env.client();
  c2.set_credentials(&fixed);
  auto r2 = c2.send(env.url(*srv, "/"), Request{});
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().code() == Errc::auth_failed);
  CHECK(r2.error().message().find("refused the credentials of 'alice'") != std::string::npos);

  auto c3 = env.client();
  auto r3 = c3.send(env.url(*srv, "/"), Request{});
  CHECK(r3.error().code() == Errc::auth_no_credentials);
}

TEST_CASE("http client: a 401 without a challenge after a cached nonce is retried once without it") {
  std::atomic<int> n{0};
  netsim::DigestGuard guard({"netsim", "MD5", "auth", false, true, false, ""});
  auto inner = guarded(guard);
  auto srv = serve([&](const netsim::HttpRequest& req) {
    if (++n == 3) return netsim::HttpReply::text(401, "go away");  // no WWW-Authenticate
    return inner(req);
  });
  Env env;
  CountingProvider prov;
  auto c = env.client();
  c.set_credentials(&prov);
  REQUIRE(c.send(env.url(*srv, "/"), Request{})->status == 200);  // requests 1, 2
  auto r = c.send(env.url(*srv, "/"), Request{});                   // 3: bare 401; 4: challenge; 5: ok
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == 200);
}

TEST_CASE("http client over TLS: the provider sees the negotiated suite") {
  netsim::DigestGuard guard({"3GPP-bootstrapping@naf.example.test", "MD5", "auth", false, true, false, ""});
  auto srv = serve(guarded(guard), true);
  Env env;
  CountingProvider prov;
  auto c = env.client();
  c.set_credentials(&prov);
  auto url = env.url(*srv, "/xcap-root/", true);
  auto r = c.send(url, Request{});
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == 200);
  CHECK(prov.tls_suite == 0x002F);
  CHECK(c.tls_info(url)->suite_id == 0x002F);
  CHECK(c.stats().tls_full == 1);
  c.close_connections();
  auto again = c.send(url, Request{});
  REQUIRE(again.ok());
  CHECK(c.stats().tls_resumed == 1);
}

TEST_CASE("http client: hostile responses are clean errors") {
  auto srv = serve([](const netsim::HttpRequest& r) {
    netsim::HttpReply rep = netsim::HttpReply::text(200, "x");
    if (r.target == "/drop") rep.drop = true;
    if (r.target == "/huge") rep.body = std::string(2 << 20, 'a');
    return rep;
  });
  Env env;
  HttpClientOptions o;
  o.limits.max_body = 1 << 20;
  auto c = env.client(o);
  auto dropped = c.send(env.url(*srv, "/drop"), Request{});
  REQUIRE_FALSE(dropped.ok());
  CHECK((dropped.error().code() == Errc::http_truncated || dropped.error().code() == Errc::net_peer_closed));
  auto huge = c.send(env.url(*srv, "/huge"), Request{});
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().code() == Errc::http_body_too_large);
  Request bad;
  bad.headers.add("X-Evil", "a\r\nInjected: yes");
  CHECK(c.send(env.url(*srv, "/"), bad).error().code() == Errc::http_bad_request);
}

namespace {

// A server that writes whatever the test says, byte for byte: for answers no
// well-behaved server sends (unsolicited responses, bytes after a response).
std::unique_ptr<netsim::StreamServer> raw_server(netsim::StreamServer::Handler h, bool tls) {
  auto s = netsim::StreamServer::start(server_options(tls), std::move(h));
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  return std::move(s).value();
}

// Reads one request head (these tests send no bodies); false at EOF.
bool read_request(netsim::Connection& c) {
  std::string head;
  unsigned char b;
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (c.read(&b, 1) <= 0) return false;
    head += static_cast<char>(b);
  }
  return true;
}

void write_text(netsim::Connection& c, const std::string& s) {
  (void)c.write(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::string ok_with(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

Url raw_url(Env& env, const netsim::StreamServer& s, const std::string& path, bool https) {
  (void)env.resolve.add("naf.example.test:" + std::to_string(s.port()), "127.0.0.1");
  return parse_url(std::string(https ? "https" : "http") + "://naf.example.test:" + std::to_string(s.port()) + path)
      .value();
}

}  // namespace

TEST_CASE("http client: an unsolicited response sent while a connection was idle is never taken as the next answer") {
  for (bool tls : {false, true}) {
    CAPTURE(tls);
    std::atomic<int> conns{0};
    auto srv = raw_server(
        [&](netsim::Connection& c) {
          const int n = conns++;
          if (!read_request(c)) return;
          if (n == 0) {
            write_text(c, ok_with("first"));
            std::this_thread::sleep_for(50ms);
            write_text(c, ok_with("stray"));  // nobody asked
            while (read_request(c)) write_text(c, ok_with("late"));
          } else {
            write_text(c, ok_with("fresh"));
            while (read_request(c)) write_text(c, ok_with("fresh"));
          }
        },
        tls);
    Env env;
    auto c = env.client();
    auto first = c.send(raw_url(env, *srv, "/1", tls), Request{});
    REQUIRE_MESSAGE(first.ok(), first.error().describe());
    CHECK(first->body == "first");
    std::this_thread::sleep_for(200ms);
    auto second = c.send(raw_url(env, *srv, "/2", tls), Request{});
    REQUIRE_MESSAGE(second.ok(), second.error().describe());
    CHECK(second->body == "fresh");
    CHECK(conns.load() == 2);
  }
}

TEST_CASE("http client: bytes after a response close the connection") {
  std::atomic<int> conns{0};
  auto srv = raw_server(
      [&](netsim::Connection& c) {
        ++conns;
        while (read_request(c)) write_text(c, ok_with("one") + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbad");
      },
      false);
  Env env;
  auto c = env.client();
  auto a = c.send(raw_url(env, *srv, "/1", false), Request{});
  REQUIRE(a.ok());
  auto b = c.send(raw_url(env, *srv, "/2", false), Request{});
  REQUIRE(b.ok());
  CHECK(b->body == "one");
  CHECK(conns.load() == 2);
}

TEST_CASE("http client: a 408 on a reused connection sends an idempotent request once more on a new one") {
  std::atomic<int> conns{0};
  auto srv = raw_server(
      [&](netsim::Connection& c) {
        const int n = conns++;
        if (!read_request(c)) return;
        write_text(c, ok_with(n == 0 ? "one" : "two"));
        if (n == 0 && read_request(c)) {
          write_text(c, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
          return;
        }
        while (read_request(c)) write_text(c, ok_with("two"));
      },
      false);
  Env env;
  auto c = env.client();
  REQUIRE(c.send(raw_url(env, *srv, "/1", false), Request{}).ok());
  auto r = c.send(raw_url(env, *srv, "/2", false), Request{});
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "two");
  CHECK(conns.load() == 2);
}

TEST_CASE("http client: a connection idle for longer than max_idle is not reused") {
  auto srv = serve([](const netsim::HttpRequest&) { return netsim::HttpReply::text(200, "x"); });
  Env env;
  HttpClientOptions o;
  o.max_idle = 100ms;
  auto c = env.client(o);
  REQUIRE(c.send(env.url(*srv, "/1"), Request{}).ok());
  REQUIRE(c.send(env.url(*srv, "/2"), Request{}).ok());
  CHECK(srv->connections() == 1);  // within max_idle: reused
  std::this_thread::sleep_for(300ms);
  REQUIRE(c.send(env.url(*srv, "/3"), Request{}).ok());
  CHECK(srv->connections() == 2);
}

TEST_CASE("http client: a request sent again on a new connection carries a new nonce count") {
  // The server reads the request (its nonce count is then used), then drops
  // the connection: the copy on the new connection must not be a replay.
  netsim::DigestGuard guard({"netsim", "MD5", "auth", false, true, false, ""});
  std::atomic<int> lost{0};
  auto srv = serve([&](const netsim::HttpRequest& r) {
    auto out = guard.check(r, [](const std::string&, const std::string&) { return std::optional<std::string>("pw"); });
    if (!out.authorized) return out.challenge;
    auto reply = netsim::HttpReply::text(200, "ok");
    if (r.target == "/lost" && lost++ == 0) reply.drop = true;
    return reply;
  });
  Env env;
  auto c = env.client();
  StaticCredentials cred("alice", SecretBytes(ByteView::of("pw")));
  c.set_credentials(&cred);
  REQUIRE(c.send(env.url(*srv, "/a"), Request{}).ok());  // challenge, answer: kept alive
  auto r = c.send(env.url(*srv, "/lost"), Request{});     // preemptive nc=2, lost; then nc=3
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == 200);
  CHECK(guard.challenges_sent() == 1);  // no second challenge: the copy was not taken for a replay
}
