// libutkit_jni.so: the JNI glue between org.utkit (Java) and libutkit.so's C
// API. Only the C API is used; nothing here reaches the C++ SDK.
//
//  - Java objects the SDK calls back (USIM, store, log sink, socket hook) are
//    held by global references owned by the C handles that use them, and
//    dropped in their release callbacks; liveGlobalRefs() counts them so a
//    test can prove none leak.
//  - Callbacks can come on an SDK helper thread: they attach it to the JVM
//    for the call and detach it again.
//  - A Java exception in a callback becomes a status for the SDK (and the
//    exception is cleared); an SDK error becomes an org.utkit.UtException.
//  - Strings cross as real UTF-8 (not JNI's modified UTF-8), so emoji in a
//    display name survive.
#include <jni.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "utkit/utkit.h"

#define UTKIT_JNI_EXPORT extern "C" JNIEXPORT

namespace {

JavaVM* g_vm = nullptr;
std::atomic<long> g_live_refs{0};

jobject new_global(JNIEnv* env, jobject o) {
  if (o == nullptr) return nullptr;
  jobject g = env->NewGlobalRef(o);
  if (g != nullptr) g_live_refs.fetch_add(1);
  return g;
}

void delete_global(JNIEnv* env, jobject g) {
  if (g == nullptr) return;
  env->DeleteGlobalRef(g);
  g_live_refs.fetch_sub(1);
}

// The JNIEnv of this thread, attaching it for the scope when the SDK calls
// back on a thread of its own.
class AttachedEnv {
 public:
  AttachedEnv() {
    if (g_vm->GetEnv(reinterpret_cast<void**>(&env_), JNI_VERSION_1_6) == JNI_EDETACHED) {
#if defined(__ANDROID__)
      const jint rc = g_vm->AttachCurrentThread(&env_, nullptr);  // the NDK's jni.h takes JNIEnv**
#else
      const jint rc = g_vm->AttachCurrentThread(reinterpret_cast<void**>(&env_), nullptr);
#endif
      if (rc == JNI_OK) {
        attached_ = true;
      } else {
        env_ = nullptr;
      }
    }
  }
  ~AttachedEnv() {
    if (attached_) g_vm->DetachCurrentThread();
  }
  AttachedEnv(const AttachedEnv&) = delete;
  AttachedEnv& operator=(const AttachedEnv&) = delete;
  JNIEnv* get() const { return env_; }

