// utkit/http/client.hpp — an HTTP/1.1 client with Digest authentication.
//
// * Connections: plain TCP or TLS (tls module) from a TransportFactory; one
//   kept-alive connection per origin. A pooled connection is reused only if
//   nothing has arrived on it since its last response (a stray answer can
//   never be taken for the next one), the peer has not closed it, and it has
//   been idle for less than max_idle (cellular NATs forget idle mappings
//   without a word). A connection with bytes after a response is closed. On
//   a reused connection, an EOF, a reset or a 408 before any byte of the
//   answer, or no first byte within reused_first_byte, sends an idempotent
//   request once more on a fresh connection; other requests are never replayed.
// * Deadlines: connect and I/O timeouts, and an overall deadline per request,
//   each enforced across every low-level read and write (a peer that sends a
//   byte at a time cannot stretch a call); a cancel token ends the request at
//   once, wherever it waits.
// * Proxy: an explicit HTTP proxy; https goes through a CONNECT tunnel
//   (WAP-219-TLS tunnelling, TS 33.141 T10), http in absolute form.
// * Digest: 401 challenges are answered with credentials from a
//   CredentialProvider (the gba module supplies (IMPI, RES) on Ub and
//   (B-TID, base64(Ks_NAF)) on Ua). The next request to the same origin is
//   sent with an Authorization from the cached nonce (nc+1), saving a round
//   trip; a 401 to it falls back to a normal challenge, once. stale=true is
//   retried with the new nonce without asking for credentials. rspauth in
//   Authentication-Info is verified. Every retry is bounded: a server that
//   keeps answering 401 gives auth_failed, never a loop.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "utkit/base/clock.hpp"
#include "utkit/version.h"
#include "utkit/base/log.hpp"
#include "utkit/base/random.hpp"
#include "utkit/base/string_map.hpp"
#include "utkit/base/transport.hpp"
#include "utkit/http/digest.hpp"
#include "utkit/http/parser.hpp"
#include "utkit/http/writer.hpp"
#include "utkit/tls/tls_stream.hpp"

namespace utkit::http {

struct AuthRequest {
  const Url& url;
  const Challenge& challenge;
  const tls::TlsInfo* tls;  // the connection's TLS parameters; nullptr over plain http
  int attempt;              // 0 for the first challenge of a request; >0 after credentials were refused
  // The request's limits, for a provider that does network work of its own
  // (GBA bootstraps on Ub): it must finish by `deadline` and stop on `cancel`.
  MonoTime deadline = MonoTime::max();
  const CancelToken* cancel = nullptr;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Credentials for a challenge. Returning an error aborts the request
  // without sending anything more (e.g. AKA found the network not authentic).
  // With attempt > 0 the server refused the previous answer; a provider that
  // cannot do better returns auth_failed. It may do network work of its own
  // (through its own clients), but must not call into the HttpClient that
  // asks it (no send, restore_auth, forget_auth, close_connections): that
  // client is in the middle of the request and holds its Digest state.
  virtual Result<DigestCredentials> credentials(const AuthRequest& request) = 0;
};

// A fixed user name and password, for one realm or any.
class StaticCredentials final : public CredentialProvider {
 public:
  StaticCredentials(std::string username, SecretBytes password, std::string realm = {})
      : username_(std::move(username)), password_(std::move(password)), realm_(std::move(realm)) {}
  Result<DigestCredentials> credentials(const AuthRequest& request) override;

