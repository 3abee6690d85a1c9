#include "utkit/base/kv_store.hpp"
#include "text.hpp"

namespace utkit {

bool valid_store_key(std::string_view key) {
  if (key.empty() || key.size() > 128 || key.front() == '.') return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {
Error bad_key(std::string_view key) {
  return make_error(Errc::storage_bad_key,
                    "store key '{}' is not 1-128 characters of [A-Za-z0-9._-] (not starting with '.')",
                    {key.substr(0, 64)});
}
}  // namespace

namespace {
class MutexStoreLock final : public StoreLock {
 public:
  explicit MutexStoreLock(Mutex& mu) : lock_(mu) {}

 private:
  UniqueLock lock_;
};
}  // namespace

Result<std::unique_ptr<StoreLock>> KeyValueStore::lock(std::string_view key) {
  if (!valid_store_key(key)) return bad_key(key);
  return std::unique_ptr<StoreLock>(new MutexStoreLock(default_lock_));
}

Result<SecretBytes> MemoryKeyValueStore::get(std::string_view key) {
  if (!valid_store_key(key)) return bad_key(key);
  ScopedLock lock(mu_);
  const SecretBytes* v = values_.find(key);
  if (v == nullptr) return make_error(Errc::storage_not_found, "no value stored under '{}'", {key});
  return v->clone();
}

Result<void> MemoryKeyValueStore::put(std::string_view key, ByteView value) {
  if (!valid_store_key(key)) return bad_key(key);
  ScopedLock lock(mu_);
  values_.set(key, SecretBytes(value));
  return success();
}

Result<void> MemoryKeyValueStore::remove(std::string_view key) {
  if (!valid_store_key(key)) return bad_key(key);
  ScopedLock lock(mu_);
  values_.erase(key);
  return success();
}

Result<std::string> KeyValueStore::get_text(std::string_view key) {
  UTKIT_ASSIGN(SecretBytes v, get(key));
  return std::string(v.view().as_string());
}

}  // namespace utkit
