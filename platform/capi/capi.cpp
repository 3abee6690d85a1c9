// The C API (utkit/utkit.h) over ut::UtSession and the POSIX platform.
//
// Every entry point runs inside `guard()`: in the shared library, which is
// compiled with exceptions so that an allocation failure deep in the SDK
// unwinds through its destructors (secrets wiped, locks released), a
// std::bad_alloc becomes UT_E_NO_MEMORY there; nothing else in the SDK
// throws. Built without exceptions (the static library) the guard is a
// plain call.
#include "utkit/utkit.h"

#include <mbedtls/version.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/base/secret.hpp"
#include "utkit/http/writer.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/operator_profile.hpp"
#include "utkit/ut/session.hpp"

using namespace utkit;

// ---- handles ----

struct ut_cancel {
  CancelToken token;
};

struct ut_store {
  std::shared_ptr<KeyValueStore> store;
};

struct ut_value {
  SecretBytes data;
  bool set = false;
};

struct ut_usim {
  std::shared_ptr<aka::UsimBackend> usim;
};

struct ut_config {
  ut::UtConfig ut;
  std::string profile_name;  // "operator"
  std::optional<bool> gba_u;
  std::vector<std::pair<std::string, std::string>> resolve;
  std::shared_ptr<const SecretBytes> session_key;
  ut_log_fn log_fn = nullptr;
  void* log_ctx = nullptr;
  ut_log_level log_level = UT_LOG_INFO;
  ut_socket_fn socket_fn = nullptr;
  void* socket_ctx = nullptr;
};

struct ut_buddy_list {
  std::vector<xcap::Entry> entries;
};

struct ut_simservs {
  xcap::Simservs doc;
  std::string targets[5];  // forwarding targets by ut_cf_condition, so pointers stay valid
};

struct ut_xcap_response {
  xcap::XcapResult result;
};

namespace {

// ---- errors ----

ut_status status_of(Errc code) {
  switch (code) {
    case Errc::cancelled: return UT_E_CANCELLED;
    case Errc::net_timeout: return UT_E_TIMEOUT;
    case Errc::xcap_not_found:
    case Errc::storage_not_found: return UT_E_NOT_FOUND;
    case Errc::not_supported: return UT_E_NOT_SUPPORTED;
    case Errc::internal:
    case Errc::random_failed: return UT_E_INTERNAL;
    default: break;
  }
  switch (module_of(code)) {
    case ErrorModule::base: return UT_E_INVALID_ARGUMENT;
    case ErrorModule::net: return UT_E_NETWORK;
    case ErrorModule::tls: return UT_E_TLS;
    case ErrorModule::http: return UT_E_HTTP;
    case ErrorModule::auth: return UT_E_AUTH;
    case ErrorModule::aka: return UT_E_USIM;
    case ErrorModule::gba: return UT_E_BOOTSTRAP;
    case ErrorModule::xcap: return UT_E_XCAP;
    case ErrorModule::config: return UT_E_CONFIG;
    case ErrorModule::storage: return UT_E_STORAGE;
  }
  return UT_E_INTERNAL;
}

// Copies at most cap-1 bytes, never cutting a UTF-8 sequence.
void copy_text(char* out, std::size_t cap, const char* text, std::size_t len) {
  if (len >= cap) {
    len = cap - 1;
    while (len > 0 && (static_cast<unsigned char>(text[len]) & 0xC0) == 0x80) --len;
  }
  std::memcpy(out, text, len);
  out[len] = '\0';
}

void clear(ut_error* err) {
  if (err == nullptr) return;
  err->status = UT_OK;
  err->code = 0;
  err->name[0] = err->module[0] = err->message[0] = '\0';
}

ut_status report(ut_error* err, ut_status status, std::uint16_t code, const char* name, const char* module,
                 const char* message, std::size_t message_len) {
  if (err != nullptr) {
    err->status = status;
    err->code = code;
    copy_text(err->name, sizeof err->name, name, std::strlen(name));
    copy_text(err->module, sizeof err->module, module, std::strlen(module));
    copy_text(err->message, sizeof err->message, message, message_len);
  }
  return status;
}

ut_status report(ut_error* err, const Error& e) {
  return report(err, status_of(e.code()), static_cast<std::uint16_t>(e.code()), to_string(e.code()),
                to_string(e.module()), e.message().data(), e.message().size());
}

ut_status report(ut_error* err, ut_status status, Errc code, const char* message) {
  return report(err, status, static_cast<std::uint16_t>(code), to_string(code), to_string(module_of(code)), message,
                std::strlen(message));
}

ut_status bad_argument(ut_error* err, const char* message) {
  return report(err, UT_E_INVALID_ARGUMENT, Errc::invalid_argument, message);
}

ut_status no_memory(ut_error* err) {
  // No allocation here: the text is static.
  return report(err, UT_E_NO_MEMORY, Errc::limit_exceeded, "out of memory (an allocation failed; nothing was changed "
                                                           "on this side, and the handles stay usable)");
}

template <class F>
ut_status guard(ut_error* err, F&& body) {
#if defined(__cpp_exceptions)
  try {  // NOLINT: the one place exceptions are caught: the C boundary
    return body();
  } catch (const std::bad_alloc&) {
    return no_memory(err);
  } catch (...) {
    return report(err, UT_E_INTERNAL, Errc::internal, "an unexpected C++ exception reached the C API (please report)");
  }
#else
  (void)err;
  return body();
#endif
}

bool empty(const char* s) { return s == nullptr || *s == '\0'; }
std::string str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

ut_status from_result(ut_error* err, const Result<void>& r) {
  if (!r) return report(err, r.error());
  clear(err);
  return UT_OK;
}

// ---- adapters from the app's callbacks to the SDK's interfaces ----

class CallbackStore final : public KeyValueStore {
 public:
  explicit CallbackStore(const ut_store_callbacks& cb) : cb_(cb) {}
  ~CallbackStore() override {
    if (cb_.release != nullptr) cb_.release(cb_.ctx);
  }
  CallbackStore(const CallbackStore&) = delete;
  CallbackStore& operator=(const CallbackStore&) = delete;

