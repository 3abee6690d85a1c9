// utkit/ut/session.hpp — UtSession: the one object an app uses for Ut.
//
// It bootstraps when needed (GBA on Ub), opens TLS to the NAF with the TS
// 33.141 profile, answers the NAF's Digest challenge with (B-TID,
// base64(Ks_NAF)), and runs XCAP operations on the user's documents,
// re-authenticating (stale nonce) and re-bootstrapping (refused B-TID) by
// itself, bounded.
//
// Cold start: with no bootstrapping context, Ub runs on a second thread while
// this thread opens TCP/TLS to the NAF and collects its first 401, so a cold
// operation costs about 5 round trips instead of 8 (docs/flows.md); a build
// without threads (UTKIT_THREADS=0, utkit/base/sync.hpp) runs them in turn. A warm
// operation on a new connection (resumed TLS, cached nonce) costs 3; on a
// kept-alive connection, 1.
//
// Several sessions (to different NAFs) may share one GbaClient, from several
// threads; one UtSession is used by one thread at a time.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "utkit/gba/gba.hpp"
#include "utkit/http/client.hpp"
#include "utkit/tls/tls_stream.hpp"
#include "utkit/xcap/pres_rules.hpp"
#include "utkit/xcap/resource_lists.hpp"
#include "utkit/xcap/simservs.hpp"

namespace utkit::ut {

struct UtConfig {
  std::string xcap_root;                 // "https://xcap.example.net/xcap-root"
  std::string xui;                       // the user's IMPU; empty: the backend's first IMPU
  std::string intended_identity;         // X-3GPP-Intended-Identity; empty: the XUI
  bool quote_intended_identity = true;   // false: sent bare (an operator's profile)
  gba::GbaConfig gba;                    // BSF, IMPI, GBA_U, ...
  tls::TlsConfig tls;                    // profile, trust anchors, X.509 policy, MFL
  std::chrono::seconds tls_session_lifetime = tls::kMaxSessionAge;
  // With a key (>= 16 bytes, from the app's keystore) and a store, TLS
  // sessions persist across restarts under HMAC-SHA-256 with that key.
  std::shared_ptr<const SecretBytes> tls_session_key;
  http::HttpClientOptions http;          // proxy, timeouts
  xcap::XcapProfile profile = xcap::XcapProfile::oma();
  xcap::BuddyConfig buddies;
  xcap::SimservsProfile simservs;        // the supplementary services document and how to write it
  bool concurrent_bootstrap = true;      // run Ub beside the NAF connection on a cold start
  // With a store: keep the NAF's Digest state (realm, nonce, opaque,
  // algorithm, qop, nonce count; never a key) beside the bootstrapping
  // context, so that a restarted app answers the NAF without a new 401. Used
  // only with the same B-TID and for at most 24 h.
  bool persist_digest_state = true;
  // With a store: keep a copy of the buddy-list document (up to this size; 0:
  // none) with its ETag, so that listing an unchanged list sends
  // If-None-Match and the server's 304 carries no body.
  std::size_t document_cache_max = std::size_t{1} << 20;
};

// What the session needs from the platform; everything must outlive it.
struct Platform {
  TransportFactory& tcp;
  Random& random;
  const Clock& clock;
  KeyValueStore* store = nullptr;        // bootstrapping context, TLS sessions
  const Logger* log = nullptr;
};

// Per-operation limits.
struct OpLimits {
  std::optional<Millis> timeout;         // the whole operation
  const CancelToken* cancel = nullptr;   // fire() ends the operation at once (Errc::cancelled)
};

struct UtStats {
  http::ClientStats naf;                 // the NAF connection(s): round trips, bytes
  gba::GbaStats gba;
};

class UtSession {
 public:
  // `usim` must outlive the session. `shared_gba` lets sessions to several
  // NAFs share one bootstrapping context; null: the session makes its own.
  static Result<std::unique_ptr<UtSession>> create(UtConfig config, aka::UsimBackend& usim, Platform platform,
                                                   std::shared_ptr<gba::GbaClient> shared_gba = nullptr);
  ~UtSession();

  // Buddy lists (the configured document and list unless named).
  Result<std::vector<xcap::Entry>> buddies(const std::string& list = {}, OpLimits limits = {});
  // The same entries without copying them: `fn` sees views into the parsed
  // document, valid during the call (for large lists).
  Result<void> for_each_buddy(const std::function<void(std::string_view uri, std::string_view display_name)>& fn,
                              const std::string& list = {}, OpLimits limits = {});
  Result<void> add_buddy(const xcap::Entry& entry, const std::string& list = {}, OpLimits limits = {});
  Result<void> remove_buddy(const std::string& uri, const std::string& list = {}, OpLimits limits = {});
  Result<void> rename_buddy(const std::string& uri, const std::string& display_name, const std::string& list = {},
                            OpLimits limits = {});
  // Presence rules: allow or block a watcher.
  Result<void> allow(const std::string& watcher, OpLimits limits = {});
  Result<void> block(const std::string& watcher, OpLimits limits = {});

