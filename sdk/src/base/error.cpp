#include "utkit/base/error.hpp"

#include <atomic>

#include <cstdlib>
#include <cstring>

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

namespace {

// Every code with its name, once: the tables below are made from it.
#define UTKIT_ERRC_NAMES(X) \
  X(invalid_argument, "base.invalid_argument") \
  X(internal, "base.internal") \
  X(not_supported, "base.not_supported") \
  X(bad_encoding, "base.bad_encoding") \
  X(random_failed, "base.random_failed") \
  X(cancelled, "base.cancelled") \
  X(limit_exceeded, "base.limit_exceeded") \
  X(net_resolve, "net.resolve") \
  X(net_connect_refused, "net.connect_refused") \
  X(net_unreachable, "net.unreachable") \
  X(net_timeout, "net.timeout") \
  X(net_peer_closed, "net.peer_closed") \
  X(net_io, "net.io") \
  X(net_not_connected, "net.not_connected") \
  X(net_changed, "net.changed") \
  X(tls_profile_invalid, "tls.profile_invalid") \
  X(tls_handshake, "tls.handshake") \
  X(tls_trust_config, "tls.trust_config") \
  X(tls_cert_expired, "tls.cert_expired") \
  X(tls_cert_not_yet_valid, "tls.cert_not_yet_valid") \
  X(tls_cert_wrong_host, "tls.cert_wrong_host") \
  X(tls_cert_unknown_issuer, "tls.cert_unknown_issuer") \
  X(tls_cert_self_signed, "tls.cert_self_signed") \
  X(tls_cert_weak, "tls.cert_weak") \
  X(tls_cert_invalid, "tls.cert_invalid") \
  X(tls_no_shared_suite, "tls.no_shared_suite") \
  X(tls_version_refused, "tls.version_refused") \
  X(tls_alert, "tls.alert") \
  X(tls_protocol, "tls.protocol") \
  X(http_malformed, "http.malformed") \
  X(http_header_too_large, "http.header_too_large") \
  X(http_too_many_headers, "http.too_many_headers") \
  X(http_body_too_large, "http.body_too_large") \
  X(http_bad_content_length, "http.bad_content_length") \
  X(http_bad_chunk, "http.bad_chunk") \
  X(http_truncated, "http.truncated") \
  X(http_bad_request, "http.bad_request") \
  X(http_bad_url, "http.bad_url") \
  X(http_proxy, "http.proxy") \
  X(http_status, "http.status") \
  X(auth_failed, "auth.failed") \
  X(auth_bad_challenge, "auth.bad_challenge") \
  X(auth_unsupported, "auth.unsupported") \
  X(auth_rspauth_mismatch, "auth.rspauth_mismatch") \
  X(auth_no_credentials, "auth.no_credentials") \
  X(aka_bad_input, "aka.bad_input") \
  X(aka_card_io, "aka.card_io") \
  X(aka_card_status, "aka.card_status") \
  X(aka_app_not_found, "aka.app_not_found") \
  X(aka_state_corrupt, "aka.state_corrupt") \
  X(aka_no_identity, "aka.no_identity") \
  X(aka_bad_response, "aka.bad_response") \
  X(aka_backend, "aka.backend") \
  X(gba_failed, "gba.failed") \
  X(gba_network_not_authentic, "gba.network_not_authentic") \
  X(gba_bad_challenge, "gba.bad_challenge") \
  X(gba_bad_bootstrapping_info, "gba.bad_bootstrapping_info") \
  X(gba_resync_failed, "gba.resync_failed") \
  X(gba_bsf_status, "gba.bsf_status") \
  X(gba_no_context, "gba.no_context") \
  X(gba_naf_refused, "gba.naf_refused") \
  X(gba_unsupported, "gba.unsupported") \
  X(xcap_failed, "xcap.failed") \
  X(xcap_not_found, "xcap.not_found") \
  X(xcap_conflict, "xcap.conflict") \
  X(xcap_precondition_failed, "xcap.precondition_failed") \
  X(xcap_bad_selector, "xcap.bad_selector") \
  X(xcap_bad_document, "xcap.bad_document") \
  X(xcap_status, "xcap.status") \
  X(xcap_retries_exhausted, "xcap.retries_exhausted") \
  X(xcap_not_provisioned, "xcap.not_provisioned") \
  X(xcap_forbidden, "xcap.forbidden") \
  X(config_invalid, "config.invalid") \
  X(config_missing, "config.missing") \
  X(storage_not_found, "storage.not_found") \
  X(storage_io, "storage.io") \
  X(storage_permissions, "storage.permissions") \
  X(storage_corrupt, "storage.corrupt") \
  X(storage_bad_key, "storage.bad_key")

// The codes, and their names at the same positions in kNames (each ended by
// a NUL): 2 bytes a code, instead of a switch and a pointer per name.
#define UTKIT_ERRC_CODE(code, name) Errc::code,
constexpr Errc kCodes[] = {UTKIT_ERRC_NAMES(UTKIT_ERRC_CODE)};
#undef UTKIT_ERRC_CODE
#define UTKIT_ERRC_NAME(code, name) name "\0"
constexpr char kNames[] = UTKIT_ERRC_NAMES(UTKIT_ERRC_NAME);
#undef UTKIT_ERRC_NAME

// Compile time only: -Wswitch (in -Wall) names a code added to Errc but not
// to the list above; with UTKIT_WERROR (the presets, CI) it fails the build.
constexpr bool listed(Errc code) {
  switch (code) {
#define UTKIT_ERRC_CASE(code, name) case Errc::code:
    UTKIT_ERRC_NAMES(UTKIT_ERRC_CASE)
#undef UTKIT_ERRC_CASE
    return true;
  }
  return false;
}
static_assert(listed(Errc::internal), "the list names every code");

}  // namespace

const char* to_string(Errc code) {
  const char* name = kNames;
  for (Errc c : kCodes) {
    if (c == code) return name;
    name += std::strlen(name) + 1;
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
void value_misuse(const Error& held) { result_misuse("value() of a failed Result", &held); }
void error_misuse() { result_misuse("error() of a successful Result"); }
}  // namespace detail

}  // namespace utkit