  Result<SecretBytes> get(std::string_view key) override {
    UTKIT_TRY(check(key));
    ut_value v;
    const std::string k(key);
    const ut_status st = cb_.get(cb_.ctx, k.c_str(), &v);
    if (st == UT_E_NOT_FOUND) return Error(Errc::storage_not_found, "no stored value for '" + k + "'");
    if (st != UT_OK) return failed("get", k, st);
    if (!v.set) return Error(Errc::storage_io, "the app's store said UT_OK for '" + k + "' without a value");
    return std::move(v.data);
  }
  Result<void> put(std::string_view key, ByteView value) override {
    UTKIT_TRY(check(key));
    const std::string k(key);
    const ut_status st = cb_.put(cb_.ctx, k.c_str(), value.data(), value.size());
    if (st != UT_OK) return failed("put", k, st);
    return success();
  }
  Result<void> remove(std::string_view key) override {
    UTKIT_TRY(check(key));
    const std::string k(key);
    const ut_status st = cb_.remove(cb_.ctx, k.c_str());
    if (st != UT_OK && st != UT_E_NOT_FOUND) return failed("remove", k, st);
    return success();
  }

 private:
  static Result<void> check(std::string_view key) {
    if (!valid_store_key(key)) return Error(Errc::storage_bad_key, "bad store key '" + std::string(key) + "'");
    return success();
  }
  static Error failed(const char* op, const std::string& key, ut_status st) {
    return Error(Errc::storage_io,
                 std::string("the app's store failed to ") + op + " '" + key + "' (" + ut_status_name(st) + ")");
  }
  ut_store_callbacks cb_;
};

class CallbackUsim final : public aka::UsimBackend {
 public:
  CallbackUsim(aka::UsimIdentity id, ut_aka_fn fn, void* ctx, void (*release)(void*))
      : id_(std::move(id)), fn_(fn), ctx_(ctx), release_(release) {}
  ~CallbackUsim() override {
    if (release_ != nullptr) release_(ctx_);
  }
  CallbackUsim(const CallbackUsim&) = delete;
  CallbackUsim& operator=(const CallbackUsim&) = delete;

  std::string_view name() const override { return "app"; }
  Result<aka::UsimIdentity> identity() override { return id_; }
  Result<aka::AkaResult> authenticate(ByteView rand, ByteView autn) override {
    if (rand.size() != 16 || autn.size() != 16) return Error(Errc::aka_bad_input, "RAND and AUTN must be 16 bytes");
    std::lock_guard<std::mutex> lock(mu_);  // a card runs one AKA at a time
    ut_aka_result r;
    std::memset(&r, 0, sizeof r);
    r.outcome = UT_AKA_ERROR;
    struct Wipe {
      ut_aka_result& r;
      ~Wipe() { secure_wipe(&r, sizeof r); }
    } wipe{r};
    fn_(ctx_, rand.data(), autn.data(), &r);
    aka::AkaResult out;
    switch (r.outcome) {
      case UT_AKA_SUCCESS:
        if (r.res_len < 4 || r.res_len > 16) {
          return Error(Errc::aka_bad_response, "the app's AKA callback gave a RES of " + std::to_string(r.res_len) +
                                                   " bytes (4 to 16 expected)");
        }
        out.status = aka::AkaStatus::success;
        out.res = SecretBytes(ByteView(r.res, r.res_len));
        out.ck = SecretBytes(ByteView(r.ck, 16));
        out.ik = SecretBytes(ByteView(r.ik, 16));
        return out;
      case UT_AKA_SYNC_FAILURE:
        out.status = aka::AkaStatus::sync_failure;
        out.auts.assign(r.auts, r.auts + sizeof r.auts);
        return out;
      case UT_AKA_MAC_FAILURE: return aka::AkaResult::mac_failure();
      case UT_AKA_ERROR: {
        r.error_message[sizeof r.error_message - 1] = '\0';
        std::string why = r.error_message[0] != '\0' ? r.error_message : "no reason given";
        return Error(Errc::aka_backend, "the app's USIM could not run AKA: " + why);
      }
    }
    return Error(Errc::aka_bad_response,
                 "the app's AKA callback set an unknown outcome " + std::to_string(static_cast<int>(r.outcome)));
  }

 private:
  aka::UsimIdentity id_;
  ut_aka_fn fn_;
  void* ctx_;
  void (*release_)(void*);
  std::mutex mu_;
};

class CallbackLogSink final : public LogSink {
 public:
  CallbackLogSink(ut_log_fn fn, void* ctx) : fn_(fn), ctx_(ctx) {}
  void write(LogLevel level, std::string_view component, std::string_view message) override {
    const std::string c(component), m(message);
    fn_(ctx_, static_cast<ut_log_level>(level), c.c_str(), m.c_str());
  }

 private:
  ut_log_fn fn_;
  void* ctx_;
};

Result<aka::UsimIdentity> identity_from(const ut_identity* in) {
  aka::UsimIdentity id;
  if (in == nullptr) return Error(Errc::invalid_argument, "the identity is NULL (at least an IMPI or an IMSI is needed)");
  id.imsi = str(in->imsi);
  id.mnc_length = in->mnc_length;
  id.impi = str(in->impi);
  id.home_domain = str(in->home_domain);
  if (!empty(in->impu)) id.impus.push_back(in->impu);
  if (!id.imsi.empty()) {
    if (id.impi.empty()) {
      UTKIT_ASSIGN(id.impi, aka::impi_from_imsi(id.imsi, id.mnc_length));
    }
    if (id.home_domain.empty()) {
      UTKIT_ASSIGN(id.home_domain, aka::home_domain_from_imsi(id.imsi, id.mnc_length));
    }
  }
  if (id.impi.empty()) return Error(Errc::aka_no_identity, "the identity has neither an IMPI nor an IMSI");
  return id;
}

// ---- configuration keys (the names of utcli's JSON configuration) ----

Result<bool> parse_bool(const std::string& key, const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  return Error(Errc::config_invalid, "config key '" + key + "' must be \"true\" or \"false\", not '" + v + "'");
}

Result<long> parse_number(const std::string& key, const std::string& v, long min, long max) {
  long n = 0;
  bool ok = !v.empty() && v.size() <= 10;
  for (char c : v) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    n = n * 10 + (c - '0');
  }
  if (!ok || n < min || n > max) {
    return Error(Errc::config_invalid, "config key '" + key + "' must be a whole number from " + std::to_string(min) +
                                           " to " + std::to_string(max) + ", not '" + v + "'");
  }
  return n;
}