  // MMTel supplementary services (the simservs document, TS 24.623): each
  // change reads the document, changes the operator's own rule for that
  // condition, and sends that one element under the document's ETag
  // (docs/simservs.md). Each returns the services as the server now has them.
  Result<xcap::Simservs> supplementary_services(OpLimits limits = {});
  Result<xcap::Simservs> set_call_forwarding(const xcap::ForwardingChange& change, OpLimits limits = {});
  Result<xcap::Simservs> set_call_barring(xcap::BarringCondition condition, bool enable, OpLimits limits = {});
  // OIR: true hides the caller's identity by default (presentation-restricted).
  Result<xcap::Simservs> set_caller_id_restriction(bool restricted, OpLimits limits = {});
  Result<xcap::Simservs> set_call_waiting(bool on, OpLimits limits = {});
  // Any service's active attribute (OIP, TIP, ...), and OIR/TIR's default.
  Result<xcap::Simservs> set_service_active(xcap::Service service, bool active, OpLimits limits = {});
  Result<xcap::Simservs> set_presentation_restricted(xcap::Service oir_or_tir, bool restricted, OpLimits limits = {});

  // Raw XCAP on the user's tree. `selector` is "AUID/DOCUMENT[/~~/NODE-SELECTOR]",
  // e.g. "resource-lists/index/~~/resource-lists/list[@name=\"oma_buddylist\"]".
  Result<xcap::XcapUri> uri_for(const std::string& selector) const;
  Result<xcap::XcapResult> xcap_get(const std::string& selector, OpLimits limits = {});
  Result<xcap::XcapResult> xcap_put(const std::string& selector, std::string body, OpLimits limits = {});
  Result<xcap::XcapResult> xcap_delete(const std::string& selector, OpLimits limits = {});

  // The bootstrapping context (bootstrapping now if there is none).
  Result<gba::ContextPtr> bootstrap(bool force = false, OpLimits limits = {});
  std::shared_ptr<gba::GbaClient> gba() const { return gba_; }
  std::optional<tls::TlsInfo> tls_info() const;
  UtStats stats() const;
  // The document cache's counters (zero without a store).
  xcap::DocumentCache::Stats cache_stats() const;
  void reset_stats();
  // Closes the NAF connection (the next operation opens a new one, resuming
  // the TLS session and reusing the cached nonce).
  void close_connections();
  // The phone's network changed or went away (Android: the XCAP network's
  // onLost, or a new default network): an operation running now on another
  // thread ends at once with Errc::net_changed (nothing of it is retried
  // blindly: call it again on the new network), and the next operation
  // drops the pooled connections and opens new ones, through the socket
  // hook again. Thread-safe; may be called at any time.
  void network_changed();
  const std::string& xui() const { return xui_; }

 private:
  class Credentials;
  class OpScope;
  UtSession(UtConfig config, Platform platform);
  template <class F>
  auto run(OpLimits limits, F&& f) -> decltype(f());
  void start_bootstrap_if_cold(const gba::GbaLimits& limits);
  std::string digest_state_key() const;
  void load_digest_state();
  void save_digest_state();
  xcap::WatcherRules& rules();
  xcap::SimservsClient& simservs();

  UtConfig cfg_;
  Platform platform_;
  std::string xui_;
  std::shared_ptr<gba::GbaClient> gba_;
  std::unique_ptr<tls::TlsSessionCache> tls_cache_;
  std::shared_ptr<tls::TlsContext> tls_;
  std::unique_ptr<http::HttpClient> http_;
  std::unique_ptr<Credentials> creds_;
  std::unique_ptr<xcap::XcapClient> xcap_;
  std::unique_ptr<xcap::DocumentCache> doc_cache_;
  std::unique_ptr<xcap::BuddyList> buddy_list_;
  std::unique_ptr<xcap::WatcherRules> rules_;        // made on first use (rules())
  std::unique_ptr<xcap::SimservsClient> simservs_;  // made on first use (simservs())
  http::Url naf_;
  std::string saved_digest_;  // the record last written, to skip identical writes
  // network_changed(): the running operation's token, and a count of changes
  // (the operation thread drops the pool when it has not seen the last one).
  Mutex net_mu_;
  const CancelToken* running_ = nullptr;
  unsigned net_changes_ = 0;
  unsigned net_changes_seen_ = 0;
};

}  // namespace utkit::ut
