// netsim::HttpServer — a small HTTP/1.1 server for the local test network,
// over a StreamServer (plain or TLS). Requests with Content-Length bodies,
// keep-alive, and fault switches on each reply (close silently, drop the
// connection without answering, delay).
//
// netsim::DigestGuard — the server side of HTTP Digest (RFC 7616/2617/3310):
// challenges with fresh nonces, verification of Authorization with a
// password lookup, nonce counts (replays refused), stale nonces,
// single-use nonces, rspauth in Authentication-Info (optionally corrupted).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "tls_server.hpp"
#include "utkit/http/message.hpp"

namespace netsim {

struct HttpRequest {
  std::string method;
  std::string target;
  utkit::http::Headers headers;
  std::string body;
  std::uint16_t tls_suite = 0;  // negotiated TLS suite; 0 over plain TCP
};

struct HttpReply {
  int status = 200;
  std::string reason;
  utkit::http::Headers headers;
  std::string body;
  bool close = false;           // Connection: close, then close
  bool close_silently = false;  // close after the reply without saying so
  bool drop = false;            // close without any reply
  std::chrono::milliseconds delay{0};

  static HttpReply text(int status, std::string body, std::string content_type = "text/plain");
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;
  static utkit::Result<std::unique_ptr<HttpServer>> start(StreamServer::Options options, Handler handler);
  ~HttpServer() { stop(); }  // before the members the worker threads use go away

  std::uint16_t port() const { return server_->port(); }
  std::size_t connections() const { return server_->connections(); }
  std::size_t requests() const { return requests_; }
  void stop() {
    if (server_) server_->stop();
  }

 private:
  void serve(Connection& c);
  Handler handler_;
  std::unique_ptr<StreamServer> server_;
  std::atomic<std::size_t> requests_{0};
};

class DigestGuard {
 public:
  struct Options {
    std::string realm = "netsim";
    std::string algorithm = "MD5";  // as sent in the challenge; "" omits it
    std::string qop = "auth";       // "auth", "auth-int", "auth,auth-int" or "" (RFC 2069)
    bool single_use_nonces = false;
    bool send_rspauth = true;
    bool corrupt_rspauth = false;
    std::string opaque;
  };
  // Password bytes for a user name (and the nonce it answers: AKA passwords
  // depend on the challenge), or nothing for an unknown user.
  using Lookup = std::function<std::optional<std::string>(const std::string& username, const std::string& nonce)>;

  struct Outcome {
    bool authorized = false;
    std::string username;
    std::string auts;          // an AKA resynchronisation request (RFC 3310)
    HttpReply challenge;       // the 401 to send when not authorized
    // Adds Authentication-Info (rspauth over the reply's body for auth-int)
    // to an authorized reply.
    std::function<void(HttpReply&)> sign;
  };

  explicit DigestGuard(Options options) : opt_(std::move(options)) {}

  // A fresh challenge (401). `stale` marks a nonce that expired.
  HttpReply challenge(bool stale = false, const std::string& nonce = {});
  Outcome check(const HttpRequest& request, const Lookup& lookup);
  // Retires every nonce: the next request with any of them gets stale=true.
  void expire_nonces();

  std::size_t challenges_sent() const { return challenges_; }

 private:
  Options opt_;
  std::mutex mu_;
  std::map<std::string, std::set<unsigned long>> nonces_;  // nonce -> nc values seen
  std::set<std::string> retired_;
  std::size_t challenges_ = 0;
  unsigned counter_ = 0;
};

}  // namespace netsim