Result<void> check_url(const std::string& key, const std::string& v) {
  if (!http::parse_url(v)) {
    return Error(Errc::config_invalid,
                 "config key '" + key + "' must be an http:// or https:// URL, e.g. https://xcap.example.net/xcap-root, "
                 "not '" + v + "'");
  }
  return success();
}

Result<void> set_key(ut_config& c, const std::string& key, const std::string& v) {
  ut::UtConfig& u = c.ut;
  if (key == "xcap.root") {
    UTKIT_TRY(check_url(key, v));
    u.xcap_root = v;
  } else if (key == "xcap.profile") {
    auto p = xcap::XcapProfile::named(v);
    if (!p) return Error(Errc::config_invalid, "config key 'xcap.profile' must be \"oma\" or \"ietf\", not '" + v + "'");
    const std::string doc = u.profile.resource_lists_doc;
    u.profile = std::move(p).value();
    u.profile.resource_lists_doc = doc;
  } else if (key == "xcap.document") {
    if (v.empty()) return Error(Errc::config_invalid, "config key 'xcap.document' must not be empty");
    u.profile.resource_lists_doc = v;
  } else if (key == "xcap.list") {
    if (v.empty()) return Error(Errc::config_invalid, "config key 'xcap.list' must not be empty");
    u.buddies.list = v;
  } else if (key == "xcap.intended_identity") {
    u.intended_identity = v;
  } else if (key == "xcap.cache_max_kib") {
    UTKIT_ASSIGN(long n, parse_number(key, v, 0, 65536L));
    u.document_cache_max = static_cast<std::size_t>(n) * 1024;
  } else if (key == "identity.impu") {
    u.xui = v;
  } else if (key == "identity.impi") {
    u.gba.impi = v;
  } else if (key == "bsf.url") {
    UTKIT_TRY(check_url(key, v));
    u.gba.bsf_url = v;
  } else if (key == "bsf.gba_u") {
    UTKIT_ASSIGN(bool b, parse_bool(key, v));
    c.gba_u = b;
  } else if (key == "bsf.require_rspauth") {
    UTKIT_ASSIGN(u.gba.require_rspauth, parse_bool(key, v));
  } else if (key == "bsf.allow_qop_auth") {
    UTKIT_ASSIGN(u.gba.allow_qop_auth, parse_bool(key, v));
  } else if (key == "bsf.expiry_margin_s") {
    UTKIT_ASSIGN(long n, parse_number(key, v, 0, 86400));
    u.gba.expiry_margin = std::chrono::seconds(n);
  } else if (key == "tls.ca_file") {
    u.tls.trust.ca_file = v;
  } else if (key == "tls.ca_dir") {
    u.tls.trust.ca_dir = v;
  } else if (key == "tls.ca_pem") {
    if (v.empty()) return Error(Errc::config_invalid, "config key 'tls.ca_pem' must hold a PEM certificate");
    u.tls.trust.ca_pem.push_back(v);  // each call adds one
  } else if (key == "tls.profile") {
    auto p = tls::TlsProfile::named(v);
    if (!p) return Error(Errc::config_invalid, "config key 'tls.profile' must be \"ts33141\" or \"modern\", not '" + v + "'");
    u.tls.profile = std::move(p).value();
  } else if (key == "tls.max_fragment") {
    UTKIT_ASSIGN(long n, parse_number(key, v, 0, 4096));
    if (n != 0 && n != 512 && n != 1024 && n != 2048 && n != 4096) {
      return Error(Errc::config_invalid, "config key 'tls.max_fragment' must be 0 (no limit), 512, 1024, 2048 or 4096");
    }
    u.tls.max_fragment = static_cast<tls::MaxFragment>(n);
  } else if (Millis* t = key == "timeouts.connect_ms"     ? &u.http.connect_timeout
                         : key == "timeouts.io_ms"        ? &u.http.io_timeout
                         : key == "timeouts.request_ms"   ? &u.http.request_timeout
                         : key == "timeouts.bootstrap_ms" ? &u.gba.timeout
                                                          : nullptr) {
    UTKIT_ASSIGN(long n, parse_number(key, v, 1, 600000));
    *t = Millis(n);
  } else if (key == "concurrent_bootstrap") {
    UTKIT_ASSIGN(u.concurrent_bootstrap, parse_bool(key, v));
  } else if (key == "operator") {
    if (!v.empty()) {
      auto p = ut::OperatorProfile::preset(v);
      if (!p) return Error(Errc::config_invalid, "config key 'operator': " + p.error().message());
    }
    c.profile_name = v;
  } else if (key.rfind("resolve.", 0) == 0) {
    posix::ResolveOverrides probe;
    UTKIT_TRY(probe.add(key.substr(8), v));
    c.resolve.emplace_back(key.substr(8), v);
  } else {
    return Error(Errc::config_invalid,
                 "config key '" + key + "' is not known (docs/c-api.md lists the keys; utcli's names, e.g. xcap.root)");
  }
  return success();
}

const char* const kStatusNames[] = {
    "UT_OK",          "UT_E_INVALID_ARGUMENT", "UT_E_NO_MEMORY", "UT_E_BUSY",       "UT_E_CANCELLED",
    "UT_E_TIMEOUT",   "UT_E_NETWORK",          "UT_E_TLS",       "UT_E_HTTP",       "UT_E_AUTH",
    "UT_E_USIM",      "UT_E_BOOTSTRAP",        "UT_E_XCAP",      "UT_E_NOT_FOUND",  "UT_E_CONFIG",
    "UT_E_STORAGE",   "UT_E_NOT_SUPPORTED",    "UT_E_INTERNAL",
};

}  // namespace

// ---- the session ----

