#include "utkit/http/client.hpp"
#include "../base/text.hpp"

namespace utkit::http {

using namespace std::string_view_literals;

Result<DigestCredentials> StaticCredentials::credentials(const AuthRequest& req) {
  if (!realm_.empty() && req.challenge.realm != realm_) {
    return make_error(Errc::auth_no_credentials, "no credentials for realm '{}' (configured: '{}')",
                      {req.challenge.realm, realm_});
  }
  if (req.attempt > 0) {
    return make_error(Errc::auth_failed, "the server refused the credentials of '{}' for realm '{}'",
                      {username_, req.challenge.realm});
  }
  return DigestCredentials{username_, password_.clone(), {}};
}

struct HttpClient::Conn {
  std::unique_ptr<Transport> transport;
  std::optional<tls::TlsInfo> tls;
  bool used = false;
  MonoTime idle_since{};  // when its last response ended
  TransportStats counted{};
};

namespace {
bool idempotent(const std::string& m) {
  return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
}
bool connection_lost(const Error& e) {
  return e.code() == Errc::net_peer_closed || e.code() == Errc::net_io || e.code() == Errc::http_truncated;
}
}  // namespace

HttpClient::HttpClient(TransportFactory& tcp, Random& random, const Clock& clock,
                       std::shared_ptr<tls::TlsContext> tls, HttpClientOptions options, const Logger* log)
    : tcp_(tcp), random_(random), clock_(clock), tls_(std::move(tls)), opt_(std::move(options)), log_(log) {}

HttpClient::~HttpClient() = default;

Millis HttpClient::left(MonoTime deadline, Millis cap) const {
  auto rest = std::chrono::duration_cast<Millis>(deadline - clock_.monotonic_now());
  if (rest.count() <= 0) return Millis(0);
  return rest < cap ? rest : cap;
}

void HttpClient::close_connections() { pool_.clear(); }

void HttpClient::forget_auth(const Url& url) { auth_.erase(url.origin()); }

std::optional<HttpClient::SavedAuth> HttpClient::saved_auth(const Url& url) const {
  const AuthEntry* e = auth_.find(url.origin());
  if (e == nullptr || e->restored) return std::nullopt;
  auto header = challenge_header(e->session.challenge());
  if (!header) return std::nullopt;
  return SavedAuth{std::move(header).value(), e->session.nonce_count(), e->credentials.username};
}

Result<void> HttpClient::restore_auth(const Url& url, const SavedAuth& saved) {
  UTKIT_ASSIGN(std::vector<Challenge> all, parse_challenges({saved.challenge}));
  UTKIT_ASSIGN(Challenge ch, select_challenge(all, opt_.challenges));
  DigestSession session(ch, opt_.preferred_qop);
  session.set_nonce_count(saved.nonce_count);
  AuthEntry e{std::move(session), DigestCredentials{saved.username, SecretBytes(), {}}, true};
  auth_.set(url.origin(), std::move(e));
  return success();
}

std::optional<tls::TlsInfo> HttpClient::tls_info(const Url& url) const {
  const std::unique_ptr<Conn>* c = pool_.find(url.origin());
  if (c == nullptr || !(*c)->transport->is_open()) return std::nullopt;
  return (*c)->tls;
}

// Whether a pooled connection may carry the next request (client.hpp).
bool HttpClient::reusable(Conn& c, const std::string& key) const {
  const char* why = nullptr;
  if (!c.transport->is_open()) {
    why = "closed";
  } else if (clock_.monotonic_now() - c.idle_since > opt_.max_idle) {
    why = "idle for longer than max_idle (a NAT on the path may have dropped it)";
  } else if (!c.transport->idle_clean()) {
    why = "not idle: the server sent something after its last response, or closed it";
  }
  if (why == nullptr) return true;
  if (logs(log_)) log_->debug("http", format("not reusing the connection to {}: {}", {key, why}));
  return false;
}

Result<HttpClient::Conn*> HttpClient::connection(const Url& url, MonoTime deadline, const CancelToken* cancel) {
  const std::string key = url.origin();
  if (std::unique_ptr<Conn>* c = pool_.find(key)) {
    if (reusable(**c, key)) return c->get();
    pool_.erase(key);
  }
  if (url.tls() && !tls_) {
    return make_error(Errc::http_bad_url, "https URL '{}' but no TLS configuration was given", {url.origin()});
  }
  auto conn = std::make_unique<Conn>();
  std::unique_ptr<Transport> t = tcp_.create();
  const Endpoint ep = opt_.proxy ? Endpoint{opt_.proxy->host, opt_.proxy->port} : Endpoint{url.host, url.port};
  Millis budget = left(deadline, opt_.connect_timeout);
  if (budget.count() == 0) return make_error(Errc::net_timeout, {"request deadline passed before connecting to ", key});
  // Name lookup, connect, CONNECT and the handshake end at once on cancel.
  t->set_cancel(cancel);
  UTKIT_TRY(t->connect(ep, budget));
  ++stats_.tcp_connects;
  if (url.tls()) {
    if (opt_.proxy) {
      // WAP-219-TLS tunnelling: CONNECT host:port through the proxy, then TLS end to end.
      Request c;
      c.method = "CONNECT";
      c.target = url.host.find(':') != std::string::npos ? format("[{}]:{}", {url.host, Dec(url.port)})
                                                         : cat({url.host, ":", Dec(url.port)});
      c.headers.add("Host", c.target);
      c.headers.add("User-Agent", opt_.user_agent);
      UTKIT_ASSIGN(std::string wire, serialize(c));
      // The proxy's whole answer within io_timeout, however it is split.
      const MonoTime answer_by = std::min(deadline, clock_.monotonic_now() + opt_.io_timeout);
      UTKIT_TRY(t->write(ByteView::of(wire), left(answer_by, opt_.io_timeout)));
      ResponseParser p(opt_.limits);
      p.set_request_method("CONNECT");
      std::uint8_t buf[1];
      while (p.need_more()) {
        // Read a byte at a time: bytes after the proxy's answer belong to TLS.
        UTKIT_ASSIGN(std::size_t n, t->read(buf, 1, left(answer_by, opt_.io_timeout)));
        if (n == 0) {
          UTKIT_TRY(p.finish());
          break;
        }
        UTKIT_TRY(p.feed(ByteView(buf, n)));
      }
      const int st = p.response().status;
      if (st < 200 || st > 299) {
        return make_error(Errc::http_proxy, "the proxy {} answered {} {} to CONNECT {}",
                          {opt_.proxy->authority(), Dec(st), p.response().reason, c.target});
      }
      ++stats_.proxy_tunnels;
    }
    auto ts = std::make_unique<tls::TlsStream>(tls_, std::move(t));
    UTKIT_TRY(ts->start_tls({url.host, url.port}, left(deadline, opt_.connect_timeout)));
    conn->tls = ts->info();
    if (conn->tls->resumed) {
      ++stats_.tls_resumed;
    } else {
      ++stats_.tls_full;
    }
    t = std::move(ts);
  }
  t->set_cancel(nullptr);  // a pooled connection holds no caller's token
  conn->transport = std::move(t);
  conn->idle_since = clock_.monotonic_now();
  Conn* raw = conn.get();
  pool_.set(key, std::move(conn));
  if (logs(log_))
    log_->debug("http", cat({"connected to ", key, (opt_.proxy ? cat({" via proxy ", opt_.proxy->authority()}) : "")}));
  return raw;
}

Result<void> HttpClient::check_cancel(const Request& req) const {
  if (req.cancel != nullptr && req.cancel->fired()) return cancelled_error(*req.cancel, cat({req.method, " ", req.target}));
  return success();
}

Result<Response> HttpClient::exchange(const Url& url, const Request& req, MonoTime started, MonoTime deadline,
                                      bool& retry_fresh) {
  retry_fresh = false;
  UTKIT_TRY(check_cancel(req));
  UTKIT_ASSIGN(Conn * c, connection(url, deadline, req.cancel));
  const bool reused = c->used;
  const bool pooled = reused && c->idle_since < started;
  UTKIT_ASSIGN(std::string wire, serialize(req));
  const std::string key = url.origin();
  auto account = [&] {
    TransportStats now = c->transport->stats();
    stats_.bytes_sent += now.bytes_written - c->counted.bytes_written;
    stats_.bytes_received += now.bytes_read - c->counted.bytes_read;
    c->counted = now;
  };
  auto drop = [&] {
    account();
    pool_.erase(key);
  };
  // The caller's token wakes every wait of this exchange; a connection goes
  // back to the pool without it, whatever way this returns (an allocation
  // failure unwinding through the C API's boundary included).
  struct NoTokenAfter {
    StringMap<std::unique_ptr<Conn>>& pool;
    const std::string& key;
    ~NoTokenAfter() {
      if (std::unique_ptr<Conn>* p = pool.find(key)) (*p)->transport->set_cancel(nullptr);
    }
  } no_token_after{pool_, key};
  c->transport->set_cancel(req.cancel);
  auto w = c->transport->write(ByteView::of(wire), left(deadline, opt_.io_timeout));
  if (!w) {
    retry_fresh = reused && connection_lost(w.error());
    Error e = std::move(w).error();
    drop();
    return e;
  }
  c->used = true;
  ResponseParser parser(opt_.limits);
  parser.set_request_method(req.method);
  // On the stack: 4 KiB is one record of a handset's or a microcontroller's
  // TLS (MFL, mbedTLS's content length), and a bigger record simply arrives
  // in several reads. It was 16 KiB: a third of a Cortex-M4 firmware's stack.
  std::uint8_t buf[4096];
  std::size_t received = 0;
  bool trailing = false;  // bytes after the response: the connection is not kept
  // The whole answer within io_timeout (and the request's deadline); on a
  // reused connection an idempotent request waits only reused_first_byte for
  // its first byte, then goes out again on a fresh one.
  // (Only a connection that waited in the pool: not the one that has just
  // carried this request's 401, whose server may take its time over the answer.)
  const MonoTime answer_by = std::min(deadline, clock_.monotonic_now() + opt_.io_timeout);
  const bool short_first = reused && pooled && idempotent(req.method) && opt_.reused_first_byte.count() > 0;
  while (parser.need_more()) {
    const Millis budget = left(answer_by, opt_.io_timeout);
    const bool windowed = received == 0 && short_first && opt_.reused_first_byte < budget;
    auto n = c->transport->read(buf, sizeof buf, windowed ? opt_.reused_first_byte : budget);
    if (!n) {
      const bool silent = windowed && n.error().code() == Errc::net_timeout;
      retry_fresh = reused && received == 0 && (connection_lost(n.error()) || silent);
      Error e = std::move(n).error();
      drop();
      return e;
    }
    if (n.value() == 0) {
      auto f = parser.finish();
      if (!f) {
        retry_fresh = reused && received == 0;
        drop();
        return std::move(f).error();
      }
      break;
    }
    received += n.value();
    auto used = parser.feed(ByteView(buf, n.value()));
    if (!used) {
      drop();
      return std::move(used).error();
    }
    trailing = used.value() < n.value();
  }
  ++stats_.exchanges;
  // A 408 on a reused connection: the server timed the idle connection out
  // before it read this request (RFC 9110 15.5.9), so it may go out again.
  if (reused && parser.response().status == 408) retry_fresh = true;
  const bool keep = opt_.keep_alive && parser.keep_alive() && !trailing && !retry_fresh;
  if (trailing && logs(log_)) log_->debug("http", format("bytes after the response from {}: closing the connection", {key}));
  if (keep) {
    account();
    c->idle_since = clock_.monotonic_now();
  } else {
    drop();
  }
  return parser.take();
}

Result<Response> HttpClient::exchange_retrying(const Url& url, Request& req, MonoTime started, MonoTime deadline,
                                               bool authorized) {
  bool retry_fresh = false;
  auto r = exchange(url, req, started, deadline, retry_fresh);
  if (!retry_fresh || !idempotent(req.method)) return r;
  if (logs(log_)) {
    log_->debug("http", format("the kept-alive connection to {} did not answer ({}); once more on a new one",
                               {url.origin(), (r ? cat({Dec(r->status), " ", r->reason}) : r.error().describe())}));
  }
  // The server may have seen the first copy: the second carries a new nonce
  // count, so that it is not refused as a replay (a refusal would cost a new
  // GBA bootstrap).
  if (authorized) {
    if (AuthEntry* e = auth_.find(url.origin())) {
      UTKIT_ASSIGN(std::string h, e->session.authorize(req.method, req.target, ByteView(req.body), e->credentials, random_));
      req.headers.set("Authorization"sv, std::move(h));
    }
  }
  return exchange(url, req, started, deadline, retry_fresh);
}

// Credentials from the provider for `ch`. Over https the provider sees the
// connection's TLS parameters (GBA derives Ks_NAF from the negotiated suite),
// so a connection the server closed with its 401 is opened again first:
// without it an https NAF would get a plain-http NAF_Id.
Result<DigestCredentials> HttpClient::ask_provider(const Url& url, const Challenge& ch, int attempt, MonoTime deadline,
                                                   const Request& request) {
  UTKIT_TRY(check_cancel(request));
  if (url.tls()) UTKIT_TRY(connection(url, deadline, request.cancel));
  std::optional<tls::TlsInfo> info = tls_info(url);
  if (url.tls() && !info) return make_error(Errc::internal, {"no TLS parameters for ", url.origin()});
  AuthRequest areq{url, ch, info ? &*info : nullptr, attempt, deadline, request.cancel};
  return provider_->credentials(areq);
}

Result<Response> HttpClient::send(const Url& url, Request request) {
  const MonoTime started = clock_.monotonic_now();
  const MonoTime deadline = request.deadline ? MonoTime(*request.deadline) : started + opt_.request_timeout;
  const std::string key = url.origin();
  request.target = (opt_.proxy && !url.tls()) ? cat({url.origin(), url.target}) : url.target;
  request.headers.set("Host"sv, url.authority());
  if (!request.headers.has("User-Agent"sv)) request.headers.add("User-Agent", opt_.user_agent);
  for (const auto& [name, value] : opt_.headers) {
    if (!request.headers.has(name)) request.headers.add(name, value);
  }
  if (!opt_.keep_alive) request.headers.set("Connection"sv, "close");

  bool preemptive = false;
  // Entries of auth_ are used through pointers, which stay valid across the
  // provider: it never calls into this client (CredentialProvider), and
  // ask_provider() itself changes only pool_.
  if (AuthEntry* e = auth_.find(key); e != nullptr && e->restored) {
    // A restored protection space: ask for its credentials now (after
    // connecting: the provider may need the TLS parameters, GBA's NAF_Id
    // does). On any failure the saved state is dropped, never used with an
    // empty password; the request then waits for a challenge as usual.
    if (provider_ == nullptr) {
      auth_.erase(key);
    } else {
      auto cred = ask_provider(url, e->session.challenge(), 0, deadline, request);
      if (!cred) {
        auth_.erase(key);
        const Errc code = cred.error().code();
        // A cancel ends the request; anything else (a saved state that no
        // longer fits, a damaged one) is forgotten, and the request waits for
        // the server's own challenge, where a real failure shows again.
        if (code == Errc::cancelled || code == Errc::net_changed) return std::move(cred).error();
        if (logs(log_)) {
          log_->debug("http", format("the restored Digest state of {} is not usable ({}); waiting for a challenge",
                                     {key, cred.error().describe()}));
        }
      } else if (cred->username == e->credentials.username) {
        e->credentials = std::move(cred).value();
        e->restored = false;
      } else {
        auth_.erase(key);  // saved for another user (a new B-TID since): wait for a challenge
      }
    }
  }
  if (AuthEntry* e = auth_.find(key)) {
    auto h = e->session.authorize(request.method, request.target, ByteView(request.body), e->credentials, random_);
    if (h) {
      request.headers.set("Authorization"sv, h.value());
      preemptive = true;
      ++stats_.preemptive_auth;
    }
  }

  int rounds = 0;
  int refused = 0;
  bool retried_without_auth = false;
  bool refused_without_challenge = false;
  // An Authorization the caller set itself (e.g. the Ub request's empty one,
  // TS 24.109) is not an answer to a challenge.
  bool sent_auth = preemptive;
  // The request goes out again with an Authorization from `entry`.
  auto answer = [&](AuthEntry& entry) -> Result<void> {
    UTKIT_ASSIGN(std::string header, entry.session.authorize(request.method, request.target, ByteView(request.body),
                                                             entry.credentials, random_));
    request.headers.set("Authorization"sv, std::move(header));
    preemptive = false;
    sent_auth = true;
    return success();
  };
  for (;;) {
    UTKIT_ASSIGN(Response rsp, exchange_retrying(url, request, started, deadline, sent_auth));
    if (rsp.status != 401) {
      // rspauth proves a successful authentication (RFC 7616 3.5): checked on
      // a 2xx. Another status is handed back as it is (a BSF's 503 is a 503,
      // not a missing rspauth); the caller trusts nothing in it.
      if (sent_auth && rsp.status >= 200 && rsp.status <= 299) {
        if (AuthEntry* e = auth_.find(key)) {
          UTKIT_ASSIGN(rsp.rspauth_verified,
                       e->session.verify(rsp.headers, rsp.body_bytes(), e->credentials, opt_.require_rspauth));
        }
      }
      if (logs(log_))
        log_->debug("http", format("{} {}{} -> {}", {request.method, key, request.target, Dec(rsp.status)}));
      return rsp;
    }

    const auto values = rsp.headers.all("WWW-Authenticate"sv);
    if (values.empty()) {
      if (preemptive && !retried_without_auth) {
        // A 401 without a challenge to a cached nonce: drop it, retry once without.
        auth_.erase(key);
        request.headers.remove("Authorization"sv);
        preemptive = false;
        sent_auth = false;
        retried_without_auth = true;
        continue;
      }
      AuthEntry* e = auth_.find(key);
      if (sent_auth && e != nullptr && provider_ != nullptr && !refused_without_challenge) {
        // RFC 9110 requires a challenge with a 401, but some servers (NAFs
        // among them) send none when they refuse the credentials themselves
        // (an unknown B-TID). Treat it as that refusal: the provider is asked
        // once more, as after a refused answer (GBA bootstraps again), and the
        // request is answered under the challenge we had. Once only.
        refused_without_challenge = true;
        const Challenge ch = e->session.challenge();
        const std::uint32_t used = e->session.nonce_count();
        UTKIT_ASSIGN(DigestCredentials cred, ask_provider(url, ch, ++refused, deadline, request));
        DigestSession session(ch, opt_.preferred_qop);
        session.set_nonce_count(used);  // the nonce is the same: never repeat an nc under it
        e = &auth_.set(key, AuthEntry{std::move(session), std::move(cred)});
        if (logs(log_))
          log_->debug("http",
                      format("401 without a challenge from {}: credentials refused; asked for new ones", {key}));
        UTKIT_TRY(answer(*e));
        continue;
      }
      return make_error(Errc::auth_failed, "the server answered 401 to {}{} without a challenge{}",
                        {key, request.target, (refused_without_challenge ? ", again after new credentials" : "")});
    }
    UTKIT_ASSIGN(std::vector<Challenge> all, parse_challenges(values));
    UTKIT_ASSIGN(Challenge ch, select_challenge(all, opt_.challenges));
    if (++rounds > opt_.max_auth_rounds) {
      return make_error(Errc::auth_failed, "the server refused authentication {} times for realm '{}' at {}",
                        {Dec(rounds - 1), ch.realm, key});
    }
    AuthEntry* e = auth_.find(key);
    if (ch.stale && sent_auth && e != nullptr && e->session.challenge().realm == ch.realm) {
      // Only the nonce expired: same credentials, new nonce (RFC 7616 3.3).
      UTKIT_TRY(e->session.renew(ch));
      if (logs(log_)) log_->debug("http", format("stale nonce for realm '{}'; retrying with the new one", {ch.realm}));
    } else {
      if (sent_auth && !preemptive) ++refused;
      if (provider_ == nullptr) {
        return make_error(Errc::auth_no_credentials,
                          "{} asks for Digest authentication (realm '{}') but no credentials are configured",
                          {key, ch.realm});
      }
      UTKIT_ASSIGN(DigestCredentials cred, ask_provider(url, ch, refused, deadline, request));
      e = &auth_.set(key, AuthEntry{DigestSession(ch, opt_.preferred_qop), std::move(cred)});
    }
    UTKIT_TRY(answer(*e));
  }
}

}  // namespace utkit::http
