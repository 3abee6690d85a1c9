// utkit/base/kv_store.hpp — the KeyValueStore platform interface.
//
// Persists small records: the software USIM's SQN state, the bootstrapping
// context, TLS sessions. Values may hold secrets, so they come back as
// SecretBytes. Implementations replace a value atomically (a reader sees the
// old or the new value, never a mix) and keep it private to the user
// (0600 on POSIX).
#pragma once

#include <memory>
#include "utkit/base/sync.hpp"
#include <string>
#include <string_view>

#include "utkit/base/bytes.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"
#include "utkit/base/string_map.hpp"

namespace utkit {

// Keys are 1-128 characters of [A-Za-z0-9._-], not starting with '.'.
bool valid_store_key(std::string_view key);

// Held while a read-check-write sequence on one key runs; released when
// destroyed.
class StoreLock {
 public:
  virtual ~StoreLock() = default;
};

class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;
  // Errors: storage_not_found when the key has no value, storage_bad_key,
  // storage_io, storage_permissions.
  virtual Result<SecretBytes> get(std::string_view key) = 0;
  // The same value as text, for records that hold no secret (cached XCAP
  // documents): a store may read it straight into the string, so a large
  // value is not held twice. The default copies from get().
  virtual Result<std::string> get_text(std::string_view key);
  virtual Result<void> put(std::string_view key, ByteView value) = 0;
  // Removing an absent key succeeds.
  virtual Result<void> remove(std::string_view key) = 0;

  // Exclusive access to `key` for a read-check-write sequence (the software
  // USIM's SQN state): while one holder has it, every other caller of lock()
  // on the same key waits, in this process and, for a store that several
  // processes share, in the others too. A holder re-reads the value after
  // taking the lock. get/put/remove do not take it themselves.
  // The default serialises callers of this store object only (enough for a
  // store that a single process owns); FileKeyValueStore locks across
  // processes. An app's own store shared between processes must override it.
  virtual Result<std::unique_ptr<StoreLock>> lock(std::string_view key);

 private:
  Mutex default_lock_;
};

// In memory; values wiped when replaced or destroyed. Thread-safe.
class MemoryKeyValueStore final : public KeyValueStore {
 public:
  Result<SecretBytes> get(std::string_view key) override;
  Result<void> put(std::string_view key, ByteView value) override;
  Result<void> remove(std::string_view key) override;

 private:
  Mutex mu_;
  StringMap<SecretBytes> values_;
};

}  // namespace utkit
