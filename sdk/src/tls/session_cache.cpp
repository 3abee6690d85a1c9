#include "utkit/tls/session_cache.hpp"

#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

#include "utkit/base/encoding.hpp"
#include "../base/text.hpp"

namespace utkit::tls {
namespace {

// Persisted record: "UTKS1" || created (int64 BE, Unix seconds) || session || HMAC-SHA-256
// with the MAC over (cache key || 0x00 || everything before it), so a record
// cannot be replayed under another host's key.
constexpr char kMagic[] = "UTKS1";
constexpr std::size_t kMagicLen = 5;
constexpr std::size_t kMacLen = 32;
constexpr std::size_t kHeaderLen = kMagicLen + 8;
constexpr auto kFutureSkew = std::chrono::minutes(5);

Bytes hmac(ByteView key, const std::string& cache_key, ByteView record) {
  Bytes out(kMacLen);
  const mbedtls_md_info_t* md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  mbedtls_md_context_t ctx;
  mbedtls_md_init(&ctx);
  if (mbedtls_md_setup(&ctx, md, 1) == 0 && mbedtls_md_hmac_starts(&ctx, key.data(), key.size()) == 0) {
    static const unsigned char zero = 0;
    mbedtls_md_hmac_update(&ctx, reinterpret_cast<const unsigned char*>(cache_key.data()), cache_key.size());
    mbedtls_md_hmac_update(&ctx, &zero, 1);
    mbedtls_md_hmac_update(&ctx, record.data(), record.size());
    mbedtls_md_hmac_finish(&ctx, out.data());
  }
  mbedtls_md_free(&ctx);
  return out;
}

}  // namespace

Result<std::unique_ptr<TlsSessionCache>> TlsSessionCache::create(const Clock& clock, std::chrono::seconds max_age) {
  if (max_age > kMaxSessionAge) {
    return make_error(Errc::config_invalid, "TLS session lifetime {} s exceeds the 24 h that TS 33.141 allows",
                      {Dec(max_age.count())});
  }
  if (max_age.count() <= 0) return Error(Errc::config_invalid, "TLS session lifetime must be positive");
  return std::unique_ptr<TlsSessionCache>(new TlsSessionCache(clock, max_age));
}

Result<void> TlsSessionCache::persist_to(KeyValueStore& store, SecretBytes integrity_key) {
  if (integrity_key.size() < 16) {
    return Error(Errc::config_invalid, "the TLS session store's integrity key must be at least 16 bytes");
  }
  ScopedLock lock(mu_);
  store_ = &store;
  mac_key_ = std::move(integrity_key);
  return success();
}

bool TlsSessionCache::fresh(WallTime created) const {
  const WallTime now = clock_.wall_now();
  if (created > now + kFutureSkew) return false;  // the clock went back: do not trust the age
  return now - created < max_age_;
}

std::string TlsSessionCache::store_key(const std::string& key) const {
  unsigned char d[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(key.data()), key.size(), d, 0);
  return cat({"tls-session-", to_hex(ByteView(d, 16))});
}

std::optional<TlsSessionCache::Entry> TlsSessionCache::load(const std::string& key) {
  if (store_ == nullptr) return std::nullopt;
  const std::string skey = store_key(key);
  auto got = store_->get(skey);
  if (!got) return std::nullopt;
  ByteView rec = got->view();
  bool ok = rec.size() > kHeaderLen + kMacLen && rec.sub(0, kMagicLen) == ByteView::of(kMagic);
  if (ok) {
    ByteView body = rec.sub(0, rec.size() - kMacLen);
    Bytes mac = hmac(mac_key_.view(), key, body);
    ok = constant_time_equal(ByteView(mac), rec.sub(rec.size() - kMacLen));
  }
  if (!ok) {
    (void)store_->remove(skey);  // tampered, truncated or from another key: never parsed
    return std::nullopt;
  }
  std::int64_t secs = 0;
  for (std::size_t i = 0; i < 8; ++i) secs = static_cast<std::int64_t>((static_cast<std::uint64_t>(secs) << 8) | rec[kMagicLen + i]);
  Entry e{SecretBytes(rec.sub(kHeaderLen, rec.size() - kHeaderLen - kMacLen)),
          WallTime{} + std::chrono::seconds(secs)};
  return e;
}

void TlsSessionCache::save(const std::string& key, const Entry& e) {
  if (store_ == nullptr) return;
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(e.created.time_since_epoch()).count();
  SecretBytes rec(kHeaderLen + e.session.size() + kMacLen);
  std::memcpy(rec.data(), kMagic, kMagicLen);
  for (std::size_t i = 0; i < 8; ++i) {
    rec.data()[kMagicLen + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(secs) >> (56 - 8 * i));
  }
  std::memcpy(rec.data() + kHeaderLen, e.session.data(), e.session.size());
  Bytes mac = hmac(mac_key_.view(), key, ByteView(rec.data(), kHeaderLen + e.session.size()));
  std::memcpy(rec.data() + kHeaderLen + e.session.size(), mac.data(), kMacLen);
  // Resumption is an optimisation: a store that cannot write costs a full handshake, nothing more.
  (void)store_->put(store_key(key), rec.view());
}

std::optional<TlsSessionCache::Entry> TlsSessionCache::find(const std::string& key) {
  ScopedLock lock(mu_);
  Entry* e = entries_.find(key);
  if (e == nullptr) {
    auto loaded = load(key);
    if (!loaded) return std::nullopt;
    e = &entries_.set(key, std::move(*loaded));
  }
  if (!fresh(e->created)) {
    entries_.erase(key);
    if (store_ != nullptr) (void)store_->remove(store_key(key));
    return std::nullopt;
  }
  return Entry{e->session.clone(), e->created};
}

void TlsSessionCache::put(const std::string& key, ByteView session, WallTime created) {
  ScopedLock lock(mu_);
  Entry e{SecretBytes(session), created};
  save(key, e);
  entries_.set(key, std::move(e));
}

void TlsSessionCache::forget(const std::string& key) {
  ScopedLock lock(mu_);
  entries_.erase(key);
  if (store_ != nullptr) (void)store_->remove(store_key(key));
}

std::size_t TlsSessionCache::size() const {
  ScopedLock lock(mu_);
  return entries_.size();
}

}  // namespace utkit::tls
