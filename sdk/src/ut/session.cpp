#include "utkit/ut/session.hpp"

#if UTKIT_THREADS
#include <future>
#endif

#include "../base/lines.hpp"

#include "utkit/http/writer.hpp"

#include <mbedtls/sha256.h>

#include <limits>
#include <optional>

#include "utkit/base/encoding.hpp"
#include "../base/text.hpp"

namespace utkit::ut {

// The NAF credentials, behind a bootstrap that may still be running on the
// cold-start thread.
class UtSession::Credentials final : public http::CredentialProvider {
 public:
  explicit Credentials(gba::GbaClient& g) : inner_(g) {}
  Result<http::DigestCredentials> credentials(const http::AuthRequest& req) override {
    UTKIT_TRY(wait());
    return inner_.credentials(req);
  }
  // The bootstrap runs within the operation's limits: run() joins it before
  // returning, so `limits.cancel` outlives it.
  // Without threads (UTKIT_THREADS=0) nothing runs beside the caller: the
  // bootstrap happens when the NAF's challenge asks for credentials.
  void start(const std::shared_ptr<gba::GbaClient>& g, gba::GbaLimits limits) {
#if UTKIT_THREADS
    if (pending_.valid()) return;
    pending_ = std::async(std::launch::async, [g, limits] { return g->context(limits); });
#else
    (void)g;
    (void)limits;
#endif
  }
  // Joins the concurrent bootstrap without taking its result (its error
  // stays in the future): for destructors and for unwinding, where the bootstrap thread
  // must not outlive the limits it reads.
  void join() noexcept {
#if UTKIT_THREADS
    if (!pending_.valid()) return;
    pending_.wait();
    pending_ = {};
#endif
  }
  // Joins the concurrent bootstrap; its error, if it failed.
  Result<void> wait() {
#if UTKIT_THREADS
    if (!pending_.valid()) return success();
    Result<gba::ContextPtr> r = pending_.get();
    if (!r) return std::move(r).error();
#endif
    return success();
  }

