/* utkit/utkit.h — utkit's stable C API (C99; usable from C++, JNI, Swift).
 *
 * The whole Ut client behind opaque handles: a configuration, a USIM (the
 * built-in software USIM, or the app's own AKA callback), an optional store
 * for what survives a restart, and a session that bootstraps (GBA), opens
 * TLS with the TS 33.141 profile, answers the NAF's Digest challenge and runs
 * XCAP on the user's documents. docs/c-api.md is the guide.
 *
 * Rules that hold for every function here:
 *   - Errors: each call returns a ut_status (UT_OK = 0). When `err` is not
 *     NULL it is filled: on failure with the SDK's detailed code, its name
 *     ("xcap.not_found"), module and a message for a person; on success with
 *     UT_OK and an empty message. There is no global "last error": each
 *     thread passes its own ut_error.
 *   - Nothing here aborts the process: a NULL or misused handle, a bad
 *     argument, an allocation failure and a concurrent call on one session
 *     are all statuses.
 *   - Ownership: every *_new has its *_free (NULL is accepted). Strings the
 *     SDK returns are owned by the handle they come from and live until it
 *     is freed. A handle passed to another (a USIM or store to a session) is
 *     kept alive by it: the caller may free its own reference at once.
 *   - Threads: handles may be made and freed on any thread. One session runs
 *     one call at a time (a second concurrent call, or a call from inside
 *     one of its callbacks, gets UT_E_BUSY at once);
 *     calls are blocking, so an app runs them on a worker thread and stops
 *     them with a ut_cancel or a deadline (ut_call). Callbacks may be called
 *     on the calling thread or on the SDK's helper thread, never on two
 *     threads at once for one USIM.
 *   - Secrets (K, OPc, RES, CK, IK, Ks_NAF) are wiped by the SDK after use
 *     and never reach the log callback.
 */
#ifndef UTKIT_UTKIT_H
#define UTKIT_UTKIT_H

#include <stddef.h>
#include <stdint.h>

#include "utkit/version.h"

#if defined(_WIN32)
#define UTKIT_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define UTKIT_API __attribute__((visibility("default")))
#else
#define UTKIT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ---- */

/* "MAJOR.MINOR.PATCH" of the library actually loaded (compare with the
 * UTKIT_VERSION_* macros of the header the app was built with). */
UTKIT_API const char* ut_version(void);
/* UTKIT_VERSION_NUMBER of the loaded library. */
UTKIT_API uint32_t ut_version_number(void);
/* What this build compiled: platform paths ("entropy=getrandom ..."),
 * exceptions at the boundary, TLS library version. For bug reports. */
UTKIT_API const char* ut_build_info(void);

/* ---- status and errors ---- */

typedef enum ut_status {
  UT_OK = 0,
  UT_E_INVALID_ARGUMENT = 1, /* a NULL handle, an unknown key, a bad value, a misuse */
  UT_E_NO_MEMORY = 2,        /* an allocation failed; the handles stay usable */
  UT_E_BUSY = 3,             /* another thread is running a call on this session */
  UT_E_CANCELLED = 4,        /* the call's ut_cancel fired */
  UT_E_TIMEOUT = 5,          /* the call's deadline or a network timeout passed */
  UT_E_NETWORK = 6,          /* name resolution, connect, I/O */
  UT_E_TLS = 7,              /* handshake, certificate, alert */
  UT_E_HTTP = 8,             /* a malformed or unexpected HTTP answer */
  UT_E_AUTH = 9,             /* Digest refused or unusable */
  UT_E_USIM = 10,            /* the USIM could not run AKA (card I/O, bad answer) */
  UT_E_BOOTSTRAP = 11,       /* GBA: the BSF, the network's authenticity (MAC), resync */
  UT_E_XCAP = 12,            /* XCAP: conflict, forbidden, not provisioned, ... */
  UT_E_NOT_FOUND = 13,       /* no such document, element, attribute or stored key */
  UT_E_CONFIG = 14,          /* a configuration that cannot work */
  UT_E_STORAGE = 15,         /* the store failed */
  UT_E_NOT_SUPPORTED = 16,
  UT_E_INTERNAL = 17         /* a bug in utkit: please report the message */
} ut_status;

#define UT_ERROR_MESSAGE_MAX 512

typedef struct ut_error {
  ut_status status;
  /* The SDK's detailed code: module in the high byte, stable across
   * releases (docs/c-api.md lists them); 0 on success. */
  uint16_t code;
  char name[48];   /* "gba.network_not_authentic"; "" on success */
  char module[16]; /* "gba"; "" on success */
  /* What failed, with which input, and what to check. UTF-8, always
   * NUL-terminated, cut at a character boundary when longer. */
  char message[UT_ERROR_MESSAGE_MAX];
} ut_error;

