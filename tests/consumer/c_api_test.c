/* The C API from C99 (-Wall -Wextra -pedantic): a whole flow against a
 * netsim process, as a phone app's native layer would run it.
 *   c_api_test NAF_PORT BSF_PORT CA_FILE STORE_DIR
 * Each check prints "ok" or "FAIL" with the error; the exit code is the
 * number of failures. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "utkit/utkit.h"

static int failures = 0;

#define CHECK(cond, what)                                   \
  do {                                                      \
    if (cond) {                                             \
      printf("ok   %s\n", what);                            \
    } else {                                                \
      printf("FAIL %s (line %d)\n", what, __LINE__);        \
      ++failures;                                           \
    }                                                       \
  } while (0)

#define CHECK_OK(call, err, what)                                                         \
  do {                                                                                    \
    ut_status st_ = (call);                                                               \
    if (st_ == UT_OK) {                                                                   \
      printf("ok   %s\n", what);                                                          \
    } else {                                                                              \
      printf("FAIL %s: %s %s: %s\n", what, ut_status_name(st_), (err).name, (err).message); \
      ++failures;                                                                         \
    }                                                                                     \
  } while (0)

/* ---- the subscriber (netsim's) ---- */
static const uint8_t kK[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
                               0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
static const uint8_t kOpc[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
                                 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
static const char kKHex[] = "465b5ce8b199b49faa5f0a2ee238a6bc";

/* ---- a log sink that remembers everything it was given ---- */
static char log_text[1 << 20];
static size_t log_len = 0;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static void on_log(void* ctx, ut_log_level level, const char* component, const char* message) {
  (void)ctx;
  (void)level;
  pthread_mutex_lock(&log_mu);
  int n = snprintf(log_text + log_len, sizeof log_text - log_len, "%s: %s\n", component, message);
  if (n > 0 && (size_t)n < sizeof log_text - log_len) log_len += (size_t)n;
  pthread_mutex_unlock(&log_mu);
}

/* ---- the app's own store: a small table in memory ---- */
#define MAX_KEYS 64
struct app_store {
  char keys[MAX_KEYS][130];
  uint8_t* values[MAX_KEYS];
  size_t lens[MAX_KEYS];
  int puts, gets, released;
  pthread_mutex_t mu;
};
static int find_key(struct app_store* s, const char* key) {
  int i;
  for (i = 0; i < MAX_KEYS; ++i)
    if (s->values[i] != NULL && strcmp(s->keys[i], key) == 0) return i;
  return -1;
}
static ut_status store_get(void* ctx, const char* key, ut_value* value) {
  struct app_store* s = ctx;
  ut_status st = UT_E_NOT_FOUND;
  int i;
  pthread_mutex_lock(&s->mu);
  s->gets++;
  i = find_key(s, key);
  if (i >= 0) st = ut_value_set(value, s->values[i], s->lens[i]);
  pthread_mutex_unlock(&s->mu);
  return st;
}
static ut_status store_put(void* ctx, const char* key, const uint8_t* data, size_t len) {
  struct app_store* s = ctx;
  int i;
  pthread_mutex_lock(&s->mu);
  s->puts++;
  i = find_key(s, key);
  if (i < 0) {
    for (i = 0; i < MAX_KEYS && s->values[i] != NULL; ++i) {
    }
  } else {
    free(s->values[i]);
    s->values[i] = NULL;
  }
  if (i >= MAX_KEYS) {
    pthread_mutex_unlock(&s->mu);
    return UT_E_STORAGE;
  }
  snprintf(s->keys[i], sizeof s->keys[i], "%s", key);
  s->values[i] = malloc(len ? len : 1);
  memcpy(s->values[i], data, len);
  s->lens[i] = len;
  pthread_mutex_unlock(&s->mu);
  return UT_OK;
}
static ut_status store_remove(void* ctx, const char* key) {
  struct app_store* s = ctx;
  int i;
  pthread_mutex_lock(&s->mu);
  i = find_key(s, key);
  if (i >= 0) {
    free(s->values[i]);
    s->values[i] = NULL;
  }
  pthread_mutex_unlock(&s->mu);
  return UT_OK;
}
static void store_release(void* ctx) { ((struct app_store*)ctx)->released++; }

/* ---- the app's USIM: AKA by the SDK's soft USIM, seen from a callback ---- */
struct app_usim {
  ut_usim* card; /* stands for the UICC */
  int calls;
  ut_session* session;     /* to try a second call while one runs */
  ut_status nested_status; /* what that second call got */
  ut_session* free_me;     /* a session the callback frees (during its own call) */
  int released;
};
static void usim_aka(void* ctx, const uint8_t rand[16], const uint8_t autn[16], ut_aka_result* out) {
  struct app_usim* u = ctx;
  ut_stats st;
  ut_error err;
  u->calls++;
  if (u->session != NULL) u->nested_status = ut_session_stats(u->session, &st, 0);
  if (u->free_me != NULL) {
    ut_session_free(u->free_me); /* during its own call: freed when the call returns */
    u->free_me = NULL;
  }
  if (ut_usim_authenticate(u->card, rand, autn, out, &err) != UT_OK) {
    out->outcome = UT_AKA_ERROR;
    size_t n = strlen(err.message);
    if (n > sizeof out->error_message - 1) n = sizeof out->error_message - 1;
    memcpy(out->error_message, err.message, n);
    out->error_message[n] = '\0';
  }
}
static void usim_release(void* ctx) { ((struct app_usim*)ctx)->released++; }

/* ---- socket hook ---- */
/* Called for the BSF's socket on the SDK's helper thread while this thread
 * connects to the NAF: callbacks run on several threads at once. */
static int sockets_seen = 0;
static pthread_mutex_t sockets_mu = PTHREAD_MUTEX_INITIALIZER;
static ut_status on_socket(void* ctx, int fd) {
  (void)ctx;
  pthread_mutex_lock(&sockets_mu);
  if (fd >= 0) sockets_seen++;
  pthread_mutex_unlock(&sockets_mu);
  return UT_OK;
}
static ut_status refuse_socket(void* ctx, int fd) {
  (void)ctx;
  (void)fd;
  return UT_E_NETWORK;
}

/* ---- a server that accepts and never answers, for cancel and deadline ---- */
static int silent_listener(int* port) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || listen(fd, 8) != 0) return -1;
  getsockname(fd, (struct sockaddr*)&a, &len);
  *port = ntohs(a.sin_port);
  return fd;
}
struct fire_later {
  ut_cancel* cancel;
  int ms;
};
static void* fire_after(void* arg) {
  struct fire_later* f = arg;
  struct timespec t;
  t.tv_sec = f->ms / 1000;
  t.tv_nsec = (long)(f->ms % 1000) * 1000000L;
  nanosleep(&t, NULL);
  ut_cancel_fire(f->cancel);
  return NULL;
}
struct changed_later {
  ut_session* session;
  int ms;
};
static void* change_after(void* arg) {
  struct changed_later* c = arg;
  struct timespec t;
  ut_error e;
  t.tv_sec = c->ms / 1000;
  t.tv_nsec = (long)(c->ms % 1000) * 1000000L;
  nanosleep(&t, NULL);
  ut_session_network_changed(c->session, &e);
  return NULL;
}
static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static ut_config* make_config(const char* naf_port, const char* bsf_port, const char* ca_file) {
  ut_config* c = NULL;
  ut_error err;
  char url[256];
  if (ut_config_new(&c) != UT_OK) return NULL;
  snprintf(url, sizeof url, "https://127.0.0.1:%s/xcap-root", naf_port);
  if (ut_config_set(c, "xcap.root", url, &err) != UT_OK) goto bad;
  snprintf(url, sizeof url, "http://127.0.0.1:%s/", bsf_port);
  if (ut_config_set(c, "bsf.url", url, &err) != UT_OK) goto bad;
  if (ut_config_set(c, "tls.ca_file", ca_file, &err) != UT_OK) goto bad;
  return c;
bad:
  printf("FAIL config: %s\n", err.message);
  ut_config_free(c);
  return NULL;
}

