#include "bsf.hpp"

#include "utkit/base/encoding.hpp"
#include "utkit/gba/context.hpp"
#include "utkit/http/digest.hpp"

namespace netsim {

using namespace utkit;

Bsf::Bsf(Options o, Auc auc, const Clock& clock, Random& random)
    : opt_(std::move(o)), auc_(std::move(auc)), clock_(clock), random_(random),
      guard_({opt_.host, "AKAv1-MD5", opt_.qop, true, true, false, ""}) {}

Result<std::unique_ptr<Bsf>> Bsf::start(Options o, Auc auc, const Clock& clock, Random& random) {
  std::unique_ptr<Bsf> b(new Bsf(std::move(o), std::move(auc), clock, random));
  Bsf* raw = b.get();
  UTKIT_ASSIGN(b->http_, HttpServer::start(b->opt_.server, [raw](const HttpRequest& r) { return raw->handle(r); }));
  return b;
}

HttpReply Bsf::new_challenge(const std::string& impi) {
  auto v = auc_.next_vector(impi, random_);
  if (!v) return HttpReply::text(403, "unknown subscriber\n");
  if (fault_ == Fault::bad_mac) v->autn[15] ^= 0x01;
  Bytes nonce_bytes = v->rand;
  append(nonce_bytes, ByteView(v->autn));
  const std::string nonce = base64_encode(ByteView(nonce_bytes));
  {
    std::lock_guard<std::mutex> lock(mu_);
    vectors_[nonce] = Vector{impi, v->rand, std::move(v->xres), std::move(v->ck), std::move(v->ik)};
  }
  HttpReply r = guard_.challenge(false, nonce);
  if (opt_.md5_first) {
    http::Headers h;
    h.add("WWW-Authenticate", "Digest realm=\"" + opt_.host + "\", nonce=\"md5-" + nonce + "\", algorithm=MD5, qop=\"auth\"");
    for (const auto& [name, value] : r.headers.fields()) h.add(name, value);
    r.headers = std::move(h);
  }
  return r;
}

HttpReply Bsf::handle(const HttpRequest& req) {
  const Fault fault = fault_;
  if (fault == Fault::cut) {
    HttpReply r;
    r.drop = true;
    return r;
  }
  if (fault == Fault::status_500) {
    HttpReply r;
    r.status = 500;
    return r;
  }
  if (req.method != "GET") return HttpReply::text(405, "Ub uses GET\n");
  if (const std::string* ua = req.headers.find("User-Agent")) {
    std::lock_guard<std::mutex> lock(mu_);
    last_user_agent_ = *ua;
  }
  const std::string* auth = req.headers.find("Authorization");
  if (auth == nullptr) return HttpReply::text(400, "Ub needs an Authorization header with the IMPI\n");
  auto params = http::parse_auth_params(std::string_view(*auth).substr(auth->rfind("Digest ", 0) == 0 ? 7 : 0));
  if (!params) return HttpReply::text(400, "malformed Authorization\n");
  std::string username, nonce;
  for (auto& [k, v] : params.value()) {
    if (k == "username") username = v;
    if (k == "nonce") nonce = v;
  }
  if (!auc_.has(username)) return HttpReply::text(403, "unknown subscriber\n");
  if (nonce.empty()) {
    // The initial request (TS 24.109 4.4.2): a fresh AKA challenge.
    if (fault == Fault::sqn_out_of_range) {
      auc_.rewind(username);
      fault_ = Fault::none;
    }
    return new_challenge(username);
  }

  auto out = guard_.check(req, [&](const std::string& user, const std::string& n) -> std::optional<std::string> {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = vectors_.find(n);
    if (it == vectors_.end() || it->second.impi != user) return std::nullopt;
    return std::string(it->second.xres.view().as_string());  // RFC 3310: the password is XRES
  });
  Vector vec;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = vectors_.find(nonce);
    if (it != vectors_.end()) {
      known = true;
      vec = Vector{it->second.impi, it->second.rand, it->second.xres.clone(), it->second.ck.clone(), it->second.ik.clone()};
      vectors_.erase(it);  // one answer per vector
    }
  }
  if (!known) return new_challenge(username);  // (new_challenge takes mu_ itself)
  if (!out.auts.empty()) {
    // RFC 3310 3.4 / TS 33.102 6.3.5: resynchronise, then challenge again.
    auto auts = base64_decode(out.auts);
    if (!auts) return HttpReply::text(400, "auts is not base64\n");
    auto sqn_ms = auc_.resync(username, ByteView(vec.rand), ByteView(auts.value()));
    if (!sqn_ms) return HttpReply::text(403, "resynchronisation refused: " + sqn_ms.error().message() + "\n");
    ++resyncs_;
    return new_challenge(username);
  }
  if (!out.authorized || fault == Fault::refuse_res) return new_challenge(username);
  if (fault == Fault::unavailable_after_auth) return HttpReply::text(503, "try later\n");

  // Bootstrapped: B-TID = base64(RAND) "@" BSF server name (TS 33.220 4.5.2).
  std::string btid = base64_encode(ByteView(vec.rand)) + "@" + opt_.host;
  if (fault == Fault::foreign_btid) btid = "chosen-by-someone-else@" + opt_.host;
  if (fault == Fault::unsigned_foreign_host) btid = base64_encode(ByteView(vec.rand)) + "@attacker.example";
  WallTime expiry = clock_.wall_now() + opt_.lifetime;
  if (fault == Fault::expired_lifetime) expiry = clock_.wall_now() - std::chrono::seconds(60);
  {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[btid] = Session{username, SecretBytes::concat(vec.ck.view(), vec.ik.view()), vec.rand, expiry};
  }
  ++bootstraps_;
  HttpReply r;
  r.status = 200;
  r.headers.add("Content-Type", "application/vnd.3gpp.bsf+xml");
  switch (fault) {
    case Fault::malformed_xml:
      r.body = "<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><btid>" + btid + "</btid><lifetime>";
      break;
    case Fault::hostile_xml:
      r.body = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
               "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;"
               "&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\n<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><btid>&lol3;</btid>"
               "<lifetime>2030-01-01T00:00:00Z</lifetime></BootstrappingInfo>";
      break;
    default:
      r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BootstrappingInfo xmlns=\"uri:3gpp-gba\">\n  <btid>" +
               btid + "</btid>\n  <lifetime>" + gba::format_xsd_datetime(expiry) + "</lifetime>\n</BootstrappingInfo>\n";
  }
  if (fault == Fault::wrong_rspauth) {
    r.headers.add("Authentication-Info", "rspauth=\"00112233445566778899aabbccddeeff\", qop=auth-int");
  } else if (fault != Fault::no_rspauth && fault != Fault::unsigned_foreign_host) {
    out.sign(r);
  }
  if (fault == Fault::slow) r.delay = std::chrono::milliseconds(opt_.slow_ms);
  return r;
}

Result<Bsf::NafKey> Bsf::naf_key(const std::string& btid, ByteView naf_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(btid);
  if (it == sessions_.end()) return Error(Errc::gba_no_context, "unknown B-TID " + btid);
  if (clock_.wall_now() >= it->second.expiry) return Error(Errc::gba_no_context, "B-TID " + btid + " has expired");
  UTKIT_ASSIGN(SecretBytes k, gba::ks_naf(it->second.ks.view(), ByteView(it->second.rand), it->second.impi, naf_id));
  return NafKey{std::move(k), it->second.impi, it->second.expiry};
}

void Bsf::forget_all() {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.clear();
}

}  // namespace netsim