struct ut_session {
  // One call at a time: a second one (from another thread, or from a
  // callback of the running call) gets UT_E_BUSY without waiting. A free
  // during a call never waits either: the call frees the session as it ends.
  std::mutex state;
  bool running = false;
  std::thread::id caller;  // the thread running the call
  const CancelToken* call_token = nullptr;  // the running call's (guarded by state)
  bool free_requested = false;
  std::shared_ptr<aka::UsimBackend> usim;
  std::shared_ptr<KeyValueStore> store;
  posix::SystemClock clock;
  std::unique_ptr<Random> random;
  posix::ResolveOverrides resolve;
  std::unique_ptr<posix::TcpTransportFactory> tcp;
  std::unique_ptr<CallbackLogSink> sink;
  Logger log;
  std::unique_ptr<ut::UtSession> session;
  std::string xui;
};

namespace {

// Runs `op` on the session with the call's limits, one call at a time.
template <class F>
ut_status run(ut_session* s, const ut_call* call, ut_error* err, F&& op) {
  if (s == nullptr) return bad_argument(err, "the session is NULL");
  return guard(err, [&]() -> ut_status {
    // The call's own token: fired by the app's ut_cancel, and by
    // ut_session_free from another thread, which finds it under s->state
    // from the moment the call counts as running.
    CancelToken call_token;
    CancelLink app_cancel(call != nullptr && call->cancel != nullptr ? &call->cancel->token : nullptr, call_token);
    {
      std::lock_guard<std::mutex> lock(s->state);
      if (s->running) {
        return report(err, UT_E_BUSY, Errc::invalid_argument,
                      "a call is already running on this session (one call at a time per session)");
      }
      s->running = true;
      s->caller = std::this_thread::get_id();
      s->call_token = &call_token;
    }
    struct Finish {
      ut_session* s;
      ~Finish() {
        bool free_now = false;
        {
          std::lock_guard<std::mutex> lock(s->state);
          s->running = false;
          s->call_token = nullptr;
          free_now = s->free_requested;
        }
        if (free_now) delete s;  // ut_session_free came during the call
      }
    } finish{s};
    ut::OpLimits limits;
    if (call != nullptr && call->timeout_ms != 0) limits.timeout = Millis(call->timeout_ms);
    limits.cancel = &call_token;
    if (call_token.fired()) {
      return report(err, UT_E_CANCELLED, Errc::cancelled, "the call's cancel handle had already fired");
    }
    return op(*s->session, limits);
  });
}

ut_status deliver_simservs(Result<xcap::Simservs>&& r, ut_simservs** out, ut_error* err) {
  if (!r) return report(err, r.error());
  if (out != nullptr) {
    auto* h = new ut_simservs{std::move(r).value(), {}};
    for (int c = 0; c < 5; ++c) {
      if (auto rule = h->doc.forwarding(static_cast<xcap::ForwardCondition>(c))) h->targets[c] = rule->target;
    }
    *out = h;
  }
  clear(err);
  return UT_OK;
}

ut_status deliver_xcap(Result<xcap::XcapResult>&& r, ut_xcap_response** out, ut_error* err) {
  if (!r) return report(err, r.error());
  if (out != nullptr) *out = new ut_xcap_response{std::move(r).value()};
  clear(err);
  return UT_OK;
}

// TLS sessions kept in the store need a key: the app's (from its keystore),
// or one made once and kept in the store beside them.
Result<std::shared_ptr<const SecretBytes>> session_key(ut_config& c, KeyValueStore& store, Random& random) {
  if (c.session_key) return c.session_key;
  auto key = store.get("tls-session-key");
  if (!key && key.error().code() == Errc::storage_not_found) {
    UTKIT_ASSIGN(Bytes fresh_bytes, random.bytes(32));
    SecretBytes fresh = SecretBytes::take(fresh_bytes);  // wiped whatever happens next
    UTKIT_TRY(store.put("tls-session-key", fresh.view()));
    key = std::move(fresh);
  }
  if (!key) return std::move(key).error().with_context("reading the TLS session key from the store");
  if (key->size() != 32) {
    return Error(Errc::storage_corrupt, "the stored 'tls-session-key' is not a 32-byte key; remove it (the stored TLS "
                                        "sessions are then made anew)");
  }
  return std::make_shared<const SecretBytes>(std::move(key).value());
}

}  // namespace