/* A short constant name for a status: "UT_E_TIMEOUT". Never NULL. */
UTKIT_API const char* ut_status_name(ut_status status);

/* ---- cancellation and deadlines ---- */

typedef struct ut_cancel ut_cancel;

UTKIT_API ut_status ut_cancel_new(ut_cancel** out);
/* Thread-safe; may be called from any thread, also during a call. A fired
 * handle ends every call that uses it at once with UT_E_CANCELLED, whatever
 * the call waits for (a name lookup, a connect, a TLS record, a bootstrap,
 * a back-off), until ut_cancel_reset. */
UTKIT_API void ut_cancel_fire(ut_cancel* cancel);
UTKIT_API void ut_cancel_reset(ut_cancel* cancel);
UTKIT_API int ut_cancel_is_fired(const ut_cancel* cancel);
UTKIT_API void ut_cancel_free(ut_cancel* cancel);

/* Per-call limits; a NULL ut_call means no deadline of its own and no
 * cancel handle (the configured network timeouts still apply). */
typedef struct ut_call {
  uint32_t timeout_ms; /* the whole call, bootstrap included; 0: none of its own */
  ut_cancel* cancel;   /* may be NULL */
} ut_call;

/* ---- logging ---- */

typedef enum ut_log_level {
  UT_LOG_TRACE = 0,
  UT_LOG_DEBUG = 1,
  UT_LOG_INFO = 2,
  UT_LOG_WARN = 3,
  UT_LOG_ERROR = 4,
  UT_LOG_OFF = 5
} ut_log_level;

/* Called with an already-redacted line; `component` is the module ("tls").
 * May be called from several threads at once. */
typedef void (*ut_log_fn)(void* ctx, ut_log_level level, const char* component, const char* message);

/* ---- store: what survives a restart ---- */

/* The bootstrapping context (B-TID, Ks), TLS sessions, the NAF's Digest
 * state, cached documents and the software USIM's SQN state. Values may
 * hold secrets: keep them in app-private storage. */
typedef struct ut_store ut_store;

/* One file per key in `directory` (made 0700; files 0600; atomic replace). */
UTKIT_API ut_status ut_store_new_file(const char* directory, ut_store** out, ut_error* err);
/* In memory only: nothing survives the process. */
UTKIT_API ut_status ut_store_new_memory(ut_store** out, ut_error* err);

/* Where get() puts the value it found. */
typedef struct ut_value ut_value;
UTKIT_API ut_status ut_value_set(ut_value* value, const uint8_t* data, size_t len);

/* The app's own store (a keystore-backed one on a phone). Keys are 1-128
 * characters of [A-Za-z0-9._-]. Each function returns UT_OK, UT_E_NOT_FOUND
 * (get only: no value) or another status on failure. put must replace a
 * value atomically. The callbacks may be called from several threads; the
 * SDK serialises read-check-write sequences itself. `release` (may be NULL)
 * is called once, when the last handle using the store is gone. */
typedef struct ut_store_callbacks {
  void* ctx;
  ut_status (*get)(void* ctx, const char* key, ut_value* value);
  ut_status (*put)(void* ctx, const char* key, const uint8_t* data, size_t len);
  ut_status (*remove)(void* ctx, const char* key);
  void (*release)(void* ctx);
} ut_store_callbacks;

UTKIT_API ut_status ut_store_new_callbacks(const ut_store_callbacks* callbacks, ut_store** out, ut_error* err);
UTKIT_API void ut_store_free(ut_store* store);

/* ---- USIM: the AKA step ---- */

typedef enum ut_aka_outcome {
  UT_AKA_SUCCESS = 0,      /* res, ck, ik filled */
  UT_AKA_SYNC_FAILURE = 1, /* auts filled: AUTN authentic, SQN not fresh */
  UT_AKA_MAC_FAILURE = 2,  /* AUTN not authentic: the network failed authentication */
  UT_AKA_ERROR = 3         /* AKA could not run (no card, card I/O): error_message says why */
} ut_aka_outcome;

typedef struct ut_aka_result {
  ut_aka_outcome outcome;
  uint8_t res[16];
  size_t res_len; /* 4..16 */
  uint8_t ck[16];
  uint8_t ik[16];
  uint8_t auts[14];
  char error_message[128];
} ut_aka_result;

