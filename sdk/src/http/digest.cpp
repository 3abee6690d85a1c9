#include "utkit/http/digest.hpp"

#include <mbedtls/md.h>

#include <cstdio>

#include "utkit/base/encoding.hpp"
#include "utkit/http/writer.hpp"
#include "../base/text.hpp"

namespace utkit::http {

using namespace std::string_view_literals;
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~': return true;
    default: return false;
  }
}

// A cursor over comma-separated auth-params (RFC 7235 2.1).
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  void skip_ws_commas() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
  }
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  std::string_view token() {
    std::size_t b = i_;
    while (i_ < s_.size() && is_tchar(s_[i_])) ++i_;
    return s_.substr(b, i_ - b);
  }
  // After '=': a quoted-string (with \-escapes) or a bare value up to ',' / white space.
  Result<std::string> value() {
    skip_ws();
    std::string out;
    if (peek() == '"') {
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out += s_[i_++];
      }
      if (i_ >= s_.size()) return Error(Errc::auth_bad_challenge, "unterminated quoted string in an authentication header");
      ++i_;
      return out;
    }
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ' ' && s_[i_] != '\t') out += s_[i_++];
    return out;
  }
  std::size_t pos() const { return i_; }
  void set_pos(std::size_t p) { i_ = p; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// DigestAlgorithm's names, in its order (text.hpp name lists).
constexpr const char kAlgorithms[] = "MD5\0MD5-sess\0SHA-256\0SHA-256-sess\0AKAv1-MD5\0AKAv2-MD5\0";

DigestAlgorithm algorithm_of(std::string_view a) {
  if (a.empty()) return DigestAlgorithm::md5;
  const int i = name_index(kAlgorithms, a, true);
  return i < 0 ? DigestAlgorithm::unknown : static_cast<DigestAlgorithm>(i);
}

mbedtls_md_type_t md_of(DigestAlgorithm a) {
  return (a == DigestAlgorithm::sha256 || a == DigestAlgorithm::sha256_sess) ? MBEDTLS_MD_SHA256 : MBEDTLS_MD_MD5;
}

bool is_sess(DigestAlgorithm a) { return a == DigestAlgorithm::md5_sess || a == DigestAlgorithm::sha256_sess; }

// Incremental hash, hex output.
class Hasher {
 public:
  explicit Hasher(mbedtls_md_type_t t) {
    mbedtls_md_init(&ctx_);
    mbedtls_md_setup(&ctx_, mbedtls_md_info_from_type(t), 0);
    mbedtls_md_starts(&ctx_);
  }
  ~Hasher() { mbedtls_md_free(&ctx_); }
  Hasher& add(ByteView b) {
    mbedtls_md_update(&ctx_, b.data(), b.size());
    return *this;
  }
  Hasher& add(std::string_view s) { return add(ByteView::of(s)); }
  // The ':' between the fields (one call, no string at each use).
  Hasher& colon() { return add(ByteView(reinterpret_cast<const std::uint8_t*>(":"), 1)); }
  std::string hex() {
    unsigned char out[MBEDTLS_MD_MAX_SIZE];
    mbedtls_md_finish(&ctx_, out);
    std::string h = to_hex(ByteView(out, mbedtls_md_get_size(mbedtls_md_info_from_ctx())));
    secure_wipe(out, sizeof out);
    return h;
  }

 private:
  const mbedtls_md_info_t* mbedtls_md_info_from_ctx() const { return ctx_.md_info; }
  mbedtls_md_context_t ctx_;
};

}  // namespace

const char* to_string(DigestAlgorithm a) {
  const char* name = name_at(kAlgorithms, static_cast<int>(a));
  return name != nullptr ? name : "unknown";
}

const char* to_string(Qop q) {
  switch (q) {
    case Qop::none: return "";
    case Qop::auth: return "auth";
    case Qop::auth_int: return "auth-int";
  }
  return "";
}

bool Challenge::usable() const {
  if (!is_digest() || algorithm == DigestAlgorithm::unknown) return false;
  return !has_qop || qop_auth || qop_auth_int;
}

