// utkit/tls/session_cache.hpp — TLS sessions kept for resumption (T8).
//
// Keyed by host, port and profile. A session is dropped once it is older
// than max_age (24 h by default and at most: TS 33.141 treats an older
// session ID as obsolete); age counts from the full handshake that created
// it, through any number of resumptions, on the injected Clock.
//
// Optionally persisted through a KeyValueStore so sessions survive a
// restart. Each record is protected by HMAC-SHA-256 under a key the
// application supplies (from its keystore), and a record that fails the check,
// is malformed or is too old is deleted unread: session data is parsed only
// once it is known to be ours.
#pragma once

#include <chrono>
#include <memory>
#include "utkit/base/sync.hpp"
#include <optional>
#include <string>

#include "utkit/base/clock.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"

namespace utkit::tls {

inline constexpr std::chrono::seconds kMaxSessionAge = std::chrono::hours(24);

class TlsSessionCache {
 public:
  struct Entry {
    SecretBytes session;  // mbedtls_ssl_session_save() output (holds the master secret)
    WallTime created;     // when the full handshake completed
  };

  // `clock` must outlive the cache. max_age above 24 h is refused.
  static Result<std::unique_ptr<TlsSessionCache>> create(const Clock& clock,
                                                         std::chrono::seconds max_age = kMaxSessionAge);

  // Persist sessions in `store` (which must outlive the cache) under
  // HMAC-SHA-256 with `integrity_key` (at least 16 bytes).
  Result<void> persist_to(KeyValueStore& store, SecretBytes integrity_key);

  // The session for `key` if it is younger than max_age; an older one is
  // dropped (and deleted from the store).
  std::optional<Entry> find(const std::string& key);
  void put(const std::string& key, ByteView session, WallTime created);
  void forget(const std::string& key);

  std::chrono::seconds max_age() const { return max_age_; }
  std::size_t size() const;

 private:
  TlsSessionCache(const Clock& clock, std::chrono::seconds max_age) : clock_(clock), max_age_(max_age) {}
  bool fresh(WallTime created) const;
  std::string store_key(const std::string& key) const;
  std::optional<Entry> load(const std::string& key);
  void save(const std::string& key, const Entry& e);

  const Clock& clock_;
  std::chrono::seconds max_age_;
  mutable Mutex mu_;
  StringMap<Entry> entries_;
  KeyValueStore* store_ = nullptr;
  SecretBytes mac_key_;
};

}  // namespace utkit::tls