/* Fills `out` from a USIM's AUTHENTICATE answer as TS 31.102 7.1.2.1 gives
 * it ('DB' RES CK IK [Kc], or 'DC' AUTS): what Android's
 * TelephonyManager.getIccAuthentication returns, base64-decoded.
 * UT_E_USIM when the answer is malformed. */
UTKIT_API ut_status ut_aka_result_from_card(const uint8_t* answer, size_t len, ut_aka_result* out, ut_error* err);

/* The app's AKA step: run AUTHENTICATE on the card with RAND and AUTN (16
 * bytes each) and fill `out`. The SDK wipes `out` after reading it. */
typedef void (*ut_aka_fn)(void* ctx, const uint8_t rand[16], const uint8_t autn[16], ut_aka_result* out);

/* The subscriber's identity as the app reads it from the card (Android:
 * getSubscriberId, getIsimImpi, getIsimImpu, getIsimDomain). NULL or ""
 * where unknown; with an IMSI and mnc_length, IMPI and home domain are
 * derived (TS 23.003) unless given. */
typedef struct ut_identity {
  const char* imsi;
  int mnc_length; /* 2 or 3, from EF_AD; 0 when no IMSI */
  const char* impi;
  const char* impu; /* the public identity used as XUI */
  const char* home_domain;
} ut_identity;

typedef struct ut_usim ut_usim;

/* A USIM whose AKA runs in the app. `release` (may be NULL) is called with
 * `ctx` once, when the last handle using the USIM is gone. */
UTKIT_API ut_status ut_usim_new_callback(const ut_identity* identity, ut_aka_fn aka, void* ctx,
                                         void (*release)(void* ctx), ut_usim** out, ut_error* err);
/* The built-in software USIM (Milenage, TS 33.102 Annex C SQN management):
 * for tests, demos and devices with keys in software. K and OPc are 16
 * bytes, copied into wiping buffers. `state` keeps the SQN state (may be
 * NULL: then a restart accepts replayed challenges; tests only). */
UTKIT_API ut_status ut_usim_new_soft(const uint8_t k[16], const uint8_t opc[16], const ut_identity* identity,
                                     ut_store* state, ut_usim** out, ut_error* err);
/* Runs the USIM's AKA step directly (an app's own USIM callback may hand
 * the work to a soft USIM this way). UT_OK with out->outcome set, or an
 * error when AKA could not run. */
UTKIT_API ut_status ut_usim_authenticate(ut_usim* usim, const uint8_t rand[16], const uint8_t autn[16],
                                         ut_aka_result* out, ut_error* err);
UTKIT_API void ut_usim_free(ut_usim* usim);

/* ---- configuration ---- */

typedef struct ut_config ut_config;

UTKIT_API ut_status ut_config_new(ut_config** out);
UTKIT_API void ut_config_free(ut_config* config);
/* Sets one key, with the names of utcli's configuration (docs/c-api.md has
 * the table): "xcap.root", "bsf.url", "tls.ca_file", "tls.ca_pem",
 * "timeouts.request_ms", "operator", "resolve.HOST:PORT", ... Booleans are
 * "true"/"false", numbers decimal. An unknown key or a bad value is
 * UT_E_CONFIG with a message naming the key; the configuration is
 * unchanged then. */
UTKIT_API ut_status ut_config_set(ut_config* config, const char* key, const char* value, ut_error* err);
/* The key that protects TLS sessions kept in the store (>= 16 bytes, from
 * the platform keystore). Without one, a key is made and kept in the store. */
UTKIT_API ut_status ut_config_set_session_key(ut_config* config, const uint8_t* key, size_t len, ut_error* err);
UTKIT_API ut_status ut_config_set_log(ut_config* config, ut_log_fn fn, void* ctx, ut_log_level min_level);
/* Called with each new socket before it connects (Android: bind it to the
 * XCAP network with Network.bindSocket(FileDescriptor)). A status other
 * than UT_OK stops that connect with UT_E_NETWORK. */
typedef ut_status (*ut_socket_fn)(void* ctx, int fd);
UTKIT_API ut_status ut_config_set_socket_hook(ut_config* config, ut_socket_fn fn, void* ctx);

/* ---- session ---- */

typedef struct ut_session ut_session;

/* Copies the configuration (it may be changed or freed afterwards) and keeps
 * `usim` and `store` (NULL: nothing survives) alive. No network happens
 * here. */
UTKIT_API ut_status ut_session_new(const ut_config* config, ut_usim* usim, ut_store* store, ut_session** out,
                                   ut_error* err);