extern "C" {

// ---- version ----

const char* ut_version(void) { return UTKIT_VERSION_STRING; }
uint32_t ut_version_number(void) { return UTKIT_VERSION_NUMBER; }

const char* ut_build_info(void) {
  // Built once into a static buffer: nothing here can throw.
  static char info[256];
  static std::once_flag once;
  std::call_once(once, [] {
    (void)std::snprintf(info, sizeof info, "utkit %s; %s; %s; %s", UTKIT_VERSION_STRING, posix::compiled_paths(),
#if defined(__cpp_exceptions)
                  "boundary=bad_alloc-to-status",
#else
                  "boundary=no-exceptions",
#endif
                  MBEDTLS_VERSION_STRING_FULL);
  });
  return info;
}

const char* ut_status_name(ut_status status) {
  const auto i = static_cast<std::size_t>(status);
  if (i < sizeof kStatusNames / sizeof kStatusNames[0]) return kStatusNames[i];
  return "UT_E_UNKNOWN";
}

// ---- cancel ----

ut_status ut_cancel_new(ut_cancel** out) {
  if (out == nullptr) return UT_E_INVALID_ARGUMENT;
  *out = new (std::nothrow) ut_cancel;
  return *out != nullptr ? UT_OK : UT_E_NO_MEMORY;
}
void ut_cancel_fire(ut_cancel* cancel) {
  if (cancel != nullptr) cancel->token.fire();
}
void ut_cancel_reset(ut_cancel* cancel) {
  if (cancel != nullptr) cancel->token.reset();
}
int ut_cancel_is_fired(const ut_cancel* cancel) { return cancel != nullptr && cancel->token.fired() ? 1 : 0; }
void ut_cancel_free(ut_cancel* cancel) { delete cancel; }

// ---- store ----

ut_status ut_store_new_file(const char* directory, ut_store** out, ut_error* err) {
  if (out == nullptr || empty(directory)) return bad_argument(err, "ut_store_new_file needs a directory and an out pointer");
  *out = nullptr;
  return guard(err, [&]() -> ut_status {
    auto store = posix::FileKeyValueStore::open(directory);
    if (!store) return report(err, store.error());
    *out = new ut_store{std::shared_ptr<KeyValueStore>(std::move(store).value())};
    clear(err);
    return UT_OK;
  });
}

ut_status ut_store_new_memory(ut_store** out, ut_error* err) {
  if (out == nullptr) return bad_argument(err, "the out pointer is NULL");
  *out = nullptr;
  return guard(err, [&]() -> ut_status {
    *out = new ut_store{std::make_shared<MemoryKeyValueStore>()};
    clear(err);
    return UT_OK;
  });
}

ut_status ut_value_set(ut_value* value, const uint8_t* data, size_t len) {
  if (value == nullptr || (data == nullptr && len != 0)) return UT_E_INVALID_ARGUMENT;
  if (len > (std::size_t{1} << 24)) return UT_E_INVALID_ARGUMENT;
  return guard(nullptr, [&]() -> ut_status {
    value->data = SecretBytes(ByteView(data, len));
    value->set = true;
    return UT_OK;
  });
}

ut_status ut_store_new_callbacks(const ut_store_callbacks* callbacks, ut_store** out, ut_error* err) {
  if (out == nullptr) return bad_argument(err, "the out pointer is NULL");
  *out = nullptr;
  if (callbacks == nullptr || callbacks->get == nullptr || callbacks->put == nullptr || callbacks->remove == nullptr) {
    return bad_argument(err, "a store needs get, put and remove callbacks");
  }
  return guard(err, [&]() -> ut_status {
    auto* h = new ut_store;
    // From here the store owns ctx: release() runs when the last user goes.
    h->store = std::make_shared<CallbackStore>(*callbacks);
    *out = h;
    clear(err);
    return UT_OK;
  });
}

void ut_store_free(ut_store* store) { delete store; }

// ---- USIM ----

ut_status ut_aka_result_from_card(const uint8_t* answer, size_t len, ut_aka_result* out, ut_error* err) {
  if (out == nullptr || (answer == nullptr && len != 0)) return bad_argument(err, "NULL answer or result");
  return guard(err, [&]() -> ut_status {
    std::memset(out, 0, sizeof *out);
    auto r = aka::parse_authenticate_answer(ByteView(answer, len));
    if (!r) {
      out->outcome = UT_AKA_ERROR;
      copy_text(out->error_message, sizeof out->error_message, r.error().message().c_str(), r.error().message().size());
      return report(err, r.error());
    }
    if (r->status == aka::AkaStatus::success) {
      out->outcome = UT_AKA_SUCCESS;
      std::memcpy(out->res, r->res.data(), r->res.size());
      out->res_len = r->res.size();
      std::memcpy(out->ck, r->ck.data(), 16);
      std::memcpy(out->ik, r->ik.data(), 16);
    } else {
      out->outcome = UT_AKA_SYNC_FAILURE;
      std::memcpy(out->auts, r->auts.data(), sizeof out->auts);
      secure_wipe(r->auts);
    }
    clear(err);
    return UT_OK;
  });
}

ut_status ut_usim_new_callback(const ut_identity* identity, ut_aka_fn aka_fn, void* ctx, void (*release)(void* ctx),
                               ut_usim** out, ut_error* err) {
  if (out == nullptr) return bad_argument(err, "the out pointer is NULL");
  *out = nullptr;
  if (aka_fn == nullptr) return bad_argument(err, "the AKA callback is NULL");
  return guard(err, [&]() -> ut_status {
    auto id = identity_from(identity);
    if (!id) return report(err, id.error());
    auto* h = new ut_usim;
    h->usim = std::make_shared<CallbackUsim>(std::move(id).value(), aka_fn, ctx, release);
    *out = h;
    clear(err);
    return UT_OK;
  });
}

ut_status ut_usim_new_soft(const uint8_t k[16], const uint8_t opc[16], const ut_identity* identity, ut_store* state,
                           ut_usim** out, ut_error* err) {
  if (out == nullptr) return bad_argument(err, "the out pointer is NULL");
  *out = nullptr;
  if (k == nullptr || opc == nullptr) return bad_argument(err, "K and OPc (16 bytes each) are required");
  if (identity == nullptr) return bad_argument(err, "the identity is NULL (an IMSI with its MNC length, or an IMPI)");
  return guard(err, [&]() -> ut_status {
    aka::SoftUsimConfig sc;
    sc.k = SecretBytes(ByteView(k, 16));
    sc.opc = SecretBytes(ByteView(opc, 16));
    sc.imsi = str(identity->imsi);
    sc.mnc_length = identity->mnc_length;
    sc.impi = str(identity->impi);
    sc.home_domain = str(identity->home_domain);
    if (!empty(identity->impu)) sc.impus.push_back(identity->impu);
    // The USIM keeps the state store alive: a deleter that holds it.
    std::shared_ptr<KeyValueStore> keep = state != nullptr ? state->store : nullptr;
    auto h = std::make_unique<ut_usim>();
    auto usim = aka::SoftUsim::create(std::move(sc), keep.get());
    if (!usim) return report(err, usim.error());
    // (shared_ptr deletes the USIM itself if its control block cannot be made)
    h->usim = std::shared_ptr<aka::UsimBackend>(usim.value().release(), [keep](aka::UsimBackend* p) { delete p; });
    *out = h.release();
    clear(err);
    return UT_OK;
  });
}

ut_status ut_usim_authenticate(ut_usim* usim, const uint8_t rand[16], const uint8_t autn[16], ut_aka_result* out,
                               ut_error* err) {
  if (usim == nullptr || rand == nullptr || autn == nullptr || out == nullptr) {
    return bad_argument(err, "ut_usim_authenticate needs a USIM, RAND, AUTN and a result");
  }
  return guard(err, [&]() -> ut_status {
    std::memset(out, 0, sizeof *out);
    out->outcome = UT_AKA_ERROR;
    auto r = usim->usim->authenticate(ByteView(rand, 16), ByteView(autn, 16));
    if (!r) {
      copy_text(out->error_message, sizeof out->error_message, r.error().message().c_str(), r.error().message().size());
      return report(err, r.error());
    }
    switch (r->status) {
      case aka::AkaStatus::success:
        out->outcome = UT_AKA_SUCCESS;
        std::memcpy(out->res, r->res.data(), r->res.size());
        out->res_len = r->res.size();
        std::memcpy(out->ck, r->ck.data(), 16);
        std::memcpy(out->ik, r->ik.data(), 16);
        break;
      case aka::AkaStatus::sync_failure:
        out->outcome = UT_AKA_SYNC_FAILURE;
        std::memcpy(out->auts, r->auts.data(), sizeof out->auts);
        break;
      case aka::AkaStatus::mac_failure: out->outcome = UT_AKA_MAC_FAILURE; break;
    }
    clear(err);
    return UT_OK;
  });
}

void ut_usim_free(ut_usim* usim) { delete usim; }

// ---- configuration ----

ut_status ut_config_new(ut_config** out) {
  if (out == nullptr) return UT_E_INVALID_ARGUMENT;
  *out = nullptr;
  return guard(nullptr, [&]() -> ut_status {
    *out = new ut_config;
    return UT_OK;
  });
}

void ut_config_free(ut_config* config) { delete config; }

ut_status ut_config_set(ut_config* config, const char* key, const char* value, ut_error* err) {
  if (config == nullptr || empty(key) || value == nullptr) {
    return bad_argument(err, "ut_config_set needs a configuration, a key and a value");
  }
  return guard(err, [&]() -> ut_status {
    ut_config copy = *config;  // unchanged on error
    auto r = set_key(copy, key, value);
    if (!r) return report(err, r.error());
    *config = std::move(copy);
    clear(err);
    return UT_OK;
  });
}

ut_status ut_config_set_session_key(ut_config* config, const uint8_t* key, size_t len, ut_error* err) {
  if (config == nullptr || key == nullptr) return bad_argument(err, "NULL configuration or key");
  if (len < 16 || len > 64) {
    return report(err, UT_E_CONFIG, Errc::config_invalid, "the TLS session key must be 16 to 64 bytes");
  }
  return guard(err, [&]() -> ut_status {
    config->session_key = std::make_shared<const SecretBytes>(ByteView(key, len));
    clear(err);
    return UT_OK;
  });
}

ut_status ut_config_set_log(ut_config* config, ut_log_fn fn, void* ctx, ut_log_level min_level) {
  if (config == nullptr || min_level < UT_LOG_TRACE || min_level > UT_LOG_OFF) return UT_E_INVALID_ARGUMENT;
  config->log_fn = fn;
  config->log_ctx = ctx;
  config->log_level = min_level;
  return UT_OK;
}

ut_status ut_config_set_socket_hook(ut_config* config, ut_socket_fn fn, void* ctx) {
  if (config == nullptr) return UT_E_INVALID_ARGUMENT;
  config->socket_fn = fn;
  config->socket_ctx = ctx;
  return UT_OK;
}

// ---- session ----

ut_status ut_session_new(const ut_config* config, ut_usim* usim, ut_store* store, ut_session** out, ut_error* err) {
  if (out == nullptr) return bad_argument(err, "the out pointer is NULL");
  *out = nullptr;
  if (config == nullptr || usim == nullptr) return bad_argument(err, "a session needs a configuration and a USIM");
  return guard(err, [&]() -> ut_status {
    ut_config c = *config;
    auto s = std::make_unique<ut_session>();
    s->usim = usim->usim;
    if (store != nullptr) s->store = store->store;
    auto random = posix::make_system_random();
    if (!random) return report(err, random.error());
    s->random = std::move(random).value();
    for (const auto& [host_port, address] : c.resolve) {
      auto added = s->resolve.add(host_port, address);
      if (!added) return report(err, added.error());
    }
    posix::SocketHook hook;
    if (c.socket_fn != nullptr) {
      ut_socket_fn fn = c.socket_fn;
      void* ctx = c.socket_ctx;
      hook = [fn, ctx](int fd) -> Result<void> {
        const ut_status st = fn(ctx, fd);
        if (st != UT_OK) return Error(Errc::net_io, std::string("the app's socket hook answered ") + ut_status_name(st));
        return success();
      };
    }
    s->tcp = std::make_unique<posix::TcpTransportFactory>(&s->resolve, std::move(hook));
    if (c.log_fn != nullptr && c.log_level != UT_LOG_OFF) {
      s->sink = std::make_unique<CallbackLogSink>(c.log_fn, c.log_ctx);
      s->log.set_sink(s->sink.get(), static_cast<LogLevel>(c.log_level));
    }
    ut::UtConfig uc = c.ut;
    if (!c.profile_name.empty()) {
      auto profile = ut::OperatorProfile::preset(c.profile_name);
      if (!profile) return report(err, profile.error());
      auto id = s->usim->identity();
      if (!id) return report(err, id.error());
      const ut::UtConfig explicit_keys = uc;
      auto applied = ut::apply(profile.value(), id.value(), uc);
      if (!applied) {
        return report(err, Error(Errc::config_invalid, "config key 'operator': " + applied.error().message()));
      }
      if (!explicit_keys.intended_identity.empty()) uc.intended_identity = explicit_keys.intended_identity;
      if (!explicit_keys.xui.empty()) uc.xui = explicit_keys.xui;
    }
    if (c.gba_u) uc.gba.gba_u = *c.gba_u;
    if (uc.xcap_root.empty()) {
      return report(err, UT_E_CONFIG, Errc::config_missing, "config key 'xcap.root' (or 'operator') is required");
    }
    const auto& trust = uc.tls.trust;
    if (uc.xcap_root.rfind("https:", 0) == 0 && trust.ca_file.empty() && trust.ca_dir.empty() && trust.ca_pem.empty()) {
      return report(err, UT_E_CONFIG, Errc::config_missing,
                    "an https XCAP root needs trust anchors: set 'tls.ca_file', 'tls.ca_dir' or 'tls.ca_pem'");
    }
    if (s->store) {
      auto key = session_key(c, *s->store, *s->random);
      if (!key) return report(err, key.error());
      uc.tls_session_key = std::move(key).value();
    }
    auto session = ut::UtSession::create(std::move(uc), *s->usim,
                                         ut::Platform{*s->tcp, *s->random, s->clock, s->store.get(), &s->log});
    if (!session) return report(err, session.error());
    s->session = std::move(session).value();
    s->xui = s->session->xui();
    *out = s.release();
    clear(err);
    return UT_OK;
  });
}

void ut_session_free(ut_session* session) {
  if (session == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(session->state);
    if (session->running) {
      session->free_requested = true;  // the running call frees it as it ends:
      // at once when freed from another thread; a callback of the call itself
      // (on the calling thread) lets it complete.
      if (session->caller != std::this_thread::get_id() && session->call_token != nullptr) session->call_token->fire();
      return;
    }
  }
  delete session;
}

ut_status ut_session_close_connections(ut_session* session, ut_error* err) {
  return run(session, nullptr, err, [&](ut::UtSession& s, ut::OpLimits) {
    s.close_connections();
    clear(err);
    return UT_OK;
  });
}

ut_status ut_session_network_changed(ut_session* session, ut_error* err) {
  if (session == nullptr) return bad_argument(err, "the session is NULL");
  return guard(err, [&]() -> ut_status {
    session->session->network_changed();
    clear(err);
    return UT_OK;
  });
}

const char* ut_session_xui(const ut_session* session) { return session == nullptr ? "" : session->xui.c_str(); }

ut_status ut_bootstrap(ut_session* session, const ut_call* call, int force, ut_bootstrap_info* out, ut_error* err) {
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) -> ut_status {
    auto ctx = s.bootstrap(force != 0, limits);
    if (!ctx) return report(err, ctx.error());
    if (out != nullptr) {
      std::memset(out, 0, sizeof *out);
      const std::string& btid = ctx.value()->btid;
      copy_text(out->btid, sizeof out->btid, btid.c_str(), btid.size());
      out->expires_at = std::chrono::duration_cast<std::chrono::seconds>(ctx.value()->expiry.time_since_epoch()).count();
    }
    clear(err);
    return UT_OK;
  });
}