int main(int argc, char** argv) {
  ut_error err;
  ut_config* cfg;
  ut_store* store = NULL;
  ut_usim* card = NULL;
  ut_usim* usim = NULL;
  ut_session* s = NULL;
  ut_buddy_list* list = NULL;
  ut_simservs* ss = NULL;
  ut_xcap_response* resp = NULL;
  ut_bootstrap_info info;
  ut_stats stats;
  ut_identity id;
  static struct app_store app_store;
  static struct app_usim app_usim;
  ut_store_callbacks cbs;
  size_t i;
  int found;

  if (argc != 5) {
    fprintf(stderr, "usage: c_api_test NAF_PORT BSF_PORT CA_FILE STORE_DIR\n");
    return 2;
  }
  printf("# %s\n", ut_build_info());
  CHECK(strcmp(ut_version(), UTKIT_VERSION_STRING) == 0, "ut_version() is the header's version");
  CHECK(ut_version_number() == UTKIT_VERSION_NUMBER, "ut_version_number() matches UTKIT_VERSION_NUMBER");

  /* ---- configuration errors name the key and leave the config unchanged ---- */
  cfg = make_config(argv[1], argv[2], argv[3]);
  if (cfg == NULL) return 1;
  CHECK(ut_config_set(cfg, "xcap.rooot", "x", &err) == UT_E_CONFIG && strstr(err.message, "xcap.rooot") != NULL,
        "an unknown key is UT_E_CONFIG naming the key");
  CHECK(ut_config_set(cfg, "tls.max_fragment", "777", &err) == UT_E_CONFIG && err.code == 0x0801 &&
            strcmp(err.name, "config.invalid") == 0 && strcmp(err.module, "config") == 0,
        "a bad value is config.invalid with code and module");
  CHECK(ut_config_set(NULL, "xcap.root", "x", &err) == UT_E_INVALID_ARGUMENT, "a NULL handle is a status, not a crash");
  CHECK(ut_config_set(cfg, "resolve.naf.example.test:443", "not-an-address", &err) == UT_E_CONFIG,
        "a resolve pin to a name is refused");
  CHECK_OK(ut_config_set(cfg, "timeouts.request_ms", "20000", &err), err, "a good value is taken");
  ut_config_set_log(cfg, on_log, NULL, UT_LOG_TRACE);
  ut_config_set_socket_hook(cfg, on_socket, NULL);

  /* ---- the app's store and USIM, both through callbacks ---- */
  memset(&cbs, 0, sizeof cbs);
  pthread_mutex_init(&app_store.mu, NULL);
  cbs.ctx = &app_store;
  cbs.get = store_get;
  cbs.put = store_put;
  cbs.remove = store_remove;
  cbs.release = store_release;
  CHECK_OK(ut_store_new_callbacks(&cbs, &store, &err), err, "a store from the app's callbacks");

  memset(&id, 0, sizeof id);
  id.imsi = "001010000000001";
  id.mnc_length = 2;
  id.impu = "sip:alice@example.test";
  CHECK_OK(ut_usim_new_soft(kK, kOpc, &id, store, &card, &err), err, "the soft USIM standing for the card");
  app_usim.card = card;
  CHECK_OK(ut_usim_new_callback(&id, usim_aka, &app_usim, usim_release, &usim, &err), err,
           "a USIM whose AKA runs in an app callback");

  CHECK_OK(ut_session_new(cfg, usim, store, &s, &err), err, "a session");
  ut_usim_free(usim); /* the session keeps it */
  usim = NULL;
  CHECK(strcmp(ut_session_xui(s), "sip:alice@example.test") == 0, "the XUI is the identity's IMPU");

  /* ---- bootstrap (GBA over Ub): the AKA callback runs; a nested call is UT_E_BUSY ---- */
  app_usim.session = s;
  CHECK_OK(ut_bootstrap(s, NULL, 0, &info, &err), err, "bootstrap");
  app_usim.session = NULL;
  CHECK(app_usim.calls == 1, "the app's AKA callback ran once");
  CHECK(app_usim.nested_status == UT_E_BUSY, "a second call during a call is UT_E_BUSY");
  CHECK(strchr(info.btid, '@') != NULL && info.expires_at > (int64_t)time(NULL), "B-TID and expiry reported");

  /* ---- buddies ---- */
  CHECK_OK(ut_buddies_add(s, NULL, NULL, "sip:bob@example.test", "Bob", &err), err, "add bob");
  CHECK_OK(ut_buddies_add(s, NULL, NULL, "sip:carol@example.test", NULL, &err), err, "add carol");
  CHECK_OK(ut_buddies_rename(s, NULL, NULL, "sip:bob@example.test", "Robert", &err), err, "rename bob");
  CHECK_OK(ut_buddies_remove(s, NULL, NULL, "sip:carol@example.test", &err), err, "remove carol");
  CHECK_OK(ut_buddies_list(s, NULL, NULL, &list, &err), err, "list");
  found = 0;
  for (i = 0; i < ut_buddy_list_count(list); ++i) {
    if (strcmp(ut_buddy_list_uri(list, i), "sip:bob@example.test") == 0 &&
        strcmp(ut_buddy_list_display_name(list, i), "Robert") == 0)
      found++;
    if (strcmp(ut_buddy_list_uri(list, i), "sip:carol@example.test") == 0) found += 100;
  }
  CHECK(ut_buddy_list_count(list) == 1 && found == 1, "the list holds Robert and not carol");
  CHECK(ut_buddy_list_uri(list, 99) == NULL, "an index out of range is NULL, not a crash");
  ut_buddy_list_free(list);
  list = NULL;
  CHECK(ut_buddies_remove(s, NULL, NULL, "", &err) == UT_E_INVALID_ARGUMENT, "an empty URI is refused");
  CHECK_OK(ut_rules_allow(s, NULL, "sip:bob@example.test", &err), err, "allow a watcher");
  CHECK_OK(ut_rules_block(s, NULL, "sip:mallory@example.test", &err), err, "block a watcher");

  /* ---- supplementary services ---- */
  CHECK_OK(ut_ss_set_forwarding(s, NULL, UT_CF_NO_REPLY, 1, "sip:voicemail@example.test", 25, &ss, &err), err,
           "forward on no reply to voicemail after 25 s");
  if (ss != NULL) {
    int enabled = 0;
    const char* target = NULL;
    CHECK(ut_simservs_forwarding(ss, UT_CF_NO_REPLY, &enabled, &target) == 1 && enabled == 1 &&
              strcmp(target, "sip:voicemail@example.test") == 0,
          "the server's document has the enabled rule and its target");
    CHECK(ut_simservs_no_reply_timer(ss) == 25, "the no-reply timer is 25 s");
    ut_simservs_free(ss);
    ss = NULL;
  }
  CHECK_OK(ut_ss_set_caller_id_restriction(s, NULL, 1, NULL, &err), err, "restrict the caller ID");
  CHECK_OK(ut_ss_get(s, NULL, &ss, &err), err, "read the services");
  if (ss != NULL) {
    int active = 0;
    CHECK(ut_simservs_restricted(ss, UT_SS_OIR) == 1, "OIR is restricted");
    CHECK(ut_simservs_provisioned(ss, UT_SS_CALL_WAITING, &active) == 1, "call waiting is provisioned");
    ut_simservs_free(ss);
    ss = NULL;
  }
  CHECK(ut_ss_set_forwarding(s, NULL, UT_CF_BUSY, 1, "sip:x@example.test", 25, NULL, &err) == UT_E_INVALID_ARGUMENT &&
            strstr(err.message, "no reply only") != NULL,
        "a timer on busy is refused before any network");

  /* ---- raw XCAP ---- */
  CHECK_OK(ut_xcap_get(s, NULL, "resource-lists/index", &resp, &err), err, "raw GET of the buddy document");
  if (resp != NULL) {
    size_t len = 0;
    const char* body = ut_xcap_response_body(resp, &len);
    CHECK(ut_xcap_response_status(resp) == 200 && len > 0 && strstr(body, "Robert") != NULL &&
              ut_xcap_response_etag(resp)[0] != '\0',
          "200 with the body and an ETag");
    ut_xcap_response_free(resp);
    resp = NULL;
  }
  CHECK(ut_xcap_get(s, NULL, "resource-lists/nothing-here", &resp, &err) == UT_E_NOT_FOUND &&
            strcmp(err.name, "xcap.not_found") == 0 && resp == NULL,
        "a missing document is UT_E_NOT_FOUND (xcap.not_found)");

  /* ---- stats ---- */
  CHECK(ut_session_stats(s, &stats, 1) == UT_OK && stats.bootstraps == 1 && stats.exchanges > 5 &&
            stats.bytes_received > 0 && stats.round_trips >= stats.exchanges,
        "stats count the bootstrap, exchanges and bytes");
  pthread_mutex_lock(&sockets_mu);
  CHECK(sockets_seen >= 2, "the socket hook saw the BSF and NAF sockets");
  pthread_mutex_unlock(&sockets_mu);

  /* ---- secrets never reach the log ---- */
  CHECK(log_len > 0, "the log callback received lines");
  CHECK(strstr(log_text, kKHex) == NULL, "K is not in the log");

  ut_session_free(s);
  s = NULL;

  /* ---- a restarted app: the same store, no new bootstrap, one exchange per change ---- */
  {
    int calls_before = app_usim.calls;
    CHECK_OK(ut_usim_new_callback(&id, usim_aka, &app_usim, usim_release, &usim, &err), err, "the USIM again");
    CHECK_OK(ut_session_new(cfg, usim, store, &s, &err), err, "a new session on the same store");
    ut_usim_free(usim);
    usim = NULL;
    CHECK_OK(ut_buddies_add(s, NULL, NULL, "sip:dave@example.test", "Dave", &err), err, "add after the restart");
    CHECK(ut_session_stats(s, &stats, 0) == UT_OK && stats.bootstraps == 0 && stats.exchanges == 1 &&
              stats.tls_resumed == 1 && stats.round_trips == 3,
          "restarted: no bootstrap, resumed TLS, one exchange, 3 round trips");
    CHECK(app_usim.calls == calls_before, "restarted: the USIM was not asked");
    ut_session_free(s);
    s = NULL;
  }

  /* ---- a callback frees the session whose call it runs in ---- */
  {
    ut_store* mem = NULL;
    int released_before;
    ut_store_new_memory(&mem, &err);
    CHECK_OK(ut_usim_new_callback(&id, usim_aka, &app_usim, usim_release, &usim, &err), err, "a USIM for a session the callback frees");
    CHECK_OK(ut_session_new(cfg, usim, mem, &s, &err), err, "its session");
    ut_usim_free(usim);
    usim = NULL;
    ut_store_free(mem);
    released_before = app_usim.released;
    app_usim.free_me = s;
    CHECK(ut_bootstrap(s, NULL, 1, &info, &err) == UT_OK, "the call completes although a callback freed its session");
    CHECK(app_usim.released == released_before + 1, "the session was freed as its call returned (its USIM released)");
    s = NULL;
  }

  /* ---- a MAC failure: a card with another K ---- */
  {
    uint8_t wrong_k[16];
    ut_usim* bad = NULL;
    ut_store* mem = NULL;
    memcpy(wrong_k, kK, 16);
    wrong_k[0] ^= 0x01;
    ut_store_new_memory(&mem, &err);
    CHECK_OK(ut_usim_new_soft(wrong_k, kOpc, &id, NULL, &bad, &err), err, "a soft USIM with the wrong K");
    CHECK_OK(ut_session_new(cfg, bad, mem, &s, &err), err, "its session");
    CHECK(ut_buddies_list(s, NULL, NULL, &list, &err) == UT_E_BOOTSTRAP &&
              strcmp(err.name, "gba.network_not_authentic") == 0 && list == NULL,
          "a MAC failure is UT_E_BOOTSTRAP (gba.network_not_authentic)");
    ut_session_free(s);
    s = NULL;
    ut_usim_free(bad);
    ut_store_free(mem);
  }

  /* ---- cancel from another thread, and a deadline ---- */
  {
    int port = 0, lfd = silent_listener(&port);
    char root[128];
    ut_config* c2 = NULL;
    ut_cancel* cancel = NULL;
    ut_call call;
    pthread_t th;
    struct fire_later f;
    double t0, took;
    CHECK(lfd >= 0, "a silent server on loopback");
    ut_config_new(&c2);
    snprintf(root, sizeof root, "http://127.0.0.1:%d/xcap-root", port);
    ut_config_set(c2, "xcap.root", root, &err);
    snprintf(root, sizeof root, "http://127.0.0.1:%d/", port);
    ut_config_set(c2, "bsf.url", root, &err);
    ut_config_set(c2, "timeouts.io_ms", "30000", &err);
    ut_config_set(c2, "concurrent_bootstrap", "false", &err);
    ut_usim_new_soft(kK, kOpc, &id, NULL, &usim, &err);
    CHECK_OK(ut_session_new(c2, usim, NULL, &s, &err), err, "a session against the silent server");
    ut_cancel_new(&cancel);
    call.timeout_ms = 0;
    call.cancel = cancel;
    f.cancel = cancel;
    f.ms = 300;
    pthread_create(&th, NULL, fire_after, &f);
    t0 = now_ms();
    CHECK(ut_buddies_list(s, &call, NULL, &list, &err) == UT_E_CANCELLED, "a cancel from another thread ends the call");
    took = now_ms() - t0;
    pthread_join(th, NULL);
    printf("#    cancelled after %.0f ms\n", took);
    CHECK(took < 5000, "the cancelled call ended soon after the cancel");
    CHECK(ut_buddies_list(s, &call, NULL, &list, &err) == UT_E_CANCELLED, "a fired handle stays fired");
    ut_cancel_reset(cancel);
    call.timeout_ms = 400;
    t0 = now_ms();
    CHECK(ut_buddies_list(s, &call, NULL, &list, &err) == UT_E_TIMEOUT, "a deadline ends the call with UT_E_TIMEOUT");
    took = now_ms() - t0;
    printf("#    deadline of 400 ms ended the call after %.0f ms\n", took);
    CHECK(took < 5000, "the deadline held");
    {
      /* The network goes away while a call waits on it: the call ends at once
       * with UT_E_NETWORK / net.changed (not the 30 s I/O timeout). */
      struct changed_later c3;
      c3.session = s;
      c3.ms = 300;
      call.timeout_ms = 0;
      pthread_create(&th, NULL, change_after, &c3);
      t0 = now_ms();
      CHECK(ut_buddies_list(s, &call, NULL, &list, &err) == UT_E_NETWORK && strcmp(err.name, "net.changed") == 0,
            "network_changed from another thread ends the call with net.changed");
      took = now_ms() - t0;
      pthread_join(th, NULL);
      printf("#    network change ended the call after %.0f ms\n", took);
      CHECK(took < 5000, "the network change ended the call soon");
      CHECK(ut_session_network_changed(s, &err) == UT_OK, "network_changed between calls");
      CHECK(ut_session_network_changed(NULL, &err) == UT_E_INVALID_ARGUMENT, "network_changed on NULL");
    }
    ut_session_free(s);
    s = NULL;
    ut_config_set_socket_hook(c2, refuse_socket, NULL);
    ut_session_new(c2, usim, NULL, &s, &err);
    CHECK(ut_buddies_list(s, NULL, NULL, &list, &err) == UT_E_NETWORK && strstr(err.message, "socket hook") != NULL,
          "a socket hook that refuses stops the connect");
    ut_session_free(s);
    s = NULL;
    ut_usim_free(usim);
    usim = NULL;
    ut_cancel_free(cancel);
    ut_config_free(c2);
    close(lfd);
  }

  /* ---- a file store, as a desktop or embedded app uses it ---- */
  {
    ut_store* files = NULL;
    CHECK_OK(ut_store_new_file(argv[4], &files, &err), err, "a file store");
    ut_usim_new_soft(kK, kOpc, &id, files, &usim, &err);
    CHECK_OK(ut_session_new(cfg, usim, files, &s, &err), err, "a session on the file store");
    ut_store_free(files);
    CHECK_OK(ut_buddies_list(s, NULL, NULL, &list, &err), err, "list with the file store");
    ut_buddy_list_free(list);
    list = NULL;
    ut_session_free(s);
    s = NULL;
    ut_usim_free(usim);
    usim = NULL;
  }

  /* ---- the card's AUTHENTICATE answer (TS 31.102), as Android returns it ---- */
  {
    uint8_t answer[1 + 1 + 8 + 1 + 16 + 1 + 16];
    ut_aka_result r;
    size_t n = 0;
    answer[n++] = 0xDB;
    answer[n++] = 8;
    memset(answer + n, 0xA1, 8);
    n += 8;
    answer[n++] = 16;
    memset(answer + n, 0xC1, 16);
    n += 16;
    answer[n++] = 16;
    memset(answer + n, 0x11, 16);
    n += 16;
    CHECK(ut_aka_result_from_card(answer, n, &r, &err) == UT_OK && r.outcome == UT_AKA_SUCCESS && r.res_len == 8 &&
              r.ck[0] == 0xC1 && r.ik[15] == 0x11,
          "a 'DB' answer gives RES, CK, IK");
    CHECK(ut_aka_result_from_card(answer, n - 3, &r, &err) == UT_E_USIM && r.outcome == UT_AKA_ERROR,
          "a truncated answer is UT_E_USIM");
  }

  ut_usim_free(card);
  ut_store_free(store);
  ut_config_free(cfg);
  CHECK(app_store.released == 1, "the app's store was released once, when its last user went");
  CHECK(app_usim.released == 3, "each callback USIM was released once");
  CHECK(app_store.puts > 0 && app_store.gets > 0, "state went through the app's store");
  printf("%d failed\n", failures);
  return failures;
}