 private:
  JNIEnv* env_ = nullptr;
  bool attached_ = false;
};

// ---- classes and members, looked up once in JNI_OnLoad ----

struct Cache {
  jclass ut_exception, aka_result, buddy, simservs, xcap_response, stats, identity, string, oom;
  jmethodID ut_exception_init, buddy_init, simservs_init, xcap_response_init, stats_init;
  jmethodID usim_authenticate, store_get, store_put, store_remove, log_log, hook_on_socket, throwable_to_string;
  jfieldID aka_outcome, aka_res, aka_ck, aka_ik, aka_auts, aka_message;
  jmethodID aka_success, aka_sync_failure, aka_mac_failure, aka_wipe;
  jfieldID id_imsi, id_mnc_length, id_impi, id_impu, id_home_domain;
  jfieldID ss_provisioned, ss_active, ss_fwd_exists, ss_fwd_enabled, ss_fwd_target, ss_cb_exists, ss_cb_enabled,
      ss_no_reply_timer, ss_oir, ss_tir;
  jfieldID st_round_trips, st_exchanges, st_tcp, st_tls_full, st_tls_resumed, st_sent, st_received, st_bootstraps,
      st_resyncs, st_cache_hits;
} C;

jclass global_class(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto g = static_cast<jclass>(new_global(env, local));
  env->DeleteLocalRef(local);
  return g;
}

bool load_cache(JNIEnv* env) {
  if (!(C.ut_exception = global_class(env, "org/utkit/UtException"))) return false;
  if (!(C.aka_result = global_class(env, "org/utkit/AkaResult"))) return false;
  if (!(C.buddy = global_class(env, "org/utkit/Buddy"))) return false;
  if (!(C.simservs = global_class(env, "org/utkit/Simservs"))) return false;
  if (!(C.xcap_response = global_class(env, "org/utkit/XcapResponse"))) return false;
  if (!(C.stats = global_class(env, "org/utkit/Stats"))) return false;
  if (!(C.identity = global_class(env, "org/utkit/Identity"))) return false;
  if (!(C.string = global_class(env, "java/lang/String"))) return false;
  if (!(C.oom = global_class(env, "java/lang/OutOfMemoryError"))) return false;
  C.ut_exception_init = env->GetMethodID(C.ut_exception, "<init>",
                                         "(IILjava/lang/String;Ljava/lang/String;Ljava/lang/String;)V");
  C.buddy_init = env->GetMethodID(C.buddy, "<init>", "(Ljava/lang/String;Ljava/lang/String;)V");
  C.simservs_init = env->GetMethodID(C.simservs, "<init>", "()V");
  C.xcap_response_init = env->GetMethodID(C.xcap_response, "<init>", "(ILjava/lang/String;Ljava/lang/String;[B)V");
  C.stats_init = env->GetMethodID(C.stats, "<init>", "()V");
  jclass usim = env->FindClass("org/utkit/Usim");
  jclass store = env->FindClass("org/utkit/Store");
  jclass log = env->FindClass("org/utkit/LogSink");
  jclass hook = env->FindClass("org/utkit/SocketHook");
  jclass throwable = env->FindClass("java/lang/Throwable");
  if (!usim || !store || !log || !hook || !throwable) return false;
  C.usim_authenticate = env->GetMethodID(usim, "authenticate", "([B[B)Lorg/utkit/AkaResult;");
  C.store_get = env->GetMethodID(store, "get", "(Ljava/lang/String;)[B");
  C.store_put = env->GetMethodID(store, "put", "(Ljava/lang/String;[B)V");
  C.store_remove = env->GetMethodID(store, "remove", "(Ljava/lang/String;)V");
  C.log_log = env->GetMethodID(log, "log", "(ILjava/lang/String;Ljava/lang/String;)V");
  C.hook_on_socket = env->GetMethodID(hook, "onSocket", "(I)Z");
  C.throwable_to_string = env->GetMethodID(throwable, "toString", "()Ljava/lang/String;");
  C.aka_outcome = env->GetFieldID(C.aka_result, "outcome", "I");
  C.aka_res = env->GetFieldID(C.aka_result, "res", "[B");
  C.aka_ck = env->GetFieldID(C.aka_result, "ck", "[B");
  C.aka_ik = env->GetFieldID(C.aka_result, "ik", "[B");
  C.aka_auts = env->GetFieldID(C.aka_result, "auts", "[B");
  C.aka_message = env->GetFieldID(C.aka_result, "message", "Ljava/lang/String;");
  C.aka_success = env->GetStaticMethodID(C.aka_result, "success", "([B[B[B)Lorg/utkit/AkaResult;");
  C.aka_sync_failure = env->GetStaticMethodID(C.aka_result, "syncFailure", "([B)Lorg/utkit/AkaResult;");
  C.aka_mac_failure = env->GetStaticMethodID(C.aka_result, "macFailure", "()Lorg/utkit/AkaResult;");
  C.aka_wipe = env->GetMethodID(C.aka_result, "wipe", "()V");
  C.id_imsi = env->GetFieldID(C.identity, "imsi", "Ljava/lang/String;");
  C.id_mnc_length = env->GetFieldID(C.identity, "mncLength", "I");
  C.id_impi = env->GetFieldID(C.identity, "impi", "Ljava/lang/String;");
  C.id_impu = env->GetFieldID(C.identity, "impu", "Ljava/lang/String;");
  C.id_home_domain = env->GetFieldID(C.identity, "homeDomain", "Ljava/lang/String;");
  C.ss_provisioned = env->GetFieldID(C.simservs, "provisioned", "[Z");
  C.ss_active = env->GetFieldID(C.simservs, "active", "[Z");
  C.ss_fwd_exists = env->GetFieldID(C.simservs, "forwardingExists", "[Z");
  C.ss_fwd_enabled = env->GetFieldID(C.simservs, "forwardingEnabled", "[Z");
  C.ss_fwd_target = env->GetFieldID(C.simservs, "forwardingTarget", "[Ljava/lang/String;");
  C.ss_cb_exists = env->GetFieldID(C.simservs, "barringExists", "[Z");
  C.ss_cb_enabled = env->GetFieldID(C.simservs, "barringEnabled", "[Z");
  C.ss_no_reply_timer = env->GetFieldID(C.simservs, "noReplyTimer", "I");
  C.ss_oir = env->GetFieldID(C.simservs, "oirRestricted", "I");
  C.ss_tir = env->GetFieldID(C.simservs, "tirRestricted", "I");
  C.st_round_trips = env->GetFieldID(C.stats, "roundTrips", "I");
  C.st_exchanges = env->GetFieldID(C.stats, "exchanges", "I");
  C.st_tcp = env->GetFieldID(C.stats, "tcpConnects", "I");
  C.st_tls_full = env->GetFieldID(C.stats, "tlsFull", "I");
  C.st_tls_resumed = env->GetFieldID(C.stats, "tlsResumed", "I");
  C.st_sent = env->GetFieldID(C.stats, "bytesSent", "J");
  C.st_received = env->GetFieldID(C.stats, "bytesReceived", "J");
  C.st_bootstraps = env->GetFieldID(C.stats, "bootstraps", "I");
  C.st_resyncs = env->GetFieldID(C.stats, "resyncs", "I");
  C.st_cache_hits = env->GetFieldID(C.stats, "cacheHits", "I");
  env->DeleteLocalRef(usim);
  env->DeleteLocalRef(store);
  env->DeleteLocalRef(log);
  env->DeleteLocalRef(hook);
  env->DeleteLocalRef(throwable);
  return !env->ExceptionCheck();
}

// ---- strings: UTF-16 (Java) <-> UTF-8 (utkit) ----

// A Java exception is pending: unwind to guarded(), which returns to Java.
struct JavaThrown {};

// Java's UTF-16 as UTF-8. A string with U+0000 is refused: C would see only
// the part before it ("sip:a@evil.example\0@trusted.example").
std::string utf8(JNIEnv* env, jstring s) {
  std::string out;
  if (s == nullptr) return out;
  const jsize n = env->GetStringLength(s);
  const jchar* u = env->GetStringChars(s, nullptr);
  if (u == nullptr) throw JavaThrown{};  // OutOfMemoryError pending
  for (jsize i = 0; i < n; ++i) {
    if (u[i] == 0) {
      env->ReleaseStringChars(s, u);
      jclass iae = env->FindClass("java/lang/IllegalArgumentException");
      if (iae != nullptr) env->ThrowNew(iae, "utkit: a string with U+0000 cannot cross to C");
      throw JavaThrown{};
    }
  }
  out.reserve(static_cast<std::size_t>(n));
  for (jsize i = 0; i < n; ++i) {
    std::uint32_t c = u[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (u[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;  // a lone surrogate
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  env->ReleaseStringChars(s, u);
  return out;
}

jstring java_string(JNIEnv* env, const char* s) {
  if (s == nullptr) s = "";
  std::vector<jchar> u;
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  while (*p != 0) {
    std::uint32_t c = *p;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (c >= 0x80 && c < 0xC0) extra = -1;
    if (extra > 0) c &= (0x3F >> extra);
    ++p;
    for (int k = 0; k < extra; ++k, ++p) {
      if ((*p & 0xC0) != 0x80) {
        extra = -1;
        break;
      }
      c = (c << 6) | (*p & 0x3F);
    }
    if (extra < 0) c = 0xFFFD;  // the SDK checks UTF-8; this only guards
    if (c >= 0x10000) {
      c -= 0x10000;
      u.push_back(static_cast<jchar>(0xD800 + (c >> 10)));
      u.push_back(static_cast<jchar>(0xDC00 + (c & 0x3FF)));
    } else {
      u.push_back(static_cast<jchar>(c));
    }
  }
  return env->NewString(u.data(), static_cast<jsize>(u.size()));
}

// ---- errors ----

void throw_ut(JNIEnv* env, ut_status st, const ut_error& err) {
  if (env->ExceptionCheck()) return;
  jstring name = java_string(env, err.name);
  jstring module = java_string(env, err.module);
  jstring message = java_string(env, err.message[0] != '\0' ? err.message : ut_status_name(st));
  auto ex = static_cast<jthrowable>(env->NewObject(C.ut_exception, C.ut_exception_init, static_cast<jint>(st),
                                                   static_cast<jint>(err.code), name, module, message));
  if (ex != nullptr) env->Throw(ex);
}

void throw_argument(JNIEnv* env, const char* why) {
  ut_error err{};
  err.status = UT_E_INVALID_ARGUMENT;
  std::snprintf(err.message, sizeof err.message, "%s", why);
  std::snprintf(err.name, sizeof err.name, "base.invalid_argument");
  std::snprintf(err.module, sizeof err.module, "base");
  err.code = 0x0001;
  throw_ut(env, UT_E_INVALID_ARGUMENT, err);
}

// The Java exception pending from a callback, as text, cleared.
std::string take_exception(JNIEnv* env) {
  jthrowable t = env->ExceptionOccurred();
  env->ExceptionClear();
  if (t == nullptr) return "no exception";
  auto s = static_cast<jstring>(env->CallObjectMethod(t, C.throwable_to_string));
  std::string text = "an exception";
  if (env->ExceptionCheck()) {
    env->ExceptionClear();
  } else {
    try {
      text = utf8(env, s);
    } catch (const JavaThrown&) {
      env->ExceptionClear();
    }
  }
  if (s != nullptr) env->DeleteLocalRef(s);
  env->DeleteLocalRef(t);
  return text;
}

template <class F>
auto guarded(JNIEnv* env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const JavaThrown&) {
    // the Java exception is already pending
  } catch (const std::bad_alloc&) {
    env->ThrowNew(C.oom, "utkit: out of native memory");
  } catch (...) {
    env->ThrowNew(C.oom, "utkit: unexpected native exception");
  }
  return decltype(f())();
}

std::vector<std::uint8_t> bytes(JNIEnv* env, jbyteArray a) {
  std::vector<std::uint8_t> out;
  if (a == nullptr) return out;
  out.resize(static_cast<std::size_t>(env->GetArrayLength(a)));
  env->GetByteArrayRegion(a, 0, static_cast<jsize>(out.size()), reinterpret_cast<jbyte*>(out.data()));
  return out;
}

void wipe(void* p, std::size_t n) {
  volatile auto* b = static_cast<volatile std::uint8_t*>(p);
  for (std::size_t i = 0; i < n; ++i) b[i] = 0;
}
void wipe(std::vector<std::uint8_t>& v) { wipe(v.data(), v.size()); }

// Wipes the bytes it guards when the scope ends, however it ends.
struct WipeOnExit {
  void* p;
  std::size_t n;
  ~WipeOnExit() { wipe(p, n); }
};

jbyteArray byte_array(JNIEnv* env, const std::uint8_t* data, std::size_t len) {
  jbyteArray a = env->NewByteArray(static_cast<jsize>(len));
  if (a != nullptr) env->SetByteArrayRegion(a, 0, static_cast<jsize>(len), reinterpret_cast<const jbyte*>(data));
  return a;
}

// ---- callbacks into Java ----

// After a failure inside a callback: no Java exception may stay pending on
// this thread (the SDK's call continues, and returns to Java later).
void clear_pending() {
  AttachedEnv attached;
  if (attached.get() != nullptr) attached.get()->ExceptionClear();
}

// The Java USIM: ctx is a global reference, dropped by release.
void usim_aka_impl(void* ctx, const uint8_t rand[16], const uint8_t autn[16], ut_aka_result* out) {
  AttachedEnv attached;
  JNIEnv* env = attached.get();
  if (env == nullptr) {
    std::snprintf(out->error_message, sizeof out->error_message, "cannot attach this thread to the JVM");
    return;
  }
  jbyteArray r = byte_array(env, rand, 16), a = byte_array(env, autn, 16);
  jobject result = env->CallObjectMethod(static_cast<jobject>(ctx), C.usim_authenticate, r, a);
  env->DeleteLocalRef(r);
  env->DeleteLocalRef(a);
  if (env->ExceptionCheck()) {
    out->outcome = UT_AKA_ERROR;
    std::snprintf(out->error_message, sizeof out->error_message, "%s", take_exception(env).c_str());
    return;
  }
  if (result == nullptr) {
    out->outcome = UT_AKA_ERROR;
    std::snprintf(out->error_message, sizeof out->error_message, "the Java Usim returned null");
    return;
  }
  out->outcome = static_cast<ut_aka_outcome>(env->GetIntField(result, C.aka_outcome));
  auto copy = [&](jfieldID f, std::uint8_t* dst, std::size_t cap, std::size_t* len) {
    auto arr = static_cast<jbyteArray>(env->GetObjectField(result, f));
    if (arr == nullptr) return;
    const auto n = static_cast<std::size_t>(env->GetArrayLength(arr));
    if (n <= cap) {
      env->GetByteArrayRegion(arr, 0, static_cast<jsize>(n), reinterpret_cast<jbyte*>(dst));
      if (len != nullptr) *len = n;
    }
    env->DeleteLocalRef(arr);
  };
  copy(C.aka_res, out->res, sizeof out->res, &out->res_len);
  copy(C.aka_ck, out->ck, sizeof out->ck, nullptr);
  copy(C.aka_ik, out->ik, sizeof out->ik, nullptr);
  copy(C.aka_auts, out->auts, sizeof out->auts, nullptr);
  auto msg = static_cast<jstring>(env->GetObjectField(result, C.aka_message));
  if (msg != nullptr) {
    std::snprintf(out->error_message, sizeof out->error_message, "%s", utf8(env, msg).c_str());
    env->DeleteLocalRef(msg);
  }
  env->CallVoidMethod(result, C.aka_wipe);  // the Java copies of RES, CK, IK
  if (env->ExceptionCheck()) env->ExceptionClear();
  env->DeleteLocalRef(result);
}

// Callbacks run inside libutkit.so's calls: nothing may unwind out of them
// (with c++_static each library has its own C++ runtime).
void usim_aka(void* ctx, const uint8_t rand[16], const uint8_t autn[16], ut_aka_result* out) {
  try {
    usim_aka_impl(ctx, rand, autn, out);
  } catch (...) {
    clear_pending();
    out->outcome = UT_AKA_ERROR;
    std::snprintf(out->error_message, sizeof out->error_message, "the JNI glue ran out of memory");
  }
}

void release_global(void* ctx) {
  AttachedEnv attached;
  if (attached.get() != nullptr) delete_global(attached.get(), static_cast<jobject>(ctx));
}

ut_status store_get_impl(void* ctx, const char* key, ut_value* value) {
  AttachedEnv attached;
  JNIEnv* env = attached.get();
  if (env == nullptr) return UT_E_STORAGE;
  jstring k = java_string(env, key);
  auto v = static_cast<jbyteArray>(env->CallObjectMethod(static_cast<jobject>(ctx), C.store_get, k));
  env->DeleteLocalRef(k);
  if (env->ExceptionCheck()) {
    take_exception(env);
    return UT_E_STORAGE;
  }
  if (v == nullptr) return UT_E_NOT_FOUND;
  std::vector<std::uint8_t> data = bytes(env, v);
  env->DeleteLocalRef(v);
  const ut_status st = ut_value_set(value, data.data(), data.size());
  wipe(data);
  return st;
}

ut_status store_get(void* ctx, const char* key, ut_value* value) {
  try {
    return store_get_impl(ctx, key, value);
  } catch (...) {
    clear_pending();
    return UT_E_STORAGE;
  }
}

ut_status store_put_impl(void* ctx, const char* key, const uint8_t* data, size_t len) {
  AttachedEnv attached;
  JNIEnv* env = attached.get();
  if (env == nullptr) return UT_E_STORAGE;
  jstring k = java_string(env, key);
  jbyteArray v = byte_array(env, data, len);
  env->CallVoidMethod(static_cast<jobject>(ctx), C.store_put, k, v);
  env->DeleteLocalRef(k);
  env->DeleteLocalRef(v);
  if (env->ExceptionCheck()) {
    take_exception(env);
    return UT_E_STORAGE;
  }
  return UT_OK;
}

ut_status store_put(void* ctx, const char* key, const uint8_t* data, size_t len) {
  try {
    return store_put_impl(ctx, key, data, len);
  } catch (...) {
    clear_pending();
    return UT_E_STORAGE;
  }
}

ut_status store_remove_impl(void* ctx, const char* key) {
  AttachedEnv attached;
  JNIEnv* env = attached.get();
  if (env == nullptr) return UT_E_STORAGE;
  jstring k = java_string(env, key);
  env->CallVoidMethod(static_cast<jobject>(ctx), C.store_remove, k);
  env->DeleteLocalRef(k);
  if (env->ExceptionCheck()) {
    take_exception(env);
    return UT_E_STORAGE;
  }
  return UT_OK;
}

ut_status store_remove(void* ctx, const char* key) {
  try {
    return store_remove_impl(ctx, key);
  } catch (...) {
    clear_pending();
    return UT_E_STORAGE;
  }
}

// The log sink and socket hook of one session.
struct SessionGlue {
  ut_session* session = nullptr;
  ut_cancel* cancel = nullptr;
  jobject log = nullptr;
  jobject hook = nullptr;
};

void on_log_impl(void* ctx, ut_log_level level, const char* component, const char* message) {
  AttachedEnv attached;
  JNIEnv* env = attached.get();
  if (env == nullptr) return;
  jstring c = java_string(env, component), m = java_string(env, message);
  env->CallVoidMethod(static_cast<SessionGlue*>(ctx)->log, C.log_log, static_cast<jint>(level), c, m);
  if (env->ExceptionCheck()) env->ExceptionClear();
  env->DeleteLocalRef(c);
  env->DeleteLocalRef(m);
}

void on_log(void* ctx, ut_log_level level, const char* component, const char* message) {
  try {
    on_log_impl(ctx, level, component, message);
  } catch (...) {
    clear_pending();
  }
}

ut_status on_socket_impl(void* ctx, int fd) {
  AttachedEnv attached;
  JNIEnv* env = attached.get();
  if (env == nullptr) return UT_E_NETWORK;
  const jboolean ok = env->CallBooleanMethod(static_cast<SessionGlue*>(ctx)->hook, C.hook_on_socket, fd);
  if (env->ExceptionCheck()) {
    take_exception(env);
    return UT_E_NETWORK;
  }
  return ok ? UT_OK : UT_E_NETWORK;
}

ut_status on_socket(void* ctx, int fd) {
  try {
    return on_socket_impl(ctx, fd);
  } catch (...) {
    clear_pending();
    return UT_E_NETWORK;
  }
}

ut_status identity_from(JNIEnv* env, jobject jid, std::string (&fields)[4], ut_identity& id) {
  if (jid == nullptr) return UT_E_INVALID_ARGUMENT;
  const jfieldID ids[4] = {C.id_imsi, C.id_impi, C.id_impu, C.id_home_domain};
  for (int i = 0; i < 4; ++i) {
    auto js = static_cast<jstring>(env->GetObjectField(jid, ids[i]));
    fields[i] = utf8(env, js);
    if (js != nullptr) env->DeleteLocalRef(js);
  }
  id.imsi = fields[0].c_str();
  id.mnc_length = env->GetIntField(jid, C.id_mnc_length);
  id.impi = fields[1].c_str();
  id.impu = fields[2].c_str();
  id.home_domain = fields[3].c_str();
  return UT_OK;
}

jobject aka_result_to_java(JNIEnv* env, const ut_aka_result& r) {
  switch (r.outcome) {
    case UT_AKA_SUCCESS: {
      jbyteArray res = byte_array(env, r.res, r.res_len), ck = byte_array(env, r.ck, 16), ik = byte_array(env, r.ik, 16);
      if (res == nullptr || ck == nullptr || ik == nullptr) return nullptr;  // OutOfMemoryError pending
      jobject o = env->CallStaticObjectMethod(C.aka_result, C.aka_success, res, ck, ik);
      // success() copied the arrays: wipe ours, with any exception set aside.
      jthrowable pending = env->ExceptionOccurred();
      if (pending != nullptr) env->ExceptionClear();
      const jbyte zero[16] = {0};
      env->SetByteArrayRegion(res, 0, static_cast<jsize>(r.res_len), zero);
      env->SetByteArrayRegion(ck, 0, 16, zero);
      env->SetByteArrayRegion(ik, 0, 16, zero);
      if (pending != nullptr) env->Throw(pending);
      return o;
    }
    case UT_AKA_SYNC_FAILURE: {
      jbyteArray auts = byte_array(env, r.auts, sizeof r.auts);
      return env->CallStaticObjectMethod(C.aka_result, C.aka_sync_failure, auts);
    }
    default: return env->CallStaticObjectMethod(C.aka_result, C.aka_mac_failure);
  }
}

jobject simservs_to_java(JNIEnv* env, ut_simservs* ss) {
  jobject o = env->NewObject(C.simservs, C.simservs_init);
  if (o == nullptr) return nullptr;
  auto set_bools = [&](jfieldID f, int n, auto get) {
    auto arr = static_cast<jbooleanArray>(env->GetObjectField(o, f));
    for (int i = 0; i < n; ++i) {
      const jboolean v = get(i) ? JNI_TRUE : JNI_FALSE;
      env->SetBooleanArrayRegion(arr, i, 1, &v);
    }
    env->DeleteLocalRef(arr);
  };
  set_bools(C.ss_provisioned, 8, [&](int i) { return ut_simservs_provisioned(ss, static_cast<ut_ss_service>(i), nullptr) == 1; });
  set_bools(C.ss_active, 8, [&](int i) {
    int a = 0;
    ut_simservs_provisioned(ss, static_cast<ut_ss_service>(i), &a);
    return a == 1;
  });
  set_bools(C.ss_fwd_exists, 5, [&](int i) {
    return ut_simservs_forwarding(ss, static_cast<ut_cf_condition>(i), nullptr, nullptr) == 1;
  });
  set_bools(C.ss_fwd_enabled, 5, [&](int i) {
    int e = 0;
    ut_simservs_forwarding(ss, static_cast<ut_cf_condition>(i), &e, nullptr);
    return e == 1;
  });
  auto targets = static_cast<jobjectArray>(env->GetObjectField(o, C.ss_fwd_target));
  for (int i = 0; i < 5; ++i) {
    const char* t = "";
    ut_simservs_forwarding(ss, static_cast<ut_cf_condition>(i), nullptr, &t);
    jstring s = java_string(env, t);
    env->SetObjectArrayElement(targets, i, s);
    env->DeleteLocalRef(s);
  }
  env->DeleteLocalRef(targets);
  set_bools(C.ss_cb_exists, 6, [&](int i) { return ut_simservs_barring(ss, static_cast<ut_cb_condition>(i), nullptr) == 1; });
  set_bools(C.ss_cb_enabled, 6, [&](int i) {
    int e = 0;
    ut_simservs_barring(ss, static_cast<ut_cb_condition>(i), &e);
    return e == 1;
  });
  env->SetIntField(o, C.ss_no_reply_timer, ut_simservs_no_reply_timer(ss));
  env->SetIntField(o, C.ss_oir, ut_simservs_restricted(ss, UT_SS_OIR));
  env->SetIntField(o, C.ss_tir, ut_simservs_restricted(ss, UT_SS_TIR));
  return o;
}

SessionGlue* glue(jlong h) { return reinterpret_cast<SessionGlue*>(h); }

// The call's limits: the session's cancel handle and the Java timeout.
ut_call call_of(SessionGlue* g, jlong timeout_ms) {
  ut_call c;
  c.timeout_ms = timeout_ms <= 0 ? 0u : timeout_ms > 0x7fffffff ? 0x7fffffffu : static_cast<uint32_t>(timeout_ms);
  c.cancel = g->cancel;
  return c;
}

const char* opt(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

jobject finish_simservs(JNIEnv* env, ut_status st, ut_simservs* ss, const ut_error& err) {
  if (st != UT_OK) {
    throw_ut(env, st, err);
    return nullptr;
  }
  jobject o = simservs_to_java(env, ss);
  ut_simservs_free(ss);
  return o;
}

}  // namespace

UTKIT_JNI_EXPORT jint JNI_OnLoad(JavaVM* vm, void*) {
  g_vm = vm;
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_6) != JNI_OK) return JNI_ERR;
  if (!load_cache(env)) return JNI_ERR;
  return JNI_VERSION_1_6;
}

UTKIT_JNI_EXPORT jstring JNICALL Java_org_utkit_Native_version(JNIEnv* env, jclass) {
  return guarded(env, [&] { return java_string(env, ut_version()); });
}

UTKIT_JNI_EXPORT jstring JNICALL Java_org_utkit_Native_buildInfo(JNIEnv* env, jclass) {
  return guarded(env, [&] { return java_string(env, ut_build_info()); });
}

UTKIT_JNI_EXPORT jlong JNICALL Java_org_utkit_Native_liveGlobalRefs(JNIEnv*, jclass) { return g_live_refs.load(); }

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_checkConfig(JNIEnv* env, jclass, jstring key, jstring value) {
  guarded(env, [&] {
    ut_config* c = nullptr;
    if (ut_config_new(&c) != UT_OK) return;
    ut_error err;
    const std::string k = utf8(env, key), v = utf8(env, value);
    const ut_status st = ut_config_set(c, k.c_str(), v.c_str(), &err);
    ut_config_free(c);
    if (st != UT_OK) throw_ut(env, st, err);
  });
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_akaResultFromCard(JNIEnv* env, jclass, jbyteArray answer) {
  return guarded(env, [&]() -> jobject {
    std::vector<std::uint8_t> a = bytes(env, answer);
    ut_aka_result r;
    WipeOnExit wipe_r{&r, sizeof r};
    ut_error err;
    const ut_status st = ut_aka_result_from_card(a.data(), a.size(), &r, &err);
    wipe(a);
    if (st != UT_OK) {
      throw_ut(env, st, err);
      return nullptr;
    }
    return aka_result_to_java(env, r);
  });
}

UTKIT_JNI_EXPORT jlong JNICALL Java_org_utkit_Native_softUsimNew(JNIEnv* env, jclass, jbyteArray k, jbyteArray opc,
                                                                  jobject identity) {
  return guarded(env, [&]() -> jlong {
    std::vector<std::uint8_t> kb = bytes(env, k), ob = bytes(env, opc);
    WipeOnExit wipe_k{kb.data(), kb.size()}, wipe_opc{ob.data(), ob.size()};
    if (kb.size() != 16 || ob.size() != 16) {
      throw_argument(env, "K and OPc must be 16 bytes each");
      return 0;
    }
    std::string fields[4];
    ut_identity id{};
    if (identity_from(env, identity, fields, id) != UT_OK) {
      throw_argument(env, "the identity is null");
      return 0;
    }
    ut_usim* u = nullptr;
    ut_error err;
    const ut_status st = ut_usim_new_soft(kb.data(), ob.data(), &id, nullptr, &u, &err);
    if (st != UT_OK) throw_ut(env, st, err);
    return reinterpret_cast<jlong>(u);
  });
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_usimAuthenticate(JNIEnv* env, jclass, jlong usim, jbyteArray rand,
                                                                         jbyteArray autn) {
  return guarded(env, [&]() -> jobject {
    std::vector<std::uint8_t> r = bytes(env, rand), a = bytes(env, autn);
    if (r.size() != 16 || a.size() != 16) {
      throw_argument(env, "RAND and AUTN must be 16 bytes each");
      return nullptr;
    }
    ut_aka_result res;
    WipeOnExit wipe_res{&res, sizeof res};
    ut_error err;
    const ut_status st = ut_usim_authenticate(reinterpret_cast<ut_usim*>(usim), r.data(), a.data(), &res, &err);
    if (st != UT_OK) {
      throw_ut(env, st, err);
      return nullptr;
    }
    return aka_result_to_java(env, res);
  });
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_usimFree(JNIEnv*, jclass, jlong usim) {
  ut_usim_free(reinterpret_cast<ut_usim*>(usim));
}

UTKIT_JNI_EXPORT jlong JNICALL Java_org_utkit_Native_sessionNew(JNIEnv* env, jclass, jobjectArray keys,
                                                                 jobjectArray values, jobject log, jint log_level,
                                                                 jobject hook, jbyteArray session_key,
                                                                 jobject identity, jobject usim, jobject store) {
  return guarded(env, [&]() -> jlong {
    ut_error err;
    ut_config* cfg = nullptr;
    if (ut_config_new(&cfg) != UT_OK) {
      env->ThrowNew(C.oom, "utkit: out of native memory");
      return 0;
    }
    struct FreeConfig {
      ut_config* c;
      ~FreeConfig() { ut_config_free(c); }
    } free_config{cfg};
    const jsize n = keys == nullptr ? 0 : env->GetArrayLength(keys);
    for (jsize i = 0; i < n; ++i) {
      auto jk = static_cast<jstring>(env->GetObjectArrayElement(keys, i));
      auto jv = static_cast<jstring>(env->GetObjectArrayElement(values, i));
      const std::string k = utf8(env, jk), v = utf8(env, jv);
      env->DeleteLocalRef(jk);
      env->DeleteLocalRef(jv);
      const ut_status st = ut_config_set(cfg, k.c_str(), v.c_str(), &err);
      if (st != UT_OK) {
        throw_ut(env, st, err);
        return 0;
      }
    }
    if (session_key != nullptr) {
      std::vector<std::uint8_t> key = bytes(env, session_key);
      const ut_status st = ut_config_set_session_key(cfg, key.data(), key.size(), &err);
      wipe(key);
      if (st != UT_OK) {
        throw_ut(env, st, err);
        return 0;
      }
    }
    std::string fields[4];
    ut_identity id{};
    if (identity_from(env, identity, fields, id) != UT_OK) {
      throw_argument(env, "the identity is null");
      return 0;
    }

    auto g = std::make_unique<SessionGlue>();
    if (ut_cancel_new(&g->cancel) != UT_OK) {
      env->ThrowNew(C.oom, "utkit: out of native memory");
      return 0;
    }
    struct Cleanup {
      JNIEnv* env;
      SessionGlue* g;
      ut_usim* usim = nullptr;
      ut_store* store = nullptr;
      ~Cleanup() {
        // Whatever the session did not take is dropped here (the session
        // keeps its own references to the USIM and the store).
        ut_usim_free(usim);
        ut_store_free(store);
        if (g != nullptr) {
          ut_cancel_free(g->cancel);
          delete_global(env, g->log);
          delete_global(env, g->hook);
        }
      }
    } cleanup{env, g.get()};

    jobject usim_ref = new_global(env, usim);
    const ut_status ust = ut_usim_new_callback(&id, usim_aka, usim_ref, release_global, &cleanup.usim, &err);
    if (ust != UT_OK) {
      delete_global(env, usim_ref);
      throw_ut(env, ust, err);
      return 0;
    }
    if (store != nullptr) {
      ut_store_callbacks cbs{};
      cbs.ctx = new_global(env, store);
      cbs.get = store_get;
      cbs.put = store_put;
      cbs.remove = store_remove;
      cbs.release = release_global;
      const ut_status sst = ut_store_new_callbacks(&cbs, &cleanup.store, &err);
      if (sst != UT_OK) {
        delete_global(env, static_cast<jobject>(cbs.ctx));
        throw_ut(env, sst, err);
        return 0;
      }
    }
    if (log != nullptr) {
      if (log_level < UT_LOG_TRACE || log_level > UT_LOG_OFF) {
        throw_argument(env, "the log level must be LogSink.TRACE (0) to LogSink.OFF (5)");
        return 0;
      }
      g->log = new_global(env, log);
      ut_config_set_log(cfg, on_log, g.get(), static_cast<ut_log_level>(log_level));
    }
    if (hook != nullptr) {
      g->hook = new_global(env, hook);
      ut_config_set_socket_hook(cfg, on_socket, g.get());
    }
    const ut_status st = ut_session_new(cfg, cleanup.usim, cleanup.store, &g->session, &err);
    if (st != UT_OK) {
      throw_ut(env, st, err);
      return 0;
    }
    cleanup.g = nullptr;  // the session's glue lives until sessionFree
    return reinterpret_cast<jlong>(g.release());
  });
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_sessionFree(JNIEnv* env, jclass, jlong h) {
  SessionGlue* g = glue(h);
  if (g == nullptr) return;
  ut_session_free(g->session);  // drops the USIM and store (their release callbacks run)
  ut_cancel_free(g->cancel);
  delete_global(env, g->log);
  delete_global(env, g->hook);
  delete g;
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_cancel(JNIEnv*, jclass, jlong h, jboolean fire) {
  if (h == 0) return;
  if (fire) {
    ut_cancel_fire(glue(h)->cancel);
  } else {
    ut_cancel_reset(glue(h)->cancel);
  }
}

UTKIT_JNI_EXPORT jstring JNICALL Java_org_utkit_Native_xui(JNIEnv* env, jclass, jlong h) {
  return guarded(env, [&] { return java_string(env, ut_session_xui(glue(h)->session)); });
}

UTKIT_JNI_EXPORT jstring JNICALL Java_org_utkit_Native_bootstrap(JNIEnv* env, jclass, jlong h, jlong timeout,
                                                                  jboolean force) {
  return guarded(env, [&]() -> jstring {
    ut_call call = call_of(glue(h), timeout);
    ut_bootstrap_info info;
    ut_error err;
    const ut_status st = ut_bootstrap(glue(h)->session, &call, force ? 1 : 0, &info, &err);
    if (st != UT_OK) {
      throw_ut(env, st, err);
      return nullptr;
    }
    return java_string(env, info.btid);
  });
}

UTKIT_JNI_EXPORT jobjectArray JNICALL Java_org_utkit_Native_buddies(JNIEnv* env, jclass, jlong h, jlong timeout,
                                                                     jstring list) {
  return guarded(env, [&]() -> jobjectArray {
    ut_call call = call_of(glue(h), timeout);
    ut_buddy_list* l = nullptr;
    ut_error err;
    const std::string name = utf8(env, list);
    const ut_status st = ut_buddies_list(glue(h)->session, &call, opt(name), &l, &err);
    if (st != UT_OK) {
      throw_ut(env, st, err);
      return nullptr;
    }
    const auto n = static_cast<jsize>(ut_buddy_list_count(l));
    jobjectArray out = env->NewObjectArray(n, C.buddy, nullptr);
    for (jsize i = 0; out != nullptr && i < n; ++i) {
      jstring uri = java_string(env, ut_buddy_list_uri(l, static_cast<size_t>(i)));
      jstring dn = uri != nullptr ? java_string(env, ut_buddy_list_display_name(l, static_cast<size_t>(i))) : nullptr;
      jobject b = dn != nullptr ? env->NewObject(C.buddy, C.buddy_init, uri, dn) : nullptr;
      if (b == nullptr) {  // OutOfMemoryError pending: stop here
        ut_buddy_list_free(l);
        return static_cast<jobjectArray>(nullptr);
      }
      env->SetObjectArrayElement(out, i, b);
      env->DeleteLocalRef(uri);
      env->DeleteLocalRef(dn);
      env->DeleteLocalRef(b);
    }
    ut_buddy_list_free(l);
    return out;
  });
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_addBuddy(JNIEnv* env, jclass, jlong h, jlong timeout, jstring list,
                                                              jstring uri, jstring name) {
  guarded(env, [&] {
    ut_call call = call_of(glue(h), timeout);
    ut_error err;
    const std::string l = utf8(env, list), u = utf8(env, uri), n = utf8(env, name);
    const ut_status st = ut_buddies_add(glue(h)->session, &call, opt(l), u.c_str(), opt(n), &err);
    if (st != UT_OK) throw_ut(env, st, err);
  });
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_removeBuddy(JNIEnv* env, jclass, jlong h, jlong timeout,
                                                                 jstring list, jstring uri) {
  guarded(env, [&] {
    ut_call call = call_of(glue(h), timeout);
    ut_error err;
    const std::string l = utf8(env, list), u = utf8(env, uri);
    const ut_status st = ut_buddies_remove(glue(h)->session, &call, opt(l), u.c_str(), &err);
    if (st != UT_OK) throw_ut(env, st, err);
  });
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_renameBuddy(JNIEnv* env, jclass, jlong h, jlong timeout,
                                                                 jstring list, jstring uri, jstring name) {
  guarded(env, [&] {
    ut_call call = call_of(glue(h), timeout);
    ut_error err;
    const std::string l = utf8(env, list), u = utf8(env, uri), n = utf8(env, name);
    const ut_status st = ut_buddies_rename(glue(h)->session, &call, opt(l), u.c_str(), n.c_str(), &err);
    if (st != UT_OK) throw_ut(env, st, err);
  });
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_rule(JNIEnv* env, jclass, jlong h, jlong timeout, jstring watcher,
                                                          jboolean allow) {
  guarded(env, [&] {
    ut_call call = call_of(glue(h), timeout);
    ut_error err;
    const std::string w = utf8(env, watcher);
    const ut_status st = allow ? ut_rules_allow(glue(h)->session, &call, w.c_str(), &err)
                               : ut_rules_block(glue(h)->session, &call, w.c_str(), &err);
    if (st != UT_OK) throw_ut(env, st, err);
  });
}

namespace {
// One supplementary-services call: `op(session, call, &ss, &err)` with the
// session's limits, its snapshot handed to Java or its error thrown.
template <class Op>
jobject simservs_call(JNIEnv* env, jlong h, jlong timeout, Op&& op) {
  return guarded(env, [&]() -> jobject {
    ut_call call = call_of(glue(h), timeout);
    ut_simservs* ss = nullptr;
    ut_error err;
    const ut_status st = op(glue(h)->session, &call, &ss, &err);
    return finish_simservs(env, st, ss, err);
  });
}
}  // namespace

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_ssGet(JNIEnv* env, jclass, jlong h, jlong timeout) {
  return simservs_call(env, h, timeout, ut_ss_get);
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_ssSetForwarding(JNIEnv* env, jclass, jlong h, jlong timeout,
                                                                        jint condition, jboolean enable,
                                                                        jstring target, jint timer) {
  if (condition < UT_CF_UNCONDITIONAL || condition > UT_CF_NOT_REGISTERED) {
    throw_argument(env, "the forwarding condition must be one of Simservs.CF_*");
    return nullptr;
  }
  return simservs_call(env, h, timeout, [&](ut_session* s, const ut_call* c, ut_simservs** ss, ut_error* err) {
    const std::string t = utf8(env, target);
    return ut_ss_set_forwarding(s, c, static_cast<ut_cf_condition>(condition), enable ? 1 : 0, opt(t), timer, ss, err);
  });
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_ssSetBarring(JNIEnv* env, jclass, jlong h, jlong timeout,
                                                                     jint condition, jboolean enable) {
  if (condition < UT_CB_ALL_OUTGOING || condition > UT_CB_ANONYMOUS) {
    throw_argument(env, "the barring condition must be one of Simservs.CB_*");
    return nullptr;
  }
  return simservs_call(env, h, timeout, [&](ut_session* s, const ut_call* c, ut_simservs** ss, ut_error* err) {
    return ut_ss_set_barring(s, c, static_cast<ut_cb_condition>(condition), enable ? 1 : 0, ss, err);
  });
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_ssSetCallerIdRestriction(JNIEnv* env, jclass, jlong h,
                                                                                 jlong timeout, jboolean restricted) {
  return simservs_call(env, h, timeout, [&](ut_session* s, const ut_call* c, ut_simservs** ss, ut_error* err) {
    return ut_ss_set_caller_id_restriction(s, c, restricted ? 1 : 0, ss, err);
  });
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_ssSetCallWaiting(JNIEnv* env, jclass, jlong h, jlong timeout,
                                                                         jboolean on) {
  return simservs_call(env, h, timeout, [&](ut_session* s, const ut_call* c, ut_simservs** ss, ut_error* err) {
    return ut_ss_set_call_waiting(s, c, on ? 1 : 0, ss, err);
  });
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_xcap(JNIEnv* env, jclass, jlong h, jlong timeout, jint method,
                                                             jstring selector, jbyteArray body) {
  return guarded(env, [&]() -> jobject {
    ut_call call = call_of(glue(h), timeout);
    ut_xcap_response* r = nullptr;
    ut_error err;
    const std::string sel = utf8(env, selector);
    ut_status st;
    if (method == 0) {
      st = ut_xcap_get(glue(h)->session, &call, sel.c_str(), &r, &err);
    } else if (method == 1) {
      std::vector<std::uint8_t> b = bytes(env, body);
      st = ut_xcap_put(glue(h)->session, &call, sel.c_str(), reinterpret_cast<const char*>(b.data()), b.size(), &r,
                       &err);
    } else {
      st = ut_xcap_delete(glue(h)->session, &call, sel.c_str(), &r, &err);
    }
    if (st != UT_OK) {
      throw_ut(env, st, err);
      return nullptr;
    }
    size_t len = 0;
    const char* data = ut_xcap_response_body(r, &len);
    jbyteArray jb = byte_array(env, reinterpret_cast<const std::uint8_t*>(data), len);
    jstring etag = jb != nullptr ? java_string(env, ut_xcap_response_etag(r)) : nullptr;
    jstring type = etag != nullptr ? java_string(env, ut_xcap_response_content_type(r)) : nullptr;
    jobject o = type != nullptr ? env->NewObject(C.xcap_response, C.xcap_response_init, ut_xcap_response_status(r),
                                                 etag, type, jb)
                                : nullptr;  // OutOfMemoryError pending
    ut_xcap_response_free(r);
    return o;
  });
}

UTKIT_JNI_EXPORT jobject JNICALL Java_org_utkit_Native_stats(JNIEnv* env, jclass, jlong h, jboolean reset) {
  ut_stats s;
  if (ut_session_stats(glue(h)->session, &s, reset ? 1 : 0) != UT_OK) std::memset(&s, 0, sizeof s);
  jobject o = env->NewObject(C.stats, C.stats_init);
  if (o == nullptr) return nullptr;
  env->SetIntField(o, C.st_round_trips, static_cast<jint>(s.round_trips));
  env->SetIntField(o, C.st_exchanges, static_cast<jint>(s.exchanges));
  env->SetIntField(o, C.st_tcp, static_cast<jint>(s.tcp_connects));
  env->SetIntField(o, C.st_tls_full, static_cast<jint>(s.tls_full));
  env->SetIntField(o, C.st_tls_resumed, static_cast<jint>(s.tls_resumed));
  env->SetLongField(o, C.st_sent, static_cast<jlong>(s.bytes_sent));
  env->SetLongField(o, C.st_received, static_cast<jlong>(s.bytes_received));
  env->SetIntField(o, C.st_bootstraps, static_cast<jint>(s.bootstraps));
  env->SetIntField(o, C.st_resyncs, static_cast<jint>(s.resyncs));
  env->SetIntField(o, C.st_cache_hits, static_cast<jint>(s.cache_hits));
  return o;
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_networkChanged(JNIEnv* env, jclass, jlong h) {
  if (h == 0) return;
  ut_error err;
  const ut_status st = ut_session_network_changed(glue(h)->session, &err);
  if (st != UT_OK) throw_ut(env, st, err);
}

UTKIT_JNI_EXPORT void JNICALL Java_org_utkit_Native_closeConnections(JNIEnv* env, jclass, jlong h) {
  ut_error err;
  const ut_status st = ut_session_close_connections(glue(h)->session, &err);
  if (st != UT_OK) throw_ut(env, st, err);
}
