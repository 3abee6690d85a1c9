// utkit/gba/gba.hpp — the GBA client: Ub bootstrap (TS 24.109 4.5, Annex A;
// TS 33.220 4.5.2) and the bootstrapping context it keeps.
//
// Ub, as GbaClient::bootstrap() runs it:
//   GET / with User-Agent "... 3gpp-gba" and
//       Authorization: Digest username="<IMPI>", realm="<BSF>", nonce="", uri="/", response=""
//   401 WWW-Authenticate: Digest algorithm=AKAv1-MD5, nonce=base64(RAND || AUTN || ...)
//   the USIM runs AKA on (RAND, AUTN):
//     success       -> Digest response with RES as the password (RFC 3310 3.3)
//     sync failure  -> Digest with auts="base64(AUTS)" and an empty password,
//                      at most once per bootstrap (RFC 3310 3.4)
//     MAC failure   -> the network is not authentic: nothing more is sent, no
//                      Ks is derived, gba_network_not_authentic
//   200 BootstrappingInfo {btid, lifetime}; Authentication-Info rspauth verified
//   Ks = CK || IK
//
// The context is persisted through a KeyValueStore, loaded at start, dropped
// when expired (with a margin for clock skew), and shared: several threads
// asking for it at once cause one bootstrap, not several.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include "utkit/base/sync.hpp"
#include <optional>
#include <string>

#include "utkit/version.h"
#include "utkit/aka/usim.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/base/log.hpp"
#include "utkit/gba/context.hpp"
#include "utkit/gba/kdf.hpp"
#include "utkit/http/client.hpp"

namespace utkit::gba {

struct GbaConfig {
  // BSF URL, e.g. "http://bsf.example.test:8080/". Empty: derived from the
  // identity (TS 23.003), http on port 80.
  std::string bsf_url;
  // The IMPI for Ub. Empty: from the USIM/ISIM backend's identity.
  std::string impi;
  std::string user_agent = "utkit/" UTKIT_VERSION_STRING " 3gpp-gba";
  Millis timeout{20000};
  // A context is renewed this long before its lifetime ends, but never more
  // than a quarter of the lifetime the BSF granted (some grant minutes, or
  // seconds). A B-TID that is already expired when it arrives is refused.
  std::chrono::seconds expiry_margin{60};
  // Require the BSF's rspauth in Authentication-Info (RFC 3310: it protects
  // the 200's integrity; AKA's AUTN already authenticated the network).
  // Some BSFs omit it: set false to reach them; a 200 without a verified
  // rspauth is then held to the B-TID check of allow_qop_auth below. Default true.
  bool require_rspauth = true;
  // Ub runs Digest with qop=auth-int (TS 24.109): rspauth then covers the
  // 200's body, the B-TID and lifetime. A challenge without auth-int is
  // refused (gba_bad_challenge). True lets a BSF that offers only qop=auth
  // be used; what it costs: anyone on the path can rewrite the body, so the
  // B-TID must then be base64(RAND)@ the BSF's host of this very run (TS
  // 33.220 4.5.2) and the lifetime is capped as always. Default false.
  bool allow_qop_auth = false;
  // The longest lifetime taken from a BSF, whatever it says (a rewritten or
  // misconfigured lifetime of 2199 is cut to this).
  std::chrono::seconds max_lifetime{std::chrono::hours(24 * 7)};
  std::string store_key = "gba-context";
  // GBA_U (TS 33.220 Annex G): AKA in the card's GBA security context; Ks
  // never leaves the card and Ks_ext_NAF is derived there. Needs a backend
  // with supports_gba_u(); the User-Agent then carries "3gpp-gba-uicc".
  bool gba_u = false;
};

struct GbaStats {
  int bootstraps = 0;       // Ub runs that produced a context
  int resyncs = 0;          // AUTS rounds
  int loaded_from_store = 0;
};

using ContextPtr = std::shared_ptr<const BootstrapContext>;

// Limits of the operation that needs a context: a bootstrap it starts (or
// waits for) ends by `deadline` (net_timeout) and at once when `cancel`
// fires (its reason). The configured Ub timeout still applies.
struct GbaLimits {
  MonoTime deadline = MonoTime::max();
  const CancelToken* cancel = nullptr;
};

class GbaClient {
 public:
  // Everything passed by reference must outlive the client. `bsf_tls` is
  // needed only for an https BSF; `store` and `log` may be null.
  static Result<std::unique_ptr<GbaClient>> create(GbaConfig config, aka::UsimBackend& usim, TransportFactory& tcp,
                                                   Random& random, const Clock& clock,
                                                   std::shared_ptr<tls::TlsContext> bsf_tls, KeyValueStore* store,
                                                   const Logger* log);

  // A valid context: the current one, or a new bootstrap.
  Result<ContextPtr> context(GbaLimits limits = {});
  // A new bootstrap now, whatever the current context.
  Result<ContextPtr> bootstrap(GbaLimits limits = {});
  // A NAF refused this B-TID: the next context() bootstraps again.
  void invalidate(const std::string& btid);
  // The current context if valid, without bootstrapping.
  ContextPtr current() const;

  // Ks_NAF for a NAF (GBA_ME), from `ctx`.
  Result<SecretBytes> ks_naf(const BootstrapContext& ctx, std::string_view naf_fqdn, const UaProtocolId& ua) const;

  const std::string& impi() const { return impi_; }
  const http::Url& bsf() const { return bsf_; }
  GbaStats stats() const;
  const Logger* logger() const { return log_; }

 private:
  GbaClient(GbaConfig config, aka::UsimBackend& usim, TransportFactory& tcp, Random& random, const Clock& clock,
            std::shared_ptr<tls::TlsContext> bsf_tls, KeyValueStore* store, const Logger* log);
  Result<ContextPtr> run_ub(const GbaLimits& limits);
  // Takes bootstrap_mu_, giving up at the deadline or on cancel.
  Result<UniqueLock> lock_for_bootstrap(const GbaLimits& limits);
  bool usable(const ContextPtr& c) const;

  GbaConfig cfg_;
  aka::UsimBackend& usim_;
  TransportFactory& tcp_;
  Random& random_;
  const Clock& clock_;
  std::shared_ptr<tls::TlsContext> bsf_tls_;
  KeyValueStore* store_;
  const Logger* log_;
  std::string impi_;
  http::Url bsf_;

  mutable Mutex mu_;        // guards ctx_ and stats_
  Mutex bootstrap_mu_;      // one Ub run at a time
  mutable Mutex card_mu_;   // one card command sequence at a time
  ContextPtr ctx_;
  GbaStats stats_;
};

// Ua credentials for the http module: for a challenge with realm
// "3GPP-bootstrapping@<NAF>", user name B-TID and password base64(Ks_NAF),
// NAF_Id = the NAF FQDN used on Ua (the URL's host) || the Ua protocol
// identifier: 01 00 01 + the negotiated TLS suite over https, 01 00 00 00 02
// over plain http. After a GBA_U bootstrap the password is base64(Ks_ext_NAF)
// from the card, for "3GPP-bootstrapping@" and "3GPP-bootstrapping-uicc@" realms. When the NAF refuses the B-TID, it bootstraps again once
// and retries once; then it fails with gba_naf_refused.
class NafCredentials final : public http::CredentialProvider {
 public:
  explicit NafCredentials(GbaClient& gba) : gba_(gba) {}
  Result<http::DigestCredentials> credentials(const http::AuthRequest& request) override;

 private:
  GbaClient& gba_;
};

}  // namespace utkit::gba