 private:
  gba::NafCredentials inner_;
#if UTKIT_THREADS
  std::future<Result<gba::ContextPtr>> pending_;
#endif
};

UtSession::UtSession(UtConfig config, Platform platform) : cfg_(std::move(config)), platform_(platform) {}

UtSession::~UtSession() {
  if (creds_) creds_->join();
}

Result<std::unique_ptr<UtSession>> UtSession::create(UtConfig config, aka::UsimBackend& usim, Platform platform,
                                                     std::shared_ptr<gba::GbaClient> shared_gba) {
  std::unique_ptr<UtSession> s(new UtSession(std::move(config), platform));
  UtConfig& c = s->cfg_;
  auto naf = http::parse_url(c.xcap_root);
  if (!naf) return std::move(naf).error().with_context("XCAP root");
  s->naf_ = naf.value();
  if (shared_gba) {
    s->gba_ = std::move(shared_gba);
  } else {
    std::shared_ptr<tls::TlsContext> bsf_tls;
    if (c.gba.bsf_url.rfind("https:", 0) == 0) {
      UTKIT_ASSIGN(bsf_tls, tls::TlsContext::create(c.tls, platform.random, platform.clock, nullptr, platform.log));
    }
    UTKIT_ASSIGN(std::unique_ptr<gba::GbaClient> g,
                 gba::GbaClient::create(c.gba, usim, platform.tcp, platform.random, platform.clock, bsf_tls,
                                        platform.store, platform.log));
    s->gba_ = std::move(g);
  }
  s->xui_ = c.xui;
  if (s->xui_.empty()) {
    auto id = usim.identity();
    if (!id) return std::move(id).error().with_context("reading the identity for the XCAP user (XUI)");
    if (id->impus.empty()) {
      return Error(Errc::config_missing, "no XCAP user: configure the IMPU (sip: or tel: URI); the USIM has none");
    }
    s->xui_ = id->impus.front();
  }
  UTKIT_ASSIGN(s->tls_cache_, tls::TlsSessionCache::create(platform.clock, c.tls_session_lifetime));
  if (c.tls_session_key && platform.store != nullptr) {
    UTKIT_TRY(s->tls_cache_->persist_to(*platform.store, c.tls_session_key->clone()));
  }
  if (s->naf_.tls()) {
    UTKIT_ASSIGN(s->tls_, tls::TlsContext::create(c.tls, platform.random, platform.clock, s->tls_cache_.get(),
                                                  platform.log));
  }
  for (const auto& [name, value] : c.http.headers) {
    auto ok = http::check_header(name, value);
    if (!ok)
      return make_error(Errc::config_invalid, "extra request header '{}': {}",
                        {printable_ascii(name), ok.error().message()});
  }
  // TS 24.109 4.5.3 / TS 33.222: a UE that supports GBA announces it to the
  // NAF too, with the product token "3gpp-gba" ("3gpp-gba-uicc" for GBA_U);
  // authentication proxies offer GBA only to clients that do. The options
  // move into the client (the session reads them nowhere else).
  http::HttpClientOptions http_opt = std::move(c.http);
  const char* token = c.gba.gba_u ? "3gpp-gba-uicc" : "3gpp-gba";
  if (http_opt.user_agent.find(token) == std::string::npos) cat_append(http_opt.user_agent, {" ", token});
  s->http_ = std::make_unique<http::HttpClient>(platform.tcp, platform.random, platform.clock, s->tls_,
                                                std::move(http_opt), platform.log);
  s->creds_ = std::make_unique<Credentials>(*s->gba_);
  s->http_->set_credentials(s->creds_.get());
  s->xcap_ = std::make_unique<xcap::XcapClient>(
      *s->http_, xcap::XcapConfig{c.xcap_root, s->xui_, c.intended_identity, c.quote_intended_identity});
  xcap::BuddyConfig bc = std::move(c.buddies);
  bc.auid = c.profile.resource_lists_auid;
  bc.document = c.profile.resource_lists_doc;
  if (platform.store != nullptr && c.document_cache_max > 0) {
    s->doc_cache_ = std::make_unique<xcap::DocumentCache>(*platform.store, c.document_cache_max);
  }
  s->buddy_list_ = std::make_unique<xcap::BuddyList>(*s->xcap_, std::move(bc), s->doc_cache_.get());
  s->load_digest_state();
  return s;
}

// The presence rules and the supplementary services are made on first use:
// an app that never touches them pays neither their heap nor, in a
// firmware image, their code.
xcap::WatcherRules& UtSession::rules() {
  if (!rules_) rules_ = std::make_unique<xcap::WatcherRules>(*xcap_, cfg_.profile);
  return *rules_;
}

xcap::SimservsClient& UtSession::simservs() {
  if (!simservs_) simservs_ = std::make_unique<xcap::SimservsClient>(*xcap_, cfg_.simservs);
  return *simservs_;
}

// ---- the NAF's Digest state across restarts ----
//
// Record (text): "utkit-naf-digest 1", then "origin", "user" (the B-TID),
// "saved" (Unix seconds), "nc" and "challenge" (a WWW-Authenticate value)
// lines. It holds no key: the password is derived anew from Ks_NAF.
namespace {
constexpr std::string_view kDigestMagic = "utkit-naf-digest 1";
constexpr std::uint64_t kDigestMaxAgeSeconds = std::uint64_t{24} * 3600;
std::int64_t unix_seconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
}  // namespace

std::string UtSession::digest_state_key() const {
  unsigned char d[32];
  const std::string origin = naf_.origin();
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(origin.data()), origin.size(), d, 0);
  return cat({"naf-digest-", to_hex(ByteView(d, 8))});
}