 private:
  std::string username_;
  SecretBytes password_;
  std::string realm_;
};

struct HttpClientOptions {
  Millis connect_timeout{10000};
  Millis io_timeout{15000};
  Millis request_timeout{30000};  // the whole send(), retries included
  // A kept-alive connection idle for longer is closed, not reused: below the
  // 30-60 s after which cellular NATs drop idle TCP mappings silently.
  Millis max_idle{25000};
  // On a reused connection, an idempotent request that sees no byte of its
  // answer within this goes out once more on a fresh connection, so a
  // black-holed connection costs this, not io_timeout. 0: wait for io_timeout.
  Millis reused_first_byte{4000};
  std::optional<Url> proxy;       // http://proxy:port
  std::string user_agent = "utkit/" UTKIT_VERSION_STRING;
  // Sent on every request that does not set them itself (an operator's
  // profile may ask for some). Checked by UtSession::create.
  std::vector<std::pair<std::string, std::string>> headers;
  ParserLimits limits;
  bool keep_alive = true;
  int max_auth_rounds = 3;        // 401s answered per request
  Qop preferred_qop = Qop::auth;  // when a server offers both auth and auth-int
  ChallengePolicy challenges;     // which of a 401's challenges may be answered
  bool require_rspauth = false;   // refuse responses without a verified rspauth
};

// Round trips and bytes, for benchmarks and -v output.
struct ClientStats {
  int tcp_connects = 0;
  int tls_full = 0;
  int tls_resumed = 0;
  int proxy_tunnels = 0;
  int exchanges = 0;            // request/response pairs on the wire
  int preemptive_auth = 0;      // requests sent with a cached nonce
  std::uint64_t bytes_sent = 0;  // on the wire, TLS records included
  std::uint64_t bytes_received = 0;
  // TCP 1, full TLS 2, resumed TLS 1, CONNECT 1, each exchange 1.
  int round_trips() const { return tcp_connects + 2 * tls_full + tls_resumed + proxy_tunnels + exchanges; }
};

class HttpClient {
 public:
  // `tcp`, `random`, `clock` and `log` must outlive the client. Without a
  // TLS context, https URLs are refused.
  HttpClient(TransportFactory& tcp, Random& random, const Clock& clock, std::shared_ptr<tls::TlsContext> tls,
             HttpClientOptions options = {}, const Logger* log = nullptr);
  // The clock deadlines are measured on (the platform's).
  const Clock& clock() const { return clock_; }
  // The platform's random source (cnonces; XCAP retry jitter).
  Random& random() const { return random_; }
  ~HttpClient();

  void set_credentials(CredentialProvider* provider) { provider_ = provider; }

  // Sends `request` to `url` (method, headers and body from `request`; the
  // target, Host, User-Agent and Content-Length are filled in). Returns the
  // final response, whatever its status (401 included when authentication
  // cannot go further without being an error).
  Result<Response> send(const Url& url, Request request);

  // The TLS parameters of the open connection to `url`'s origin, if any.
  std::optional<tls::TlsInfo> tls_info(const Url& url) const;
  // Forgets the cached Digest state of `url`'s origin (next request waits
  // for a challenge).
  void forget_auth(const Url& url);

  // The Digest state of `url`'s origin, to persist so that a restarted
  // process answers without waiting for a 401: the challenge (as a header
  // value), the nonce count used so far, and the user name it was used with.
  // Never a password or anything derived from one.
  struct SavedAuth {
    std::string challenge;  // WWW-Authenticate value (challenge_header)
    std::uint32_t nonce_count = 0;
    std::string username;
  };
  std::optional<SavedAuth> saved_auth(const Url& url) const;
  // Restores a saved state: the next request to the origin asks the
  // credential provider for this challenge (after connecting, so the provider
  // sees the TLS parameters) and goes out with an Authorization at nc+1. A
  // stale or refused nonce then costs one 401, as with any cached nonce.
  Result<void> restore_auth(const Url& url, const SavedAuth& saved);
  void close_connections();

  const ClientStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }

 private:
  struct Conn;
  struct AuthEntry {
    DigestSession session;
    DigestCredentials credentials;
    bool restored = false;  // credentials not asked for yet (restore_auth)
  };

  Result<Conn*> connection(const Url& url, MonoTime deadline, const CancelToken* cancel = nullptr);
  bool reusable(Conn& c, const std::string& key) const;
  Result<Response> exchange(const Url& url, const Request& request, MonoTime started, MonoTime deadline,
                            bool& retry_fresh);
  Result<void> check_cancel(const Request& request) const;
  Result<DigestCredentials> ask_provider(const Url& url, const Challenge& ch, int attempt, MonoTime deadline,
                                         const Request& request);
  Result<Response> exchange_retrying(const Url& url, Request& request, MonoTime started, MonoTime deadline,
                                     bool authorized);
  Millis left(MonoTime deadline, Millis cap) const;

  TransportFactory& tcp_;
  Random& random_;
  const Clock& clock_;
  std::shared_ptr<tls::TlsContext> tls_;
  HttpClientOptions opt_;
  const Logger* log_;
  CredentialProvider* provider_ = nullptr;
  StringMap<std::unique_ptr<Conn>> pool_;  // per origin
  StringMap<AuthEntry> auth_;              // per origin
  ClientStats stats_;
};

}  // namespace utkit::http
