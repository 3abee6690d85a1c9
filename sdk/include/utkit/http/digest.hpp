// utkit/http/digest.hpp — HTTP Digest authentication (RFC 7616, RFC 2617,
// RFC 2069 without qop, RFC 3310 AKAv1-MD5, RFC 4169 AKAv2-MD5).
//
// Challenges are parsed into typed, validated structs: several challenges in
// one header and across headers, quoted-string escapes, the unquoted values
// some servers send; unknown parameters are ignored; a Digest challenge
// without realm or nonce is an error, never a crash.
//
//   HA1      = H(username ":" realm ":" password)
//   HA1-sess = H(H(username ":" realm ":" password) ":" nonce ":" cnonce)
//   HA2      = H(method ":" uri)                       qop=auth or none
//   HA2      = H(method ":" uri ":" H(entity-body))    qop=auth-int
//   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
//   response = H(HA1 ":" nonce ":" HA2)                 no qop (RFC 2069)
//   rspauth  = the same with method empty (RFC 7616 3.5)
// H is MD5 or SHA-256 (mbedTLS). AKAv1-MD5: MD5 with the raw RES octets as the
// password (RFC 3310 3.3); AKAv2-MD5: MD5 with base64(HMAC-MD5(RES||IK||CK,
// "http-digest-akav2-password")) as the password (RFC 4169 3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "utkit/base/random.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"
#include "utkit/http/message.hpp"

namespace utkit::http {

enum class DigestAlgorithm { md5, md5_sess, sha256, sha256_sess, akav1_md5, akav2_md5, unknown };
enum class Qop { none, auth, auth_int };

const char* to_string(DigestAlgorithm a);
const char* to_string(Qop q);

struct Challenge {
  std::string scheme;  // as sent ("Digest", "Basic", ...)
  std::string realm;
  std::string nonce;
  std::string opaque;
  std::string domain;
  std::string algorithm_text;  // as sent; empty when absent (means MD5)
  DigestAlgorithm algorithm = DigestAlgorithm::md5;
  bool has_realm = false;
  bool has_opaque = false;
  bool has_qop = false;
  bool qop_auth = false;
  bool qop_auth_int = false;
  bool stale = false;
  bool userhash = false;

  bool is_digest() const { return iequals(scheme, "Digest"); }
  // A Digest challenge with an algorithm and a qop this client can answer.
  bool usable() const;
};

// The challenge as a WWW-Authenticate value (realm, nonce, opaque, algorithm,
// qop, userhash), every value quoted by http::quoted_string: what
// parse_challenges() reads back into the same Challenge. For saving the
// state of a protection space; holds no credential.
Result<std::string> challenge_header(const Challenge& challenge);

// All challenges in these WWW-Authenticate (or Proxy-Authenticate) values, in
// order. Errors: auth_bad_challenge for syntax errors, or a Digest challenge
// without realm or nonce.
Result<std::vector<Challenge>> parse_challenges(const std::vector<std::string_view>& header_values);
// What a client accepts of a challenge: a set of algorithms and the weakest
// qop it answers. Ub accepts AKA only, with qop=auth-int (TS 24.109).
struct ChallengePolicy {
  // Bit (1 << DigestAlgorithm) per accepted algorithm; all known by default.
  unsigned algorithms = ~0u;
  Qop min_qop = Qop::none;  // none < auth < auth-int

  static constexpr unsigned bit(DigestAlgorithm a) { return 1u << static_cast<unsigned>(a); }
  bool accepts(const Challenge& c) const;
};

// The first usable Digest challenge that `policy` accepts (a server may list
// several: MD5 first, AKA second); auth_unsupported when none is, naming
// what was offered; auth_bad_challenge when there is no Digest challenge.
Result<Challenge> select_challenge(const std::vector<Challenge>& challenges, const ChallengePolicy& policy = {});

// The name=value pairs of an auth-param list (names lower-cased, quoted
// strings unescaped): the body of Authorization after "Digest ", or of
// Authentication-Info. Errors: auth_bad_challenge.
Result<std::vector<std::pair<std::string, std::string>>> parse_auth_params(std::string_view text);

struct AuthenticationInfo {
  std::string rspauth, nextnonce, cnonce, nc, qop;
};
Result<AuthenticationInfo> parse_authentication_info(std::string_view value);

struct DigestCredentials {
  std::string username;
  SecretBytes password;  // bytes: raw RES for AKAv1, base64 text of Ks_NAF for GBA Ua
  std::string auts;      // AKA resynchronisation: base64(AUTS), sent with an empty password
};

// RFC 4169: the AKAv2-MD5 password base64(HMAC-MD5(RES || IK || CK, "http-digest-akav2-password")).
SecretBytes akav2_password(ByteView res, ByteView ik, ByteView ck);

// One protection space (a realm on an origin): the challenge, the nonce
// count and what the last request used, to verify the server's rspauth.
class DigestSession {
 public:
  // `preferred` is used when the server offers both auth and auth-int.
  explicit DigestSession(Challenge challenge, Qop preferred = Qop::auth);

  // The Authorization header value for one request (nc increments).
  Result<std::string> authorize(std::string_view method, std::string_view uri, ByteView body,
                                const DigestCredentials& credentials, Random& random);
  // Checks the response's Authentication-Info: a wrong rspauth is an error
  // (the server did not prove it knows the password); a nextnonce is adopted.
  // With `require_rspauth`, a missing rspauth is an error too. True when an
  // rspauth was there and right: only then is the response authenticated.
  Result<bool> verify(const Headers& response_headers, ByteView response_body, const DigestCredentials& credentials,
                      bool require_rspauth = false);
  // Adopts a fresh nonce (stale=true) keeping the protection space. Refused
  // (auth_bad_challenge) when it would weaken it: another algorithm, or a
  // qop below the one in use (a stale renewal must not turn SHA-256 with
  // auth-int into MD5 without qop).
  Result<void> renew(const Challenge& challenge);

  const Challenge& challenge() const { return ch_; }
  std::uint32_t nonce_count() const { return nc_; }
  Qop qop() const { return qop_; }
  // Continues a session saved earlier (nc as it was; the next request sends nc+1).
  void set_nonce_count(std::uint32_t nc) { nc_ = nc; }

  // The response= value for explicit inputs (test vectors, servers).
  static Result<std::string> compute_response(DigestAlgorithm algorithm, std::string_view username,
                                              std::string_view realm, ByteView password, std::string_view nonce,
                                              std::string_view method, std::string_view uri, Qop qop,
                                              std::string_view nc, std::string_view cnonce, ByteView body);

 private:
  Challenge ch_;
  Qop preferred_;
  Qop qop_ = Qop::none;
  std::uint32_t nc_ = 0;
  std::string last_cnonce_, last_nc_, last_uri_;
  void adopt(const Challenge& c);
};

}  // namespace utkit::http