void UtSession::load_digest_state() {
  if (platform_.store == nullptr || !cfg_.persist_digest_state) return;
  const std::string key = digest_state_key();
  auto rec = platform_.store->get(key);
  if (!rec) return;
  detail::Lines lines(rec->view().as_string());
  std::string_view line;
  std::string origin, user, challenge;
  std::optional<std::uint64_t> saved, nc;
  bool ok = lines.next(line) && line == kDigestMagic;
  // Each key once: a key twice, or one we do not write, is not our record.
  unsigned seen = 0;
  while (ok && lines.next(line)) {
    std::string_view k, v;
    detail::split_key_value(line, k, v);
    const int at = name_index("origin\0user\0challenge\0saved\0nc\0", k);
    if (at < 0 || (seen & (1U << at)) != 0) {
      ok = false;
      break;
    }
    seen |= 1U << at;
    switch (at) {
      case 0: origin = std::string(v); break;
      case 1: user = std::string(v); break;
      case 2: challenge = std::string(v); break;
      case 3: saved = parse_decimal(v, std::numeric_limits<std::int64_t>::max()); break;
      default: nc = parse_decimal(v, 0xfffffffe); break;  // the next request sends nc + 1
    }
  }
  const std::int64_t now = unix_seconds(platform_.clock.wall_now());
  const gba::ContextPtr ctx = gba_->current();
  // Only for this NAF, the current B-TID, a plausible nonce count, and not
  // older than a day: anything else is dropped and the NAF challenges anew.
  ok = ok && origin == naf_.origin() && ctx && user == ctx->btid && saved && nc && now >= 0 &&
       *saved <= static_cast<std::uint64_t>(now) && static_cast<std::uint64_t>(now) - *saved <= kDigestMaxAgeSeconds &&
       !challenge.empty();
  if (ok) ok = http_->restore_auth(naf_, {challenge, static_cast<std::uint32_t>(*nc), user}).ok();
  if (!ok) {
    (void)platform_.store->remove(key);
    return;
  }
  saved_digest_ = std::string(rec->view().as_string());
  if (logs(platform_.log)) platform_.log->debug("ut", format("restored the NAF's Digest state (nc {})", {Dec(*nc)}));
}

void UtSession::save_digest_state() {
  if (platform_.store == nullptr || !cfg_.persist_digest_state) return;
  auto saved = http_->saved_auth(naf_);
  if (!saved) return;  // nothing new (or nothing at all): keep what is stored
  const std::string rec =
      format("{}\norigin {}\nuser {}\nsaved {}\nnc {}\nchallenge {}\n",
             {kDigestMagic, naf_.origin(), saved->username, Dec(unix_seconds(platform_.clock.wall_now())),
              Dec(saved->nonce_count), saved->challenge});
  // The time changes every write; compare what matters.
  const auto strip = [](const std::string& r) {
    const auto a = r.find("\nsaved ");
    if (a == std::string::npos) return r;
    const auto b = r.find('\n', a + 1);
    return r.substr(0, a) + (b == std::string::npos ? std::string() : r.substr(b));
  };
  if (!saved_digest_.empty() && strip(saved_digest_) == strip(rec)) return;
  if (platform_.store->put(digest_state_key(), ByteView::of(rec))) saved_digest_ = rec;
}

void UtSession::start_bootstrap_if_cold(const gba::GbaLimits& limits) {
  if (UTKIT_THREADS && cfg_.concurrent_bootstrap && !gba_->current()) {
    if (logs(platform_.log)) platform_.log->debug("ut", "cold start: bootstrapping on Ub while connecting to the NAF");
    creds_->start(gba_, limits);
  }
}

