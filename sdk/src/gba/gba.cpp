#include "utkit/gba/gba.hpp"

#include "utkit/base/encoding.hpp"

#include <algorithm>

#include "../base/text.hpp"

namespace utkit::gba {

using namespace std::string_view_literals;
namespace {

const char* auth_int_required() {
  return "the BSF's AKA challenge lacks qop=auth-int (TS 24.109): its answer (B-TID, lifetime) would go "
         "unauthenticated; refused";
}

// The http module's CredentialProvider for Ub: runs AKA on each challenge.
class AkaResponder final : public http::CredentialProvider {
 public:
  AkaResponder(aka::UsimBackend& usim, std::string impi, bool gba_u, bool allow_qop_auth, Mutex& card,
               const Logger* log)
      : usim_(usim), impi_(std::move(impi)), gba_u_(gba_u), allow_qop_auth_(allow_qop_auth), card_(card), log_(log) {}

  Result<http::DigestCredentials> credentials(const http::AuthRequest& req) override {
    const http::Challenge& ch = req.challenge;
    if (ch.algorithm != http::DigestAlgorithm::akav1_md5 && ch.algorithm != http::DigestAlgorithm::akav2_md5) {
      return make_error(Errc::gba_bad_challenge, "the BSF's challenge uses algorithm '{}', not AKAv1-MD5 or AKAv2-MD5",
                        {(ch.algorithm_text.empty() ? std::string_view("MD5") : ch.algorithm_text)});
    }
    if (!ch.qop_auth_int && !(allow_qop_auth_ && ch.qop_auth)) {
      return Error(Errc::gba_bad_challenge, auth_int_required());
    }
    body_protected_ = ch.qop_auth_int;
    if (req.attempt > 0 && !sent_auts_) {
      return make_error(Errc::auth_failed, {"the BSF refused the AKA response (RES) for ", impi_});
    }
    // nonce = base64(RAND || AUTN || server data): the first 32 octets count.
    auto nonce = base64_decode(ch.nonce);
    if (!nonce || nonce->size() < 32) {
      return make_error(Errc::gba_bad_challenge, "the BSF's nonce is not base64(RAND || AUTN) ({} octets)",
                        {Dec(nonce ? nonce->size() : 0)});
    }
    const ByteView rand(nonce->data(), 16), autn(nonce->data() + 16, 16);
    Result<aka::AkaResult> run = [&] {
      ScopedLock lock(card_);
      return gba_u_ ? usim_.gba_u_bootstrap(rand, autn) : usim_.authenticate(rand, autn);
    }();
    UTKIT_ASSIGN(aka::AkaResult r, std::move(run));
    switch (r.status) {
      case aka::AkaStatus::mac_failure:
        // TS 33.102 6.3.3: the network failed authentication. Nothing that
        // depends on K is sent; the Ub run stops here.
        return Error(Errc::gba_network_not_authentic,
                     "the BSF's challenge failed the USIM's MAC check: the network is not authentic (wrong BSF, "
                     "forged challenge, or a USIM/AuC key mismatch); no response was sent");
      case aka::AkaStatus::sync_failure: {
        if (sent_auts_) {
          return Error(Errc::gba_resync_failed, "the USIM is still out of sync with the network after one AUTS round");
        }
        sent_auts_ = true;
        ++resyncs_;
        if (logs(log_)) log_->info("gba", "USIM sequence number out of range; sending AUTS to resynchronise");
        http::DigestCredentials cred{impi_, SecretBytes(), base64_encode(ByteView(r.auts))};
        return cred;
      }
      case aka::AkaStatus::success:
        break;
    }
    if (logs(log_)) {
      log_->protect(r.res.view());
      log_->protect(r.ck.view());
      log_->protect(r.ik.view());
    }
    sent_auts_ = false;
    answered_ = true;
    rand_ = rand.to_bytes();
    // Ks = CK || IK (TS 33.220 4.5.2); with GBA_U it stays in the card.
    if (!gba_u_) ks_ = SecretBytes::concat(r.ck.view(), r.ik.view());
    if (gba_u_ && ch.algorithm == http::DigestAlgorithm::akav2_md5) {
      return Error(Errc::gba_unsupported, "AKAv2-MD5 needs CK and IK, which a GBA_U card does not release");
    }
    http::DigestCredentials cred;
    cred.username = impi_;
    cred.password = ch.algorithm == http::DigestAlgorithm::akav2_md5 ? http::akav2_password(r.res.view(), r.ik.view(), r.ck.view())
                                                                     : std::move(r.res);
    if (logs(log_)) log_->protect(cred.password.view());
    return cred;
  }

