#include "http_server.hpp"

#include <cctype>

#include <mbedtls/sha256.h>

#include <cstring>
#include <thread>

#include "utkit/base/encoding.hpp"
#include "utkit/http/digest.hpp"

namespace netsim {

using utkit::http::Headers;

HttpReply HttpReply::text(int status, std::string body, std::string content_type) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  r.headers.add("Content-Type", std::move(content_type));
  return r;
}

namespace {
const char* reason_of(int s) {
  switch (s) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Status";
}
}  // namespace

utkit::Result<std::unique_ptr<HttpServer>> HttpServer::start(StreamServer::Options options, Handler handler) {
  std::unique_ptr<HttpServer> s(new HttpServer);
  s->handler_ = std::move(handler);
  HttpServer* raw = s.get();
  UTKIT_ASSIGN(s->server_, StreamServer::start(std::move(options), [raw](Connection& c) { raw->serve(c); }));
  return s;
}

void HttpServer::serve(Connection& c) {
  std::string buf;
  unsigned char tmp[16384];
  for (;;) {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (buf.size() > 65536) return;
      int n = c.read(tmp, sizeof tmp);
      if (n <= 0) return;
      buf.append(reinterpret_cast<char*>(tmp), static_cast<std::size_t>(n));
    }
    HttpRequest req;
    req.tls_suite = c.suite();
    std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    std::size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    auto sp1 = first.find(' '), sp2 = first.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return;
    req.method = first.substr(0, sp1);
    req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(v.begin());
        req.headers.add(line.substr(0, colon), v);
      }
      pos = e + 2;
    }
    std::size_t len = 0;
    if (const std::string* cl = req.headers.find("Content-Length")) len = std::strtoul(cl->c_str(), nullptr, 10);
    while (buf.size() < len) {
      int n = c.read(tmp, sizeof tmp);
      if (n <= 0) return;
      buf.append(reinterpret_cast<char*>(tmp), static_cast<std::size_t>(n));
    }
    req.body = buf.substr(0, len);
    buf.erase(0, len);
    ++requests_;

    HttpReply r = handler_(req);
    // A delayed reply, cut short when the server stops.
    for (auto until = std::chrono::steady_clock::now() + r.delay;
         std::chrono::steady_clock::now() < until && !server_->stopping();) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (r.drop) {
      c.abort();
      return;
    }
    const bool close = r.close || req.headers.has_token("Connection", "close");
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + (r.reason.empty() ? reason_of(r.status) : r.reason) + "\r\n";
    for (const auto& [k, v] : r.headers.fields()) out += k + ": " + v + "\r\n";
    if (r.status != 204 && r.status != 304 && !r.headers.has("Content-Length")) {
      out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    }
    if (close) out += "Connection: close\r\n";
    out += "\r\n";
    if (req.method != "HEAD") out += r.body;
    if (c.write(reinterpret_cast<const unsigned char*>(out.data()), out.size()) <= 0) return;
    if (close || r.close_silently) return;
  }
}

// ---- DigestGuard ----

HttpReply DigestGuard::challenge(bool stale, const std::string& fixed_nonce) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string nonce = fixed_nonce;
  if (nonce.empty()) {
    unsigned char d[32];
    std::string seed = opt_.realm + std::to_string(++counter_) +
                       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), d, 0);
    nonce = utkit::base64_encode(utkit::ByteView(d, 18));
  }
  nonces_[nonce];
  ++challenges_;
  std::string h = "Digest realm=\"" + opt_.realm + "\", nonce=\"" + nonce + "\"";
  if (!opt_.algorithm.empty()) h += ", algorithm=" + opt_.algorithm;
  if (!opt_.qop.empty()) h += ", qop=\"" + opt_.qop + "\"";
  if (!opt_.opaque.empty()) h += ", opaque=\"" + opt_.opaque + "\"";
  if (stale) h += ", stale=true";
  HttpReply r = HttpReply::text(401, "authentication required\n");
  r.headers.add("WWW-Authenticate", h);
  return r;
}

void DigestGuard::expire_nonces() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [n, ncs] : nonces_) retired_.insert(n);
  nonces_.clear();
}