// An operation's own cancel token, fired by the caller's token and by
// network_changed() while the operation runs.
class UtSession::OpScope {
 public:
  OpScope(UtSession& s, const CancelToken* caller) : s_(s), link_(caller, token) {
    bool drop = false;
    {
      ScopedLock lock(s_.net_mu_);
      s_.running_ = &token;
      drop = s_.net_changes_ != s_.net_changes_seen_;
      s_.net_changes_seen_ = s_.net_changes_;
    }
    if (drop) {
      if (logs(s_.platform_.log)) s_.platform_.log->info("ut", "the network changed: new connections");
      s_.http_->close_connections();
    }
  }
  ~OpScope() {
    ScopedLock lock(s_.net_mu_);
    s_.running_ = nullptr;
  }
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

  const CancelToken token;

 private:
  UtSession& s_;
  CancelLink link_;
};

void UtSession::network_changed() {
  ScopedLock lock(net_mu_);
  ++net_changes_;
  if (running_ != nullptr) running_->fire(Errc::net_changed);
}


template <class F>
auto UtSession::run(OpLimits limits, F&& f) -> decltype(f()) {
  OpScope op(*this, limits.cancel);
  xcap::XcapClient::Limits l;
  if (limits.timeout) l.deadline = platform_.clock.monotonic_now() + *limits.timeout;
  l.cancel = &op.token;
  gba::GbaLimits g;
  if (l.deadline) g.deadline = *l.deadline;
  g.cancel = &op.token;
  // A cold start bootstraps beside the NAF connection, from the first
  // request on: an operation its local checks refuse sends nothing.
  struct Cold {
    UtSession* s;
    gba::GbaLimits g;
  } cold{this, g};
  l.before_send = [](void* arg) {
    auto* c = static_cast<Cold*>(arg);
    c->s->start_bootstrap_if_cold(c->g);
  };
  l.before_send_arg = &cold;
  xcap_->set_limits(l);
  // Never leave the bootstrap thread behind, nor the limits pointing into
  // this frame, even when f() does not return (an allocation failure
  // unwinding to the C API's boundary): both name the operation's token.
  struct Unwind {
    Credentials& c;
    xcap::XcapClient& x;
    ~Unwind() {
      c.join();
      x.set_limits({});
    }
  } unwind{*creds_, *xcap_};
  auto result = f();
  auto boot = creds_->wait();
  save_digest_state();
  if (!result.ok() && !boot.ok()) return std::move(boot).error();  // the root cause
  return result;
}

Result<std::vector<xcap::Entry>> UtSession::buddies(const std::string& list, OpLimits limits) {
  return run(limits, [&] { return buddy_list_->entries(list); });
}

Result<xcap::Simservs> UtSession::supplementary_services(OpLimits limits) {
  return run(limits, [&] { return simservs().read(); });
}

Result<xcap::Simservs> UtSession::set_call_forwarding(const xcap::ForwardingChange& change, OpLimits limits) {
  return run(limits, [&] { return simservs().set_forwarding(change); });
}

Result<xcap::Simservs> UtSession::set_call_barring(xcap::BarringCondition condition, bool enable, OpLimits limits) {
  return run(limits, [&] { return simservs().set_barring(condition, enable); });
}

Result<xcap::Simservs> UtSession::set_caller_id_restriction(bool restricted, OpLimits limits) {
  return run(limits, [&] { return simservs().set_restricted(xcap::Service::oir, restricted); });
}

Result<xcap::Simservs> UtSession::set_call_waiting(bool on, OpLimits limits) {
  return run(limits, [&] { return simservs().set_active(xcap::Service::communication_waiting, on); });
}

Result<xcap::Simservs> UtSession::set_service_active(xcap::Service service, bool active, OpLimits limits) {
  return run(limits, [&] { return simservs().set_active(service, active); });
}

Result<xcap::Simservs> UtSession::set_presentation_restricted(xcap::Service oir_or_tir, bool restricted,
                                                             OpLimits limits) {
  return run(limits, [&] { return simservs().set_restricted(oir_or_tir, restricted); });
}