ut_status ut_session_stats(ut_session* session, ut_stats* out, int reset) {
  if (session == nullptr || out == nullptr) return UT_E_INVALID_ARGUMENT;
  std::lock_guard<std::mutex> lock(session->state);  // a call cannot start meanwhile
  if (session->running) return UT_E_BUSY;
  const ut::UtStats st = session->session->stats();
  std::memset(out, 0, sizeof *out);
  out->round_trips = static_cast<uint32_t>(st.naf.round_trips());
  out->exchanges = static_cast<uint32_t>(st.naf.exchanges);
  out->tcp_connects = static_cast<uint32_t>(st.naf.tcp_connects);
  out->tls_full = static_cast<uint32_t>(st.naf.tls_full);
  out->tls_resumed = static_cast<uint32_t>(st.naf.tls_resumed);
  out->bytes_sent = st.naf.bytes_sent;
  out->bytes_received = st.naf.bytes_received;
  out->bootstraps = static_cast<uint32_t>(st.gba.bootstraps);
  out->resyncs = static_cast<uint32_t>(st.gba.resyncs);
  out->cache_hits = static_cast<uint32_t>(session->session->cache_stats().hits);
  if (reset != 0) session->session->reset_stats();
  return UT_OK;
}

// ---- buddies and rules ----