  bool answered() const { return answered_; }
  // Whether the 200's body is covered by rspauth (qop=auth-int was used).
  bool body_protected() const { return body_protected_; }
  SecretBytes take_ks() { return std::move(ks_); }
  const Bytes& rand() const { return rand_; }
  int resyncs() const { return resyncs_; }

 private:
  aka::UsimBackend& usim_;
  std::string impi_;
  bool gba_u_;
  bool allow_qop_auth_;
  bool body_protected_ = false;
  Mutex& card_;
  const Logger* log_;
  bool sent_auts_ = false;
  bool answered_ = false;
  int resyncs_ = 0;
  Bytes rand_;
  SecretBytes ks_;
};

}  // namespace

GbaClient::GbaClient(GbaConfig config, aka::UsimBackend& usim, TransportFactory& tcp, Random& random,
                     const Clock& clock, std::shared_ptr<tls::TlsContext> bsf_tls, KeyValueStore* store,
                     const Logger* log)
    : cfg_(std::move(config)), usim_(usim), tcp_(tcp), random_(random), clock_(clock), bsf_tls_(std::move(bsf_tls)),
      store_(store), log_(log) {}

Result<std::unique_ptr<GbaClient>> GbaClient::create(GbaConfig config, aka::UsimBackend& usim, TransportFactory& tcp,
                                                     Random& random, const Clock& clock,
                                                     std::shared_ptr<tls::TlsContext> bsf_tls, KeyValueStore* store,
                                                     const Logger* log) {
  std::unique_ptr<GbaClient> g(new GbaClient(std::move(config), usim, tcp, random, clock, std::move(bsf_tls), store, log));
  std::optional<aka::UsimIdentity> id;
  if (g->cfg_.impi.empty() || g->cfg_.bsf_url.empty()) {
    auto ident = usim.identity();
    if (!ident) return std::move(ident).error().with_context("reading the USIM identity for GBA");
    id = std::move(ident).value();
  }
  g->impi_ = g->cfg_.impi.empty() ? id->impi : g->cfg_.impi;
  if (g->impi_.empty()) return Error(Errc::config_missing, "GBA needs an IMPI (from the ISIM, the IMSI, or config)");
  std::string url = g->cfg_.bsf_url;
  if (url.empty()) {
    UTKIT_ASSIGN(std::string host, bsf_host_for(*id));
    url = format("http://{}/", {host});
  }
  auto bsf = http::parse_url(url);
  if (!bsf) return std::move(bsf).error().with_context("BSF URL");
  g->bsf_ = bsf.value();
  if (g->cfg_.gba_u && !usim.supports_gba_u()) {
    return make_error(Errc::gba_unsupported,
                      "GBA_U was configured but the '{}' USIM backend has no GBA security context", {usim.name()});
  }
  if (g->cfg_.gba_u && g->cfg_.user_agent.find("3gpp-gba-uicc") == std::string::npos) {
    g->cfg_.user_agent += " 3gpp-gba-uicc";  // TS 24.109 4.4.2
  }
  if (g->bsf_.tls() && !g->bsf_tls_) {
    return Error(Errc::config_invalid, "the BSF URL is https but no TLS configuration was given for it");
  }
  if (store != nullptr) {
    auto rec = store->get(g->cfg_.store_key);
    if (rec) {
      auto c = BootstrapContext::parse(rec->view());
      if (c && c->impi == g->impi_ && c->uicc == g->cfg_.gba_u && c->valid_at(clock.wall_now(), g->cfg_.expiry_margin)) {
        if (logs(log)) log->protect(c->ks.view());
        g->ctx_ = std::make_shared<const BootstrapContext>(std::move(c).value());
        ++g->stats_.loaded_from_store;
        if (logs(log)) log->info("gba", format("loaded bootstrapping context {} from storage", {g->ctx_->btid}));
      } else {
        // Expired, unreadable, or another subscriber's: never used.
        (void)store->remove(g->cfg_.store_key);
      }
    } else if (rec.error().code() != Errc::storage_not_found) {
      return std::move(rec).error().with_context("loading the bootstrapping context");
    }
  }
  return g;
}

bool GbaClient::usable(const ContextPtr& c) const {
  return c && c->valid_at(clock_.wall_now(), cfg_.expiry_margin);
}

ContextPtr GbaClient::current() const {
  ScopedLock lock(mu_);
  return usable(ctx_) ? ctx_ : nullptr;
}

GbaStats GbaClient::stats() const {
  ScopedLock lock(mu_);
  return stats_;
}

void GbaClient::invalidate(const std::string& btid) {
  ScopedLock lock(mu_);
  if (ctx_ && ctx_->btid == btid) {
    ctx_.reset();
    if (store_ != nullptr) (void)store_->remove(cfg_.store_key);
    if (logs(log_)) log_->info("gba", format("bootstrapping context {} dropped (refused by a NAF)", {btid}));
  }
}

Result<UniqueLock> GbaClient::lock_for_bootstrap(const GbaLimits& limits) {
  UniqueLock lock = UniqueLock::try_to_lock(bootstrap_mu_);
  // Another caller is bootstrapping: wait for it, within this caller's limits.
  // (The other bootstrap is bounded by its own limits; a cancel of this
  // caller's wakes the pause between tries at once.)
  while (!lock.owns_lock()) {
    if (limits.cancel != nullptr && limits.cancel->fired()) {
      return cancelled_error(*limits.cancel, "waiting for a GBA bootstrap in progress");
    }
    if (clock_.monotonic_now() >= limits.deadline) {
      return Error(Errc::net_timeout, "the operation's deadline passed while waiting for a GBA bootstrap in progress");
    }
    if (limits.cancel != nullptr) {
      (void)limits.cancel->sleep_for(Millis(5));
    } else {
      sleep_for(Millis(5));
    }
    lock = UniqueLock::try_to_lock(bootstrap_mu_);
  }
  return lock;
}

Result<ContextPtr> GbaClient::context(GbaLimits limits) {
  if (ContextPtr c = current()) return c;
  // One bootstrap at a time; whoever waited finds the fresh context.
  UTKIT_ASSIGN(auto lock, lock_for_bootstrap(limits));
  if (ContextPtr c = current()) return c;
  return run_ub(limits);
}

Result<ContextPtr> GbaClient::bootstrap(GbaLimits limits) {
  UTKIT_ASSIGN(auto lock, lock_for_bootstrap(limits));
  return run_ub(limits);
}

Result<ContextPtr> GbaClient::run_ub(const GbaLimits& limits) {
  http::HttpClientOptions opt;
  opt.user_agent = cfg_.user_agent;
  opt.request_timeout = cfg_.timeout;
  opt.require_rspauth = cfg_.require_rspauth;
  opt.preferred_qop = http::Qop::auth_int;
  // Of several challenges, the AKA one (a BSF may list MD5 first), with auth-int.
  opt.challenges.algorithms = http::ChallengePolicy::bit(http::DigestAlgorithm::akav1_md5) |
                              http::ChallengePolicy::bit(http::DigestAlgorithm::akav2_md5);
  opt.challenges.min_qop = cfg_.allow_qop_auth ? http::Qop::auth : http::Qop::auth_int;
  http::HttpClient client(tcp_, random_, clock_, bsf_tls_, std::move(opt), log_);
  AkaResponder responder(usim_, impi_, cfg_.gba_u, cfg_.allow_qop_auth, card_mu_, log_);
  client.set_credentials(&responder);

  http::Request req;
  req.method = "GET";
  if (limits.deadline != MonoTime::max()) req.deadline = std::min(limits.deadline, clock_.monotonic_now() + cfg_.timeout);
  req.cancel = limits.cancel;
  req.headers.add("Accept", "*/*");
  // TS 24.109 4.4.2: the first request names the IMPI in an empty Digest answer.
  UTKIT_ASSIGN(std::string q_impi, http::quoted_string(impi_, "the IMPI"sv));
  UTKIT_ASSIGN(std::string q_realm, http::quoted_string(bsf_.host, "the BSF host"sv));
  UTKIT_ASSIGN(std::string q_uri, http::quoted_string(bsf_.target, "the BSF URL path"sv));
  req.headers.add("Authorization",
                  format("Digest username={}, realm={}, nonce=\"\", uri={}, response=\"\"", {q_impi, q_realm, q_uri}));
  if (logs(log_)) log_->debug("gba", format("Ub: bootstrapping {} at {}", {impi_, bsf_.origin()}));
  auto rsp = client.send(bsf_, std::move(req));
  {
    ScopedLock lock(mu_);
    stats_.resyncs += responder.resyncs();
  }
  if (!rsp) {
    Error e = std::move(rsp).error();
    if (e.code() == Errc::auth_unsupported) {
      e = make_error(Errc::gba_bad_challenge, "the BSF offers no AKA challenge Ub can answer: {}", {e.message()});
    }
    return std::move(e).with_context(cat({"GBA bootstrap at ", bsf_.origin()}));
  }
  if (rsp->status != 200) {
    return make_error(Errc::gba_bsf_status, "the BSF {} answered {} {} to the bootstrap",
                      {bsf_.origin(), Dec(rsp->status), rsp->reason});
  }
  if (!responder.answered()) {
    return Error(Errc::gba_failed, "the BSF answered 200 without authenticating the subscriber");
  }
  UTKIT_ASSIGN(BootstrappingInfo info, parse_bootstrapping_info(rsp->body_text()));
  const WallTime now = clock_.wall_now();
  if (!(responder.body_protected() && rsp->rspauth_verified)) {
    // The body is not authenticated: qop=auth (allow_qop_auth), or no rspauth
    // over it (require_rspauth = false). The B-TID must then be the one TS
    // 33.220 4.5.2 defines for this run: base64(RAND)@ the BSF we reached.
    const std::string own = cat({base64_encode(ByteView(responder.rand())), "@"});
    if (info.btid.compare(0, own.size(), own) != 0 ||
        http::canonical_host(std::string_view(info.btid).substr(own.size())) != bsf_.host) {
      return make_error(Errc::gba_bad_bootstrapping_info,
                        "B-TID '{}' of the BSF's unauthenticated answer is not base64(RAND)@BSF of this run (TS "
                        "33.220 4.5.2); refused",
                        {info.btid});
    }
  }
  if (info.lifetime > now + cfg_.max_lifetime) {
    if (logs(log_)) {
      log_->info("gba", format("the BSF's lifetime {} is beyond the cap; the context expires at {}",
                               {format_xsd_datetime(info.lifetime), format_xsd_datetime(now + cfg_.max_lifetime)}));
    }
    info.lifetime = now + cfg_.max_lifetime;
  }
  if (now >= info.lifetime) {
    return make_error(Errc::gba_bad_bootstrapping_info,
                      "the BSF issued B-TID {} with a lifetime ({}) that is already over at {} (check the clocks)",
                      {info.btid, format_xsd_datetime(info.lifetime), format_xsd_datetime(now)});
  }
  auto ctx = std::make_shared<BootstrapContext>();
  ctx->btid = std::move(info.btid);
  ctx->ks = responder.take_ks();
  ctx->rand = responder.rand();
  ctx->impi = impi_;
  ctx->expiry = info.lifetime;
  ctx->issued = now;  // a short lifetime scales the renewal margin down (BootstrapContext::valid_at)
  ctx->bsf_host = bsf_.host;
  ctx->uicc = cfg_.gba_u;
  if (logs(log_) && !ctx->ks.empty()) log_->protect(ctx->ks.view());
  if (store_ != nullptr) {
    SecretBytes rec = ctx->serialize();
    auto r = store_->put(cfg_.store_key, rec.view());
    if (!r && logs(log_)) log_->warn("gba", cat({"could not persist the bootstrapping context: ", r.error().describe()}));
  }
  if (logs(log_)) {
    log_->info("gba", format("bootstrapped: B-TID {}, valid until {}", {ctx->btid, format_xsd_datetime(ctx->expiry)}));
  }
  // The caller gets this context even when its lifetime is short: a fresh
  // B-TID serves the operation that asked for it. The next operation
  // bootstraps again only once it is within the (scaled) margin, so a BSF that
  // grants seconds costs one bootstrap per operation at most, never a loop.
  ScopedLock lock(mu_);
  ctx_ = ctx;
  ++stats_.bootstraps;
  return ContextPtr(ctx);
}

Result<SecretBytes> GbaClient::ks_naf(const BootstrapContext& ctx, std::string_view naf_fqdn,
                                      const UaProtocolId& ua) const {
  const Bytes id = naf_id(naf_fqdn, ua);
  if (ctx.uicc) {
    // GBA_U: Ks_ext_NAF, derived in the card from the Ks it kept.
    ScopedLock lock(card_mu_);
    UTKIT_ASSIGN(SecretBytes k, usim_.gba_u_ks_ext_naf(ByteView(id), ctx.impi));
    if (logs(log_)) log_->protect(k.view());
    return k;
  }
  UTKIT_ASSIGN(SecretBytes k, gba::ks_naf(ctx.ks.view(), ByteView(ctx.rand), ctx.impi, ByteView(id)));
  if (logs(log_)) log_->protect(k.view());
  return k;
}

Result<http::DigestCredentials> NafCredentials::credentials(const http::AuthRequest& req) {
  const std::string& realm = req.challenge.realm;
  constexpr std::string_view kMe = "3GPP-bootstrapping@", kUicc = "3GPP-bootstrapping-uicc@";
  const bool uicc_realm = realm.compare(0, kUicc.size(), kUicc) == 0;
  if (!uicc_realm && realm.compare(0, kMe.size(), kMe) != 0) {
    return make_error(Errc::auth_no_credentials, "realm '{}' is not a GBA realm (3GPP-bootstrapping@<NAF>)", {realm});
  }
  const Logger* log = gba_.logger();
  const std::string realm_host = http::canonical_host(realm.substr((uicc_realm ? kUicc : kMe).size()));
  if (logs(log) && realm_host != req.url.host) {
    log->warn("gba", format("NAF realm names '{}' but the NAF is reached as '{}'; NAF_Id uses the latter (TS 33.220)",
                            {realm_host, req.url.host}));
  }
  ContextPtr ctx;
  const GbaLimits limits{req.deadline, req.cancel};
  if (req.attempt == 0) {
    UTKIT_ASSIGN(ctx, gba_.context(limits));
  } else if (req.attempt == 1) {
    // The NAF refused the B-TID (unknown or expired there): bootstrap again, once.
    if (ContextPtr old = gba_.current()) gba_.invalidate(old->btid);
    UTKIT_ASSIGN(ctx, gba_.bootstrap(limits));
  } else {
    return make_error(Errc::gba_naf_refused, "the NAF {} refused the GBA credentials even after a new bootstrap",
                      {req.url.host});
  }
  if (uicc_realm && !ctx->uicc) {
    return make_error(
        Errc::gba_unsupported,
        "the NAF {} asks for GBA_U (realm '{}') but the bootstrap ran GBA_ME; configure gba_u with a GBA-capable card",
        {req.url.host, realm});
  }
  const UaProtocolId ua = req.tls ? ua_tls_digest(req.tls->suite_id) : ua_http_digest();
  UTKIT_ASSIGN(SecretBytes k, gba_.ks_naf(*ctx, req.url.host, ua));
  http::DigestCredentials cred;
  cred.username = ctx->btid;
  cred.password = base64_encode_secret(k.view());  // TS 33.222 5.3: password = base64(Ks_NAF)
  if (logs(log)) log->protect(cred.password.view());
  return cred;
}

}  // namespace utkit::gba