Result<std::vector<Challenge>> parse_challenges(const std::vector<std::string_view>& values) {
  std::vector<Challenge> out;
  for (std::string_view v : values) {
    Lexer lx(v);
    Challenge* cur = nullptr;
    while (true) {
      lx.skip_ws_commas();
      if (lx.at_end()) break;
      std::string_view tok = lx.token();
      if (tok.empty()) {
        return make_error(Errc::auth_bad_challenge, "unexpected character '{}' in an authentication challenge",
                          {v.substr(lx.pos(), 1)});
      }
      std::size_t after = lx.pos();
      lx.skip_ws();
      if (lx.peek() == '=' && cur != nullptr) {
        lx.set_pos(lx.pos() + 1);
        UTKIT_ASSIGN(std::string val, lx.value());
        Challenge& c = *cur;
        // Other parameters (charset, ...) are ignored.
        switch (name_index("realm\0nonce\0opaque\0domain\0algorithm\0stale\0userhash\0qop\0", tok, true)) {
          case 0:
            c.realm = std::move(val);
            c.has_realm = true;
            break;
          case 1:
            c.nonce = std::move(val);
            break;
          case 2:
            c.opaque = std::move(val);
            c.has_opaque = true;
            break;
          case 3:
            c.domain = std::move(val);
            break;
          case 4:
            c.algorithm = algorithm_of(val);
            c.algorithm_text = std::move(val);
            break;
          case 5:
            c.stale = iequals(val, "true"sv);
            break;
          case 6:
            c.userhash = iequals(val, "true"sv);
            break;
          case 7:
            c.has_qop = true;
            c.qop_auth = list_has_token(val, "auth");
            c.qop_auth_int = list_has_token(val, "auth-int");
            break;
          default:
            break;
        }
        continue;
      }
      if (lx.peek() == '=' && cur == nullptr) {
        return make_error(Errc::auth_bad_challenge, "authentication parameter '{}' before any scheme", {tok});
      }
      // A new challenge: `tok` is its scheme.
      lx.set_pos(after);
      out.push_back(Challenge{});
      cur = &out.back();
      cur->scheme = std::string(tok);
      // token68 forms (Basic/Bearer/Negotiate credentials) are skipped.
    }
  }
  for (const Challenge& c : out) {
    if (!c.is_digest()) continue;
    if (!c.has_realm) return Error(Errc::auth_bad_challenge, "Digest challenge has no realm");
    if (c.nonce.empty())
      return make_error(Errc::auth_bad_challenge, "Digest challenge for realm '{}' has no nonce", {c.realm});
  }
  return out;
}

namespace {
// The strongest qop a challenge offers.
Qop best_qop(const Challenge& c) {
  if (!c.has_qop) return Qop::none;
  return c.qop_auth_int ? Qop::auth_int : Qop::auth;
}
}  // namespace

bool ChallengePolicy::accepts(const Challenge& c) const {
  return c.usable() && (algorithms & bit(c.algorithm)) != 0 &&
         static_cast<int>(best_qop(c)) >= static_cast<int>(min_qop);
}

Result<Challenge> select_challenge(const std::vector<Challenge>& challenges, const ChallengePolicy& policy) {
  bool any_digest = false;
  std::string seen;
  for (const Challenge& c : challenges) {
    if (!c.is_digest()) continue;
    any_digest = true;
    if (policy.accepts(c)) return c;
    cat_append(seen, {(seen.empty() ? "" : ", "),
                      (c.algorithm_text.empty() ? std::string_view("MD5") : std::string_view(c.algorithm_text)),
                      (c.has_qop ? cat({" qop=", to_string(best_qop(c))}) : std::string(" without qop"))});
  }
  if (!any_digest) return Error(Errc::auth_bad_challenge, "the server asked for authentication but sent no Digest challenge");
  // (A caller with a narrower policy says what it needs: GBA names AKA with auth-int.)
  return make_error(Errc::auth_unsupported,
                    "no usable Digest challenge (offered: {}; supported: MD5, MD5-sess, SHA-256, SHA-256-sess, "
                    "AKAv1-MD5, AKAv2-MD5 with qop auth, auth-int or none{})",
                    {seen, (policy.min_qop == Qop::auth_int ? "; this request needs qop=auth-int" : "")});
}

Result<std::vector<std::pair<std::string, std::string>>> parse_auth_params(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  Lexer lx(text);
  while (true) {
    lx.skip_ws_commas();
    if (lx.at_end()) break;
    std::string_view tok = lx.token();
    lx.skip_ws();
    if (tok.empty() || lx.peek() != '=') return Error(Errc::auth_bad_challenge, "malformed authentication parameters");
    lx.set_pos(lx.pos() + 1);
    UTKIT_ASSIGN(std::string val, lx.value());
    std::string name;
    for (char c : tok) name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    out.emplace_back(std::move(name), std::move(val));
  }
  return out;
}

Result<AuthenticationInfo> parse_authentication_info(std::string_view value) {
  AuthenticationInfo info;
  UTKIT_ASSIGN(auto params, parse_auth_params(value));
  std::string* const field[] = {&info.rspauth, &info.nextnonce, &info.cnonce, &info.nc, &info.qop};
  for (auto& [name, val] : params) {  // names are in lower case (parse_auth_params)
    const int i = name_index("rspauth\0nextnonce\0cnonce\0nc\0qop\0", name);
    if (i >= 0) *field[i] = std::move(val);
  }
  return info;
}