ut_status ut_buddies_list(ut_session* session, const ut_call* call, const char* list, ut_buddy_list** out,
                          ut_error* err) {
  if (out == nullptr) return bad_argument(err, "the out pointer is NULL");
  *out = nullptr;
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) -> ut_status {
    auto entries = s.buddies(str(list), limits);
    if (!entries) return report(err, entries.error());
    *out = new ut_buddy_list{std::move(entries).value()};
    clear(err);
    return UT_OK;
  });
}

size_t ut_buddy_list_count(const ut_buddy_list* list) { return list == nullptr ? 0 : list->entries.size(); }
const char* ut_buddy_list_uri(const ut_buddy_list* list, size_t index) {
  if (list == nullptr || index >= list->entries.size()) return nullptr;
  return list->entries[index].uri.c_str();
}
const char* ut_buddy_list_display_name(const ut_buddy_list* list, size_t index) {
  if (list == nullptr || index >= list->entries.size()) return nullptr;
  return list->entries[index].display_name.c_str();
}
void ut_buddy_list_free(ut_buddy_list* list) { delete list; }

ut_status ut_buddies_add(ut_session* session, const ut_call* call, const char* list, const char* uri,
                         const char* display_name, ut_error* err) {
  if (empty(uri)) return bad_argument(err, "the buddy's URI is empty");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return from_result(err, s.add_buddy(xcap::Entry{uri, str(display_name)}, str(list), limits));
  });
}

ut_status ut_buddies_remove(ut_session* session, const ut_call* call, const char* list, const char* uri,
                            ut_error* err) {
  if (empty(uri)) return bad_argument(err, "the buddy's URI is empty");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return from_result(err, s.remove_buddy(uri, str(list), limits));
  });
}

ut_status ut_buddies_rename(ut_session* session, const ut_call* call, const char* list, const char* uri,
                            const char* display_name, ut_error* err) {
  if (empty(uri)) return bad_argument(err, "the buddy's URI is empty");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return from_result(err, s.rename_buddy(uri, str(display_name), str(list), limits));
  });
}

ut_status ut_rules_allow(ut_session* session, const ut_call* call, const char* watcher, ut_error* err) {
  if (empty(watcher)) return bad_argument(err, "the watcher's URI is empty");
  return run(session, call, err,
             [&](ut::UtSession& s, ut::OpLimits limits) { return from_result(err, s.allow(watcher, limits)); });
}

ut_status ut_rules_block(ut_session* session, const ut_call* call, const char* watcher, ut_error* err) {
  if (empty(watcher)) return bad_argument(err, "the watcher's URI is empty");
  return run(session, call, err,
             [&](ut::UtSession& s, ut::OpLimits limits) { return from_result(err, s.block(watcher, limits)); });
}

// ---- simservs ----

int ut_simservs_provisioned(const ut_simservs* ss, ut_ss_service service, int* active) {
  if (ss == nullptr || service < UT_SS_CALL_FORWARDING || service > UT_SS_CALL_WAITING) return 0;
  const xcap::ServiceState st = ss->doc.state(static_cast<xcap::Service>(service));
  if (active != nullptr) *active = st.active ? 1 : 0;
  return st.provisioned ? 1 : 0;
}