/* Closes connections and frees. Never waits: during a call on another
 * thread, that call is cancelled at once (UT_E_CANCELLED) and the session is
 * freed as it returns; from one of the call's own callbacks, the call
 * completes and then the session is freed. The handle must not be used
 * after this. */
UTKIT_API void ut_session_free(ut_session* session);
/* Closes the NAF connection: the next call opens a new one, resuming TLS and
 * reusing the Digest nonce. UT_E_BUSY during a call. */
UTKIT_API ut_status ut_session_close_connections(ut_session* session, ut_error* err);
/* The phone's network changed or went away (Android: the XCAP network's
 * onLost, or a new network to use): a call running now ends at once with
 * UT_E_NETWORK (error name "net.changed"; nothing is replayed: call again on
 * the new network), and the next call drops the old connections and opens
 * new ones through the socket hook. Thread-safe, any time, never
 * UT_E_BUSY. */
UTKIT_API ut_status ut_session_network_changed(ut_session* session, ut_error* err);
/* The XUI (the user's public identity) the session uses. */
UTKIT_API const char* ut_session_xui(const ut_session* session);

typedef struct ut_bootstrap_info {
  char btid[256];
  int64_t expires_at; /* Unix time, seconds */
} ut_bootstrap_info;

/* The bootstrapping context, bootstrapping now if there is none (or when
 * `force`). `out` may be NULL. */
UTKIT_API ut_status ut_bootstrap(ut_session* session, const ut_call* call, int force, ut_bootstrap_info* out,
                                 ut_error* err);

typedef struct ut_stats {
  uint32_t round_trips; /* TCP 1, full TLS 2, resumed TLS 1, each HTTP exchange 1 */
  uint32_t exchanges;
  uint32_t tcp_connects;
  uint32_t tls_full;
  uint32_t tls_resumed;
  uint64_t bytes_sent;
  uint64_t bytes_received;
  uint32_t bootstraps;
  uint32_t resyncs;
  uint32_t cache_hits; /* buddy lists answered 304 from the document cache */
} ut_stats;

/* Counters since the session was made or last reset. */
UTKIT_API ut_status ut_session_stats(ut_session* session, ut_stats* out, int reset);

/* ---- buddy lists (resource-lists) ---- */

typedef struct ut_buddy_list ut_buddy_list;

/* `list` NULL or "": the configured list ("oma_buddylist"). */
UTKIT_API ut_status ut_buddies_list(ut_session* session, const ut_call* call, const char* list, ut_buddy_list** out,
                                    ut_error* err);
UTKIT_API size_t ut_buddy_list_count(const ut_buddy_list* list);
/* NULL when `index` is out of range. */
UTKIT_API const char* ut_buddy_list_uri(const ut_buddy_list* list, size_t index);
/* "" when the entry has no display name; NULL when out of range. */
UTKIT_API const char* ut_buddy_list_display_name(const ut_buddy_list* list, size_t index);
UTKIT_API void ut_buddy_list_free(ut_buddy_list* list);

/* Adds or replaces the entry for `uri` (display_name may be NULL). */
UTKIT_API ut_status ut_buddies_add(ut_session* session, const ut_call* call, const char* list, const char* uri,
                                   const char* display_name, ut_error* err);
UTKIT_API ut_status ut_buddies_remove(ut_session* session, const ut_call* call, const char* list, const char* uri,
                                      ut_error* err);
UTKIT_API ut_status ut_buddies_rename(ut_session* session, const ut_call* call, const char* list, const char* uri,
                                      const char* display_name, ut_error* err);

/* ---- presence rules (pres-rules) ---- */

UTKIT_API ut_status ut_rules_allow(ut_session* session, const ut_call* call, const char* watcher, ut_error* err);
UTKIT_API ut_status ut_rules_block(ut_session* session, const ut_call* call, const char* watcher, ut_error* err);

/* ---- MMTel supplementary services (simservs) ---- */

typedef enum ut_ss_service {
  UT_SS_CALL_FORWARDING = 0, /* communication-diversion */
  UT_SS_INCOMING_BARRING = 1,
  UT_SS_OUTGOING_BARRING = 2,
  UT_SS_OIP = 3,
  UT_SS_OIR = 4, /* caller-ID restriction */
  UT_SS_TIP = 5,
  UT_SS_TIR = 6,
  UT_SS_CALL_WAITING = 7
} ut_ss_service;

typedef enum ut_cf_condition {
  UT_CF_UNCONDITIONAL = 0,
  UT_CF_BUSY = 1,
  UT_CF_NO_REPLY = 2,
  UT_CF_NOT_REACHABLE = 3,
  UT_CF_NOT_REGISTERED = 4
} ut_cf_condition;