SecretBytes akav2_password(ByteView res, ByteView ik, ByteView ck) {
  SecretBytes key(res.size() + ik.size() + ck.size());
  std::memcpy(key.data(), res.data(), res.size());
  std::memcpy(key.data() + res.size(), ik.data(), ik.size());
  std::memcpy(key.data() + res.size() + ik.size(), ck.data(), ck.size());
  static const char kLabel[] = "http-digest-akav2-password";
  unsigned char mac[16];
  mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_MD5), key.data(), key.size(),
                  reinterpret_cast<const unsigned char*>(kLabel), sizeof kLabel - 1, mac);
  SecretBytes pw = base64_encode_secret(ByteView(mac, sizeof mac));
  secure_wipe(mac, sizeof mac);
  return pw;
}

Result<std::string> DigestSession::compute_response(DigestAlgorithm alg, std::string_view username,
                                                    std::string_view realm, ByteView password, std::string_view nonce,
                                                    std::string_view method, std::string_view uri, Qop qop,
                                                    std::string_view nc, std::string_view cnonce, ByteView body) {
  if (alg == DigestAlgorithm::unknown) return Error(Errc::auth_unsupported, "unknown Digest algorithm");
  const mbedtls_md_type_t md = md_of(alg);
  std::string ha1 = Hasher(md).add(username).colon().add(realm).colon().add(password).hex();
  if (is_sess(alg)) {
    std::string inner = std::move(ha1);
    ha1 = Hasher(md).add(inner).colon().add(nonce).colon().add(cnonce).hex();
    secure_wipe(inner);
  }
  Hasher a2(md);
  a2.add(method).colon().add(uri);
  if (qop == Qop::auth_int) a2.colon().add(Hasher(md).add(body).hex());
  const std::string ha2 = a2.hex();
  Hasher r(md);
  r.add(ha1).colon().add(nonce).colon();
  if (qop != Qop::none) r.add(nc).colon().add(cnonce).colon().add(to_string(qop)).colon();
  r.add(ha2);
  secure_wipe(ha1);
  return r.hex();
}

DigestSession::DigestSession(Challenge challenge, Qop preferred) : ch_(std::move(challenge)), preferred_(preferred) {
  adopt(ch_);
}

Result<void> DigestSession::renew(const Challenge& c) {
  const Qop in_use = qop_;
  if (c.algorithm != ch_.algorithm || static_cast<int>(best_qop(c)) < static_cast<int>(in_use)) {
    return make_error(Errc::auth_bad_challenge,
                      "the server's stale=true challenge for realm '{}' offers {} qop={} where {} qop={} is in use: "
                      "refused (a renewal never weakens the protection space)",
                      {c.realm, to_string(c.algorithm), (c.has_qop ? to_string(best_qop(c)) : "none"),
                       to_string(ch_.algorithm), (in_use == Qop::none ? "none" : to_string(in_use))});
  }
  adopt(c);
  if (static_cast<int>(qop_) < static_cast<int>(in_use)) qop_ = in_use;  // offered both: keep the one in use
  return success();
}

void DigestSession::adopt(const Challenge& c) {
  ch_ = c;
  nc_ = 0;
  if (!ch_.has_qop) {
    qop_ = Qop::none;
  } else if (ch_.qop_auth && ch_.qop_auth_int) {
    qop_ = preferred_ == Qop::auth_int ? Qop::auth_int : Qop::auth;
  } else {
    qop_ = ch_.qop_auth_int ? Qop::auth_int : Qop::auth;
  }
}

Result<std::string> challenge_header(const Challenge& ch) {
  UTKIT_ASSIGN(std::string realm, quoted_string(ch.realm, "the Digest realm"sv));
  UTKIT_ASSIGN(std::string nonce, quoted_string(ch.nonce, "the Digest nonce"sv));
  std::string h = format("Digest realm={}, nonce={}", {realm, nonce});
  if (ch.has_opaque) {
    UTKIT_ASSIGN(std::string opaque, quoted_string(ch.opaque, "the Digest opaque"sv));
    cat_append(h, {", opaque=", opaque});
  }
  if (!ch.algorithm_text.empty()) {
    if (!is_token(ch.algorithm_text)) return Error(Errc::auth_bad_challenge, "the Digest algorithm is not a token");
    cat_append(h, {", algorithm=", ch.algorithm_text});
  }
  if (ch.has_qop) {
    std::string q = ch.qop_auth && ch.qop_auth_int ? "auth,auth-int" : ch.qop_auth ? "auth" : "auth-int";
    cat_append(h, {", qop=\"", q, "\""});
  }
  if (ch.userhash) h += ", userhash=true";
  return h;
}

