#include "utkit/base/error.hpp"

#include <atomic>

#include <cstdlib>

#include "utkit/base/result.hpp"

namespace utkit {

const char* to_string(ErrorModule module) {
  switch (module) {
    case ErrorModule::base: return "base";
    case ErrorModule::net: return "net";
    case ErrorModule::tls: return "tls";
    case ErrorModule::http: return "http";
    case ErrorModule::auth: return "auth";
    case ErrorModule::aka: return "aka";
    case ErrorModule::gba: return "gba";
    case ErrorModule::xcap: return "xcap";
    case ErrorModule::config: return "config";
    case ErrorModule::storage: return "storage";
  }
  return "unknown";
}

const char* to_string(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "base.invalid_argument";
    case Errc::internal: return "base.internal";
    case Errc::not_supported: return "base.not_supported";
    case Errc::bad_encoding: return "base.bad_encoding";
    case Errc::random_failed: return "base.random_failed";
    case Errc::cancelled: return "base.cancelled";
    case Errc::limit_exceeded: return "base.limit_exceeded";
    case Errc::net_resolve: return "net.resolve";
    case Errc::net_connect_refused: return "net.connect_refused";
    case Errc::net_unreachable: return "net.unreachable";
    case Errc::net_timeout: return "net.timeout";
    case Errc::net_peer_closed: return "net.peer_closed";
    case Errc::net_io: return "net.io";
    case Errc::net_not_connected: return "net.not_connected";
    case Errc::tls_profile_invalid: return "tls.profile_invalid";
    case Errc::tls_handshake: return "tls.handshake";
    case Errc::tls_trust_config: return "tls.trust_config";
    case Errc::tls_cert_expired: return "tls.cert_expired";
    case Errc::tls_cert_not_yet_valid: return "tls.cert_not_yet_valid";
    case Errc::tls_cert_wrong_host: return "tls.cert_wrong_host";
    case Errc::tls_cert_unknown_issuer: return "tls.cert_unknown_issuer";
    case Errc::tls_cert_self_signed: return "tls.cert_self_signed";
    case Errc::tls_cert_weak: return "tls.cert_weak";
    case Errc::tls_cert_invalid: return "tls.cert_invalid";
    case Errc::tls_no_shared_suite: return "tls.no_shared_suite";
    case Errc::tls_version_refused: return "tls.version_refused";
    case Errc::tls_alert: return "tls.alert";
    case Errc::tls_protocol: return "tls.protocol";
    case Errc::http_malformed: return "http.malformed";
    case Errc::http_header_too_large: return "http.header_too_large";
    case Errc::http_too_many_headers: return "http.too_many_headers";
    case Errc::http_body_too_large: return "http.body_too_large";
    case Errc::http_bad_content_length: return "http.bad_content_length";
    case Errc::http_bad_chunk: return "http.bad_chunk";
    case Errc::http_truncated: return "http.truncated";
    case Errc::http_bad_request: return "http.bad_request";
    case Errc::http_bad_url: return "http.bad_url";
    case Errc::http_proxy: return "http.proxy";
    case Errc::http_status: return "http.status";
    case Errc::auth_failed: return "auth.failed";
    case Errc::auth_bad_challenge: return "auth.bad_challenge";
    case Errc::auth_unsupported: return "auth.unsupported";
    case Errc::auth_rspauth_mismatch: return "auth.rspauth_mismatch";
    case Errc::auth_no_credentials: return "auth.no_credentials";
    case Errc::aka_bad_input: return "aka.bad_input";
    case Errc::aka_card_io: return "aka.card_io";
    case Errc::aka_card_status: return "aka.card_status";
    case Errc::aka_app_not_found: return "aka.app_not_found";
    case Errc::aka_state_corrupt: return "aka.state_corrupt";
    case Errc::aka_no_identity: return "aka.no_identity";
    case Errc::aka_bad_response: return "aka.bad_response";
    case Errc::aka_backend: return "aka.backend";
    case Errc::gba_failed: return "gba.failed";
    case Errc::gba_network_not_authentic: return "gba.network_not_authentic";
    case Errc::gba_bad_challenge: return "gba.bad_challenge";
    case Errc::gba_bad_bootstrapping_info: return "gba.bad_bootstrapping_info";
    case Errc::gba_resync_failed: return "gba.resync_failed";
    case Errc::gba_bsf_status: return "gba.bsf_status";
    case Errc::gba_no_context: return "gba.no_context";
    case Errc::gba_naf_refused: return "gba.naf_refused";
    case Errc::gba_unsupported: return "gba.unsupported";
    case Errc::xcap_failed: return "xcap.failed";
    case Errc::xcap_not_found: return "xcap.not_found";
    case Errc::xcap_conflict: return "xcap.conflict";
    case Errc::xcap_precondition_failed: return "xcap.precondition_failed";
    case Errc::xcap_bad_selector: return "xcap.bad_selector";
    case Errc::xcap_bad_document: return "xcap.bad_document";
    case Errc::xcap_status: return "xcap.status";
    case Errc::xcap_retries_exhausted: return "xcap.retries_exhausted";
    case Errc::xcap_not_provisioned: return "xcap.not_provisioned";
    case Errc::xcap_forbidden: return "xcap.forbidden";
    case Errc::config_invalid: return "config.invalid";
    case Errc::config_missing: return "config.missing";
    case Errc::storage_not_found: return "storage.not_found";
    case Errc::storage_io: return "storage.io";
    case Errc::storage_permissions: return "storage.permissions";
    case Errc::storage_corrupt: return "storage.corrupt";
    case Errc::storage_bad_key: return "storage.bad_key";
  }
  return "unknown";
}

Error::Error(Errc code, std::string message) : rep_(new Rep{code, std::move(message)}) {}

Error::Error(Errc code, const char* message) : rep_(new Rep{code, message}) {}

Error::Error(const Error& other) : rep_(other.rep_ != nullptr ? new Rep(*other.rep_) : nullptr) {}

Error& Error::operator=(const Error& other) {
  if (this != &other) *this = Error(other);
  return *this;
}

void Error::release() { delete rep_; }

const std::string& Error::message() const {
  static const std::string none;
  return rep_ != nullptr ? rep_->message : none;
}

std::string Error::describe() const {
  std::string s = to_string(code());
  s += ": ";
  s += message();
  return s;
}

Error&& Error::with_context(std::string_view what) && {
  if (rep_ == nullptr) rep_ = new Rep{Errc::internal, std::string()};
  std::string m(what);
  m += ": ";
  m += rep_->message;
  rep_->message = std::move(m);
  return std::move(*this);
}

namespace {
std::atomic<ResultMisuseHandler> g_misuse_handler{nullptr};
}

void set_result_misuse_handler(ResultMisuseHandler handler) { g_misuse_handler.store(handler); }

namespace detail {
// A programming error (like a failed assert): the SDK never prints; the app's
// handler may report it, then the process stops here (a debugger's backtrace
// names this function and `what`).
void result_misuse(const char* what, const Error* held) {
  volatile const char* reason = what;
  (void)reason;
  if (ResultMisuseHandler h = g_misuse_handler.load()) {
    const std::string error = held != nullptr ? held->describe() : std::string();
    h(what, error.c_str());
  }
  std::abort();
}
}  // namespace detail

}  // namespace utkit