int ut_simservs_forwarding(const ut_simservs* ss, ut_cf_condition condition, int* enabled, const char** target) {
  if (ss == nullptr || condition < UT_CF_UNCONDITIONAL || condition > UT_CF_NOT_REGISTERED) return 0;
  auto rule = ss->doc.forwarding(static_cast<xcap::ForwardCondition>(condition));
  if (enabled != nullptr) *enabled = rule && rule->enabled ? 1 : 0;
  if (target != nullptr) *target = ss->targets[condition].c_str();
  return rule ? 1 : 0;
}

int ut_simservs_barring(const ut_simservs* ss, ut_cb_condition condition, int* enabled) {
  if (ss == nullptr || condition < UT_CB_ALL_OUTGOING || condition > UT_CB_ANONYMOUS) return 0;
  auto rule = ss->doc.barring(static_cast<xcap::BarringCondition>(condition));
  if (enabled != nullptr) *enabled = rule && rule->enabled ? 1 : 0;
  return rule ? 1 : 0;
}

int ut_simservs_no_reply_timer(const ut_simservs* ss) {
  if (ss == nullptr) return -1;
  auto t = ss->doc.no_reply_timer();
  return t ? *t : -1;
}

int ut_simservs_restricted(const ut_simservs* ss, ut_ss_service oir_or_tir) {
  if (ss == nullptr || (oir_or_tir != UT_SS_OIR && oir_or_tir != UT_SS_TIR)) return -1;
  auto r = ss->doc.restricted(static_cast<xcap::Service>(oir_or_tir));
  return r ? (*r ? 1 : 0) : -1;
}

void ut_simservs_free(ut_simservs* ss) { delete ss; }

ut_status ut_ss_get(ut_session* session, const ut_call* call, ut_simservs** out, ut_error* err) {
  if (out == nullptr) return bad_argument(err, "the out pointer is NULL");
  *out = nullptr;
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return deliver_simservs(s.supplementary_services(limits), out, err);
  });
}

ut_status ut_ss_set_forwarding(ut_session* session, const ut_call* call, ut_cf_condition condition, int enable,
                               const char* target, int no_reply_timer, ut_simservs** out, ut_error* err) {
  if (out != nullptr) *out = nullptr;
  if (condition < UT_CF_UNCONDITIONAL || condition > UT_CF_NOT_REGISTERED) {
    return bad_argument(err, "unknown forwarding condition");
  }
  if (enable != 0 && empty(target)) return bad_argument(err, "forwarding needs a target (a URI or a number)");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    xcap::ForwardingChange change;
    change.condition = static_cast<xcap::ForwardCondition>(condition);
    change.enable = enable != 0;
    if (change.enable) {
      change.target = target;
      if (no_reply_timer != 0) change.no_reply_timer = no_reply_timer;
    }
    return deliver_simservs(s.set_call_forwarding(change, limits), out, err);
  });
}

ut_status ut_ss_set_barring(ut_session* session, const ut_call* call, ut_cb_condition condition, int enable,
                            ut_simservs** out, ut_error* err) {
  if (out != nullptr) *out = nullptr;
  if (condition < UT_CB_ALL_OUTGOING || condition > UT_CB_ANONYMOUS) return bad_argument(err, "unknown barring condition");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return deliver_simservs(s.set_call_barring(static_cast<xcap::BarringCondition>(condition), enable != 0, limits),
                            out, err);
  });
}

ut_status ut_ss_set_caller_id_restriction(ut_session* session, const ut_call* call, int restricted, ut_simservs** out,
                                          ut_error* err) {
  if (out != nullptr) *out = nullptr;
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return deliver_simservs(s.set_caller_id_restriction(restricted != 0, limits), out, err);
  });
}

ut_status ut_ss_set_call_waiting(ut_session* session, const ut_call* call, int on, ut_simservs** out, ut_error* err) {
  if (out != nullptr) *out = nullptr;
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return deliver_simservs(s.set_call_waiting(on != 0, limits), out, err);
  });
}

// ---- raw XCAP ----

ut_status ut_xcap_get(ut_session* session, const ut_call* call, const char* selector, ut_xcap_response** out,
                      ut_error* err) {
  if (out != nullptr) *out = nullptr;
  if (empty(selector)) return bad_argument(err, "the selector is empty");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return deliver_xcap(s.xcap_get(selector, limits), out, err);
  });
}

ut_status ut_xcap_put(ut_session* session, const ut_call* call, const char* selector, const char* body,
                      size_t body_len, ut_xcap_response** out, ut_error* err) {
  if (out != nullptr) *out = nullptr;
  if (empty(selector)) return bad_argument(err, "the selector is empty");
  if (body == nullptr && body_len != 0) return bad_argument(err, "the body is NULL");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return deliver_xcap(s.xcap_put(selector, std::string(body == nullptr ? "" : body, body_len), limits), out, err);
  });
}

ut_status ut_xcap_delete(ut_session* session, const ut_call* call, const char* selector, ut_xcap_response** out,
                         ut_error* err) {
  if (out != nullptr) *out = nullptr;
  if (empty(selector)) return bad_argument(err, "the selector is empty");
  return run(session, call, err, [&](ut::UtSession& s, ut::OpLimits limits) {
    return deliver_xcap(s.xcap_delete(selector, limits), out, err);
  });
}

int ut_xcap_response_status(const ut_xcap_response* response) { return response == nullptr ? 0 : response->result.status; }
const char* ut_xcap_response_etag(const ut_xcap_response* response) {
  return response == nullptr ? "" : response->result.etag.c_str();
}
const char* ut_xcap_response_content_type(const ut_xcap_response* response) {
  return response == nullptr ? "" : response->result.content_type.c_str();
}
const char* ut_xcap_response_body(const ut_xcap_response* response, size_t* len) {
  if (response == nullptr) {
    if (len != nullptr) *len = 0;
    return "";
  }
  if (len != nullptr) *len = response->result.body.size();
  return response->result.body.c_str();
}
void ut_xcap_response_free(ut_xcap_response* response) { delete response; }

}  // extern "C"