DigestGuard::Outcome DigestGuard::check(const HttpRequest& req, const Lookup& lookup) {
  Outcome out;
  const std::string* auth = req.headers.find("Authorization");
  if (auth == nullptr || auth->compare(0, 7, "Digest ") != 0) {
    out.challenge = challenge();
    return out;
  }
  auto params = utkit::http::parse_auth_params(std::string_view(*auth).substr(7));
  if (!params) {
    out.challenge = HttpReply::text(400, "malformed Authorization\n");
    return out;
  }
  std::map<std::string, std::string> p(params->begin(), params->end());
  const std::string nonce = p["nonce"], nc = p["nc"], qop = p["qop"];
  out.username = p["username"];
  out.auts = p["auts"];
  if (p["realm"] != opt_.realm || p["uri"] != req.target) {
    out.challenge = challenge();
    return out;
  }
  auto pw = lookup(out.username, nonce);
  if (!pw) {
    out.challenge = challenge();
    return out;
  }
  const std::string password = out.auts.empty() ? *pw : std::string();
  utkit::http::Qop q = qop == "auth" ? utkit::http::Qop::auth
                       : qop == "auth-int" ? utkit::http::Qop::auth_int
                                           : utkit::http::Qop::none;
  // As strict as a real server: the answer uses a qop the challenge offered
  // (an auth answer to an auth-int-only challenge is refused), and nc is
  // eight hex digits, compared as a number (00000001 and 1 are one value).
  const bool offered = opt_.qop.empty() ? q == utkit::http::Qop::none
                       : q == utkit::http::Qop::auth
                           ? (opt_.qop == "auth" || opt_.qop == "auth,auth-int")
                           : q == utkit::http::Qop::auth_int && opt_.qop.find("auth-int") != std::string::npos;
  unsigned long nc_value = 0;
  if (q != utkit::http::Qop::none) {
    bool hex8 = nc.size() == 8;
    for (char ch : nc) hex8 = hex8 && std::isxdigit(static_cast<unsigned char>(ch)) != 0;
    if (!hex8) {
      out.challenge = HttpReply::text(400, "nc must be 8 hex digits\n");
      return out;
    }
    nc_value = std::stoul(nc, nullptr, 16);
  }
  if (!offered) {
    out.challenge = challenge();
    return out;
  }
  auto alg_ch = utkit::http::parse_challenges({"Digest realm=\"x\", nonce=\"y\", algorithm=" +
                                               (opt_.algorithm.empty() ? std::string("MD5") : opt_.algorithm)});
  const auto alg = alg_ch->at(0).algorithm;
  auto expect = utkit::http::DigestSession::compute_response(alg, out.username, opt_.realm, utkit::ByteView::of(password),
                                                             nonce, req.method, req.target, q, nc, p["cnonce"],
                                                             utkit::ByteView::of(req.body));
  if (!expect || !utkit::constant_time_equal(utkit::ByteView::of(*expect), utkit::ByteView::of(p["response"]))) {
    out.challenge = challenge();
    return out;
  }
  enum { fresh, stale, unknown, replay } verdict = fresh;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nonces_.find(nonce);
    if (it == nonces_.end()) {
      verdict = retired_.count(nonce) != 0 ? stale : unknown;
    } else if (q != utkit::http::Qop::none && !it->second.insert(nc_value).second) {
      verdict = replay;
    } else if (opt_.single_use_nonces) {
      retired_.insert(nonce);
      nonces_.erase(it);
    }
  }
  if (verdict != fresh) {
    out.challenge = challenge(verdict == stale);
    return out;
  }
  if (!out.auts.empty()) {
    // A resync request is not an authorization: the caller answers it.
    return out;
  }
  out.authorized = true;
  if (opt_.send_rspauth && q != utkit::http::Qop::none) {
    const bool corrupt = opt_.corrupt_rspauth;
    const std::string realm = opt_.realm, user = out.username, target = req.target, cnonce = p["cnonce"];
    out.sign = [=](HttpReply& reply) {
      auto rsp = utkit::http::DigestSession::compute_response(alg, user, realm, utkit::ByteView::of(password), nonce,
                                                              "", target, q, nc, cnonce, utkit::ByteView::of(reply.body));
      std::string value = *rsp;
      if (corrupt) value[0] = value[0] == '0' ? '1' : '0';
      reply.headers.add("Authentication-Info",
                        "rspauth=\"" + value + "\", cnonce=\"" + cnonce + "\", nc=" + nc + ", qop=" + qop);
    };
  } else {
    out.sign = [](HttpReply&) {};
  }
  return out;
}

}  // namespace netsim
