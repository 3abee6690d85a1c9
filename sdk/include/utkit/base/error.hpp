// utkit/base/error.hpp — error codes grouped by module, and the Error value.
//
// Every fallible SDK call returns Result<T> (result.hpp). An Error carries a
// code (module in the high byte, see ErrorModule) and a message written for a
// person: what failed, with which input, and what to check.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace utkit {

enum class ErrorModule : std::uint8_t {
  base = 0x00,
  net = 0x01,
  tls = 0x02,
  http = 0x03,
  auth = 0x04,
  aka = 0x05,
  gba = 0x06,
  xcap = 0x07,
  config = 0x08,
  storage = 0x09,
};

// The high byte of each code is its ErrorModule. Codes are stable: new ones are
// appended within their module's range, never renumbered.
enum class Errc : std::uint16_t {
  // base
  invalid_argument = 0x0001,
  internal = 0x0002,
  not_supported = 0x0003,
  bad_encoding = 0x0004,
  random_failed = 0x0005,
  cancelled = 0x0006,
  limit_exceeded = 0x0007,

  // net
  net_resolve = 0x0101,
  net_connect_refused = 0x0102,
  net_unreachable = 0x0103,
  net_timeout = 0x0104,
  net_peer_closed = 0x0105,
  net_io = 0x0106,
  net_not_connected = 0x0107,
  net_changed = 0x0108,            // the session was told the network changed or went away

  // tls
  tls_profile_invalid = 0x0201,
  tls_handshake = 0x0202,          // other handshake failures (malformed messages, ...)
  tls_trust_config = 0x0203,       // CA file/dir/list unusable
  tls_cert_expired = 0x0204,
  tls_cert_not_yet_valid = 0x0205,
  tls_cert_wrong_host = 0x0206,
  tls_cert_unknown_issuer = 0x0207,
  tls_cert_self_signed = 0x0208,
  tls_cert_weak = 0x0209,          // key too small, or a refused signature hash
  tls_cert_invalid = 0x020A,       // other certificate problems (revoked, bad usage, ...)
  tls_no_shared_suite = 0x020B,
  tls_version_refused = 0x020C,
  tls_alert = 0x020D,              // a fatal alert from the server (named in the message)
  tls_protocol = 0x020E,           // bad record or message after the handshake

  // http
  http_malformed = 0x0301,         // a response that breaks HTTP/1.1 syntax
  http_header_too_large = 0x0302,
  http_too_many_headers = 0x0303,
  http_body_too_large = 0x0304,
  http_bad_content_length = 0x0305,
  http_bad_chunk = 0x0306,
  http_truncated = 0x0307,         // the connection ended inside a response
  http_bad_request = 0x0308,       // a request we refuse to send (CR/LF in a header, ...)
  http_bad_url = 0x0309,
  http_proxy = 0x030A,             // the proxy refused the CONNECT tunnel
  http_status = 0x030B,            // an unexpected status (the message names it)

  // auth
  auth_failed = 0x0401,            // the server kept refusing the credentials
  auth_bad_challenge = 0x0402,     // WWW-Authenticate unusable (no realm/nonce, bad syntax)
  auth_unsupported = 0x0403,       // no challenge with an algorithm/qop we can do
  auth_rspauth_mismatch = 0x0404,  // the server did not prove it knows the password
  auth_no_credentials = 0x0405,    // no credentials for this realm

  // aka
  aka_bad_input = 0x0501,
  aka_card_io = 0x0502,
  aka_card_status = 0x0503,
  aka_app_not_found = 0x0504,
  aka_state_corrupt = 0x0505,
  aka_no_identity = 0x0506,
  aka_bad_response = 0x0507,
  aka_backend = 0x0508,

  // gba
  gba_failed = 0x0601,
  gba_network_not_authentic = 0x0602,  // AKA MAC failure: the BSF's challenge is not genuine
  gba_bad_challenge = 0x0603,          // the BSF's 401 is not an AKA challenge we can use
  gba_bad_bootstrapping_info = 0x0604, // the BSF's 200 body is not a usable BootstrappingInfo
  gba_resync_failed = 0x0605,          // still out of sync after one AUTS round
  gba_bsf_status = 0x0606,             // the BSF answered an unexpected HTTP status
  gba_no_context = 0x0607,             // no (valid) bootstrapping context
  gba_naf_refused = 0x0608,            // the NAF refused the B-TID, even after a new bootstrap
  gba_unsupported = 0x0609,            // e.g. GBA_U asked of a backend without it

  // xcap
  xcap_failed = 0x0701,
  xcap_not_found = 0x0702,            // 404: no such document, element or attribute
  xcap_conflict = 0x0703,             // 409 with an xcap-error body (the message names the condition)
  xcap_precondition_failed = 0x0704,  // 412: the ETag moved on (another device changed the document)
  xcap_bad_selector = 0x0705,         // a node selector that cannot be built or parsed
  xcap_bad_document = 0x0706,         // a document that is not what its AUID says
  xcap_status = 0x0707,               // another unexpected status
  xcap_retries_exhausted = 0x0708,    // kept losing the race for the document
  xcap_not_provisioned = 0x0709,      // the operator has not provisioned this service for the user
  xcap_forbidden = 0x070A,            // 403: the server does not let this user read or change this

  // config
  config_invalid = 0x0801,
  config_missing = 0x0802,

  // storage
  storage_not_found = 0x0901,
  storage_io = 0x0902,
  storage_permissions = 0x0903,
  storage_corrupt = 0x0904,
  storage_bad_key = 0x0905,
};

constexpr ErrorModule module_of(Errc code) {
  return static_cast<ErrorModule>(static_cast<std::uint16_t>(code) >> 8);
}

// Short stable names: "net", "net.timeout". Never null.
const char* to_string(ErrorModule module);
const char* to_string(Errc code);

class Error {
 public:
  Error(Errc code, std::string message);
  Error(Errc code, const char* message);
  Error(const Error& other);
  Error& operator=(const Error& other);
  // A moved-from Error (constructed or assigned from) reads as
  // Errc::internal with an empty message.
  Error(Error&& other) noexcept : rep_(other.rep_) { other.rep_ = nullptr; }
  Error& operator=(Error&& other) noexcept {
    Error taken(std::move(other));  // `other` is now empty; our old error goes with `taken`
    Rep* r = taken.rep_;
    taken.rep_ = rep_;
    rep_ = r;
    return *this;
  }
  ~Error() {
    if (rep_ != nullptr) release();
  }

  Errc code() const { return rep_ != nullptr ? rep_->code : Errc::internal; }
  ErrorModule module() const { return module_of(code()); }
  const std::string& message() const;

  // "net.timeout: connect to bsf.example.test:8080 timed out after 5000 ms"
  std::string describe() const;

  // Prepends "what: " to the message, keeping the code; returns *this so a
  // caller can write `return std::move(err).with_context("loading USIM state")`.
  Error&& with_context(std::string_view what) &&;

 private:
  // One pointer, so that the Error in every Result moves as a pointer: the
  // code and message live on the heap (errors are the rare path).
  struct Rep {
    Errc code;
    std::string message;
  };
  void release();
  Rep* rep_;
};

}  // namespace utkit
