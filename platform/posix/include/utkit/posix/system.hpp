// utkit/posix/system.hpp — clocks, entropy, a private file store and a stderr
// log sink for POSIX systems.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "utkit/base/clock.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/base/log.hpp"
#include "utkit/base/random.hpp"

namespace utkit::posix {

// steady_clock and system_clock.
class SystemClock final : public Clock {
 public:
  MonoTime monotonic_now() const override;
  WallTime wall_now() const override;
};

// The system's entropy: getrandom(2), blocking until the kernel pool is
// initialised; getentropy(3) or /dev/urandom where there is no getrandom
// (compiled_paths() in tcp_transport.hpp says which).
class GetrandomEntropy final : public EntropySource {
 public:
  Result<void> gather(std::uint8_t* out, std::size_t len) override;
};

// A CtrDrbgRandom seeded from the system's entropy; owns its entropy source.
Result<std::unique_ptr<Random>> make_system_random();

// One file per key in a private directory.
//   * The directory is created 0700 when missing.
//   * put() writes a temporary file (0600, O_EXCL), fsyncs it, renames it over
//     the old value and fsyncs the directory: a reader or a crash sees the old
//     or the new value, never a mix.
//   * get() refuses (storage_permissions) a file that group or others may
//     read or write, or that is not a regular file (symlinks are not followed).
// Thread-safe; values up to 1 MiB.
class FileKeyValueStore final : public KeyValueStore {
 public:
  static Result<std::unique_ptr<FileKeyValueStore>> open(const std::string& directory);

  Result<SecretBytes> get(std::string_view key) override;
  Result<std::string> get_text(std::string_view key) override;
  Result<void> put(std::string_view key, ByteView value) override;
  Result<void> remove(std::string_view key) override;
  Result<std::unique_ptr<StoreLock>> lock(std::string_view key) override;

  const std::string& directory() const { return dir_; }
  std::string path_of(std::string_view key) const { return dir_ + "/" + std::string(key); }

 private:
  explicit FileKeyValueStore(std::string dir) : dir_(std::move(dir)) {}
  void remove_stale_temporaries() const;
  std::string dir_;
  std::atomic<unsigned> counter_{0};
};

// "utkit warn  tls: message" lines on stderr; thread-safe.
class StderrLogSink final : public LogSink {
 public:
  void write(LogLevel level, std::string_view component, std::string_view message) override;

 private:
  std::mutex mu_;
};

}  // namespace utkit::posix