Result<void> UtSession::for_each_buddy(
    const std::function<void(std::string_view uri, std::string_view display_name)>& fn, const std::string& list,
    OpLimits limits) {
  return run(limits, [&] { return buddy_list_->for_each(fn, list); });
}

Result<void> UtSession::add_buddy(const xcap::Entry& entry, const std::string& list, OpLimits limits) {
  return run(limits, [&] { return buddy_list_->add(entry, list); });
}

Result<void> UtSession::remove_buddy(const std::string& uri, const std::string& list, OpLimits limits) {
  return run(limits, [&] { return buddy_list_->remove(uri, list); });
}

Result<void> UtSession::rename_buddy(const std::string& uri, const std::string& name, const std::string& list,
                                     OpLimits limits) {
  return run(limits, [&] { return buddy_list_->rename(uri, name, list); });
}

Result<void> UtSession::allow(const std::string& watcher, OpLimits limits) {
  return run(limits, [&] { return rules().allow(watcher); });
}

Result<void> UtSession::block(const std::string& watcher, OpLimits limits) {
  return run(limits, [&] { return rules().block(watcher); });
}

Result<xcap::XcapUri> UtSession::uri_for(const std::string& selector) const {
  std::string doc = selector, node;
  if (auto sep = selector.find("/~~/"); sep != std::string::npos) {
    doc = selector.substr(0, sep);
    node = selector.substr(sep + 4);
  }
  auto slash = doc.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == doc.size()) {
    return make_error(Errc::xcap_bad_selector, "selector '{}' must be AUID/DOCUMENT[/~~/NODE]", {selector});
  }
  xcap::NodeSelector ns;
  if (!node.empty()) {
    UTKIT_ASSIGN(ns, xcap::NodeSelector::parse(node));
  }
  return xcap_->uri(doc.substr(0, slash), doc.substr(slash + 1), std::move(ns));
}

Result<xcap::XcapResult> UtSession::xcap_get(const std::string& selector, OpLimits limits) {
  UTKIT_ASSIGN(xcap::XcapUri u, uri_for(selector));
  return run(limits, [&] { return xcap_->get(u); });
}

Result<xcap::XcapResult> UtSession::xcap_put(const std::string& selector, std::string body, OpLimits limits) {
  UTKIT_ASSIGN(xcap::XcapUri u, uri_for(selector));
  return run(limits, [&]() -> Result<xcap::XcapResult> {
    // No read first: an element or attribute PUT addresses exactly what it
    // changes, one request.
    // With an ETag this session already holds (the caller read the
    // document), any PUT is guarded by it: a whole list or document put
    // cannot then overwrite what another device added since.
    return xcap_->put(u, std::move(body), xcap_->etag(u.document) ? xcap::Precondition::if_match
                                                                  : xcap::Precondition::none);
  });
}

Result<xcap::XcapResult> UtSession::xcap_delete(const std::string& selector, OpLimits limits) {
  UTKIT_ASSIGN(xcap::XcapUri u, uri_for(selector));
  return run(limits, [&] { return xcap_->remove(u, xcap::Precondition::none); });
}

Result<gba::ContextPtr> UtSession::bootstrap(bool force, OpLimits limits) {
  OpScope op(*this, limits.cancel);
  gba::GbaLimits g;
  if (limits.timeout) g.deadline = platform_.clock.monotonic_now() + *limits.timeout;
  g.cancel = &op.token;
  return force ? gba_->bootstrap(g) : gba_->context(g);
}

std::optional<tls::TlsInfo> UtSession::tls_info() const { return http_->tls_info(naf_); }

xcap::DocumentCache::Stats UtSession::cache_stats() const {
  return doc_cache_ ? doc_cache_->stats() : xcap::DocumentCache::Stats{};
}

UtStats UtSession::stats() const { return UtStats{http_->stats(), gba_->stats()}; }

void UtSession::reset_stats() { http_->reset_stats(); }

void UtSession::close_connections() { http_->close_connections(); }

}  // namespace utkit::ut