typedef enum ut_cb_condition {
  UT_CB_ALL_OUTGOING = 0,
  UT_CB_OUTGOING_INTERNATIONAL = 1,
  UT_CB_OUTGOING_INTERNATIONAL_EXHC = 2,
  UT_CB_ALL_INCOMING = 3,
  UT_CB_INCOMING_ROAMING = 4,
  UT_CB_ANONYMOUS = 5
} ut_cb_condition;

/* The services as the server has them (a snapshot; read-only). */
typedef struct ut_simservs ut_simservs;

/* 1 when the operator provisioned the service for the user, else 0; its
 * active attribute in `*active` (may be NULL). */
UTKIT_API int ut_simservs_provisioned(const ut_simservs* ss, ut_ss_service service, int* active);
/* 1 when a forwarding rule for the condition exists; `*enabled` and
 * `*target` ("" when none; owned by `ss`) filled. */
UTKIT_API int ut_simservs_forwarding(const ut_simservs* ss, ut_cf_condition condition, int* enabled,
                                     const char** target);
/* 1 when a barring rule for the condition exists; `*enabled` filled. */
UTKIT_API int ut_simservs_barring(const ut_simservs* ss, ut_cb_condition condition, int* enabled);
/* Seconds, or -1 when the document has no NoReplyTimer. */
UTKIT_API int ut_simservs_no_reply_timer(const ut_simservs* ss);
/* OIR or TIR default: 1 restricted, 0 not, -1 not in the document. */
UTKIT_API int ut_simservs_restricted(const ut_simservs* ss, ut_ss_service oir_or_tir);
UTKIT_API void ut_simservs_free(ut_simservs* ss);

/* Each of these reads the document, changes the operator's rule and writes
 * it under the document's ETag; `out` (may be NULL) receives the services as
 * the server now has them. */
UTKIT_API ut_status ut_ss_get(ut_session* session, const ut_call* call, ut_simservs** out, ut_error* err);
/* enable: `target` is a sip:, sips: or tel: URI or a number; `no_reply_timer`
 * (5..180 s, UT_CF_NO_REPLY only; 0 keeps the server's). disable: target and
 * timer are ignored. */
UTKIT_API ut_status ut_ss_set_forwarding(ut_session* session, const ut_call* call, ut_cf_condition condition,
                                         int enable, const char* target, int no_reply_timer, ut_simservs** out,
                                         ut_error* err);
UTKIT_API ut_status ut_ss_set_barring(ut_session* session, const ut_call* call, ut_cb_condition condition, int enable,
                                      ut_simservs** out, ut_error* err);
/* OIR: 1 hides the caller's identity by default. */
UTKIT_API ut_status ut_ss_set_caller_id_restriction(ut_session* session, const ut_call* call, int restricted,
                                                    ut_simservs** out, ut_error* err);
UTKIT_API ut_status ut_ss_set_call_waiting(ut_session* session, const ut_call* call, int on, ut_simservs** out,
                                           ut_error* err);

/* ---- raw XCAP on the user's tree ---- */

/* `selector` is "AUID/DOCUMENT[/~~/NODE-SELECTOR]", e.g.
 * "resource-lists/index/~~/resource-lists/list[@name=\"oma_buddylist\"]". */
typedef struct ut_xcap_response ut_xcap_response;

UTKIT_API ut_status ut_xcap_get(ut_session* session, const ut_call* call, const char* selector,
                                ut_xcap_response** out, ut_error* err);
/* The MIME type follows from what the selector addresses (document,
 * element or attribute). */
UTKIT_API ut_status ut_xcap_put(ut_session* session, const ut_call* call, const char* selector, const char* body,
                                size_t body_len, ut_xcap_response** out, ut_error* err);
UTKIT_API ut_status ut_xcap_delete(ut_session* session, const ut_call* call, const char* selector,
                                   ut_xcap_response** out, ut_error* err);
UTKIT_API int ut_xcap_response_status(const ut_xcap_response* response);
UTKIT_API const char* ut_xcap_response_etag(const ut_xcap_response* response);
UTKIT_API const char* ut_xcap_response_content_type(const ut_xcap_response* response);
/* The body (NUL-terminated for convenience; `*len` excludes the NUL). */
UTKIT_API const char* ut_xcap_response_body(const ut_xcap_response* response, size_t* len);
UTKIT_API void ut_xcap_response_free(ut_xcap_response* response);

#ifdef __cplusplus
}
#endif

#endif /* UTKIT_UTKIT_H */