Result<std::string> DigestSession::authorize(std::string_view method, std::string_view uri, ByteView body,
                                             const DigestCredentials& cred, Random& random) {
  if (!ch_.usable()) return Error(Errc::auth_unsupported, "the Digest challenge is not usable");
  UTKIT_ASSIGN(Bytes cn, random.bytes(12));
  std::string cnonce = to_hex(ByteView(cn));
  const std::string nc = hex_number(++nc_, 8);
  // AKA resynchronisation: the response uses an empty password (RFC 3310 3.4).
  const ByteView password = cred.auts.empty() ? cred.password.view() : ByteView();
  std::string user = cred.username;
  if (ch_.userhash) user = Hasher(md_of(ch_.algorithm)).add(cred.username).colon().add(ch_.realm).hex();
  // With userhash the header carries H(user:realm); HA1 still uses the user name (RFC 7616 3.4.4).
  UTKIT_ASSIGN(std::string response, compute_response(ch_.algorithm, cred.username, ch_.realm, password, ch_.nonce,
                                                      method, uri, qop_, nc, cnonce, body));
  // Every value that came from the user or the server is a quoted-string or a
  // checked token: nothing can add or end a parameter.
  UTKIT_ASSIGN(std::string q_user, quoted_string(user, "the Digest user name"sv));
  UTKIT_ASSIGN(std::string q_realm, quoted_string(ch_.realm, "the Digest realm"sv));
  UTKIT_ASSIGN(std::string q_nonce, quoted_string(ch_.nonce, "the Digest nonce"sv));
  UTKIT_ASSIGN(std::string q_uri, quoted_string(uri, "the Digest uri"sv));
  std::string h = format("Digest username={}, realm={}, nonce={}, uri={}, response=\"{}\"",
                         {q_user, q_realm, q_nonce, q_uri, response});
  if (!ch_.algorithm_text.empty()) {
    cat_append(h, {", algorithm=",
                   (is_token(ch_.algorithm_text) ? std::string_view(ch_.algorithm_text) : to_string(ch_.algorithm))});
  }
  if (qop_ != Qop::none) cat_append(h, {", qop=", to_string(qop_), ", nc=", nc, ", cnonce=\"", cnonce, "\""});
  if (ch_.has_opaque) {
    UTKIT_ASSIGN(std::string q_opaque, quoted_string(ch_.opaque, "the Digest opaque"sv));
    cat_append(h, {", opaque=", q_opaque});
  }
  if (ch_.userhash) h += ", userhash=true";
  if (!cred.auts.empty()) {
    UTKIT_ASSIGN(std::string q_auts, quoted_string(cred.auts, "the AKA auts"sv));
    cat_append(h, {", auts=", q_auts});
  }
  last_cnonce_ = cnonce;
  last_nc_ = nc;
  last_uri_ = std::string(uri);
  return h;
}

Result<bool> DigestSession::verify(const Headers& headers, ByteView body, const DigestCredentials& cred,
                                   bool require_rspauth) {
  const std::string* ai = headers.find("Authentication-Info"sv);
  if (ai == nullptr) {
    if (require_rspauth) {
      return Error(Errc::auth_rspauth_mismatch, "the server sent no Authentication-Info: it did not prove that it "
                                                "knows the password (no mutual authentication)");
    }
    return false;
  }
  UTKIT_ASSIGN(AuthenticationInfo info, parse_authentication_info(*ai));
  const bool checked = !info.rspauth.empty();
  if (checked) {
    // rspauth is over the qop this client sent: an Authentication-Info that
    // names another (auth where auth-int was sent, which would leave the body
    // out) is refused, not followed.
    if (!info.qop.empty() && !iequals(info.qop, to_string(qop_))) {
      return make_error(Errc::auth_rspauth_mismatch, "the server's Authentication-Info names qop '{}' but the request used '{}'",
                        {info.qop, to_string(qop_)});
    }
    const Qop q = qop_;
    const ByteView password = cred.auts.empty() ? cred.password.view() : ByteView();
    UTKIT_ASSIGN(std::string expect, compute_response(ch_.algorithm, cred.username, ch_.realm, password, ch_.nonce, "",
                                                      last_uri_, q, last_nc_, last_cnonce_, body));
    if (!constant_time_equal(ByteView::of(expect), ByteView::of(info.rspauth))) {
      return make_error(Errc::auth_rspauth_mismatch,
                        "the server's rspauth is wrong: it did not prove that it knows the password for realm '{}'",
                        {ch_.realm});
    }
  } else if (require_rspauth) {
    return Error(Errc::auth_rspauth_mismatch, "Authentication-Info without rspauth: no mutual authentication");
  }
  if (!info.nextnonce.empty()) {
    ch_.nonce = info.nextnonce;
    nc_ = 0;
  }
  return checked;
}

}  // namespace utkit::http
