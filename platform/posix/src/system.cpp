#include "utkit/posix/system.hpp"

#include "utkit/base/encoding.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#if defined(UTKIT_HAVE_GETRANDOM) || defined(UTKIT_HAVE_GETENTROPY)
#include <sys/random.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

namespace utkit::posix {

MonoTime SystemClock::monotonic_now() const { return std::chrono::steady_clock::now(); }
WallTime SystemClock::wall_now() const { return std::chrono::system_clock::now(); }

// getrandom() where the C library has it (Linux, Android API 28+), else
// getentropy() (iOS, macOS, BSDs), else /dev/urandom (older Android).
Result<void> GetrandomEntropy::gather(std::uint8_t* out, std::size_t len) {
#if defined(UTKIT_HAVE_GETRANDOM)
  while (len > 0) {
    ssize_t n = ::getrandom(out, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(Errc::random_failed, std::string("getrandom(): ") + std::strerror(errno));
    }
    out += n;
    len -= static_cast<std::size_t>(n);
  }
  return success();
#elif defined(UTKIT_HAVE_GETENTROPY)
  while (len > 0) {
    const std::size_t chunk = len < 256 ? len : 256;  // getentropy's limit
    if (::getentropy(out, chunk) != 0) {
      return Error(Errc::random_failed, std::string("getentropy(): ") + std::strerror(errno));
    }
    out += chunk;
    len -= chunk;
  }
  return success();
#else
  int fd;
  do {
    fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Error(Errc::random_failed, std::string("open /dev/urandom: ") + std::strerror(errno));
  while (len > 0) {
    ssize_t n = ::read(fd, out, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = n < 0 ? errno : EIO;
      ::close(fd);
      return Error(Errc::random_failed, std::string("read /dev/urandom: ") + std::strerror(e));
    }
    out += n;
    len -= static_cast<std::size_t>(n);
  }
  ::close(fd);
  return success();
#endif
}

namespace {
class OwningRandom final : public Random {
 public:
  Result<void> fill(std::uint8_t* out, std::size_t len) override { return drbg->fill(out, len); }
  GetrandomEntropy entropy;
  std::unique_ptr<CtrDrbgRandom> drbg;
};
}  // namespace

Result<std::unique_ptr<Random>> make_system_random() {
  auto r = std::make_unique<OwningRandom>();
  UTKIT_ASSIGN(r->drbg, CtrDrbgRandom::create(r->entropy, "utkit-posix"));
  return std::unique_ptr<Random>(std::move(r));
}

// ---- FileKeyValueStore ----

namespace {

constexpr std::size_t kMaxValue = 1 << 20;
constexpr long kStaleTemporarySeconds = 600;
constexpr int kLockWaitSeconds = 10;

std::string mode_text(mode_t m) {
  char buf[8];
  (void)std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

Error bad_key(std::string_view key) {
  return Error(Errc::storage_bad_key, "store key '" + std::string(key.substr(0, 64)) +
                                          "' is not 1-128 characters of [A-Za-z0-9._-] (not starting with '.')");
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<std::unique_ptr<FileKeyValueStore>> FileKeyValueStore::open(const std::string& directory) {
  if (directory.empty()) return Error(Errc::config_invalid, "storage directory is empty");
  std::string dir = directory;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  // Create missing components, the last one private.
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), pos == dir.size() ? 0700 : 0755) != 0 && errno != EEXIST) {
      return Error(Errc::storage_io, "cannot create storage directory '" + part + "': " + std::strerror(errno));
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error(Errc::storage_io, "storage path '" + dir + "' is not a directory");
  }
  if (st.st_uid != ::geteuid()) {
    return Error(Errc::storage_permissions, "storage directory '" + dir + "' belongs to another user (uid " +
                                                std::to_string(st.st_uid) + "); it holds keys: use a directory of your own");
  }
  if (st.st_mode & 0077) {
    return Error(Errc::storage_permissions, "storage directory '" + dir + "' is open to other users (mode " +
                                                mode_text(st.st_mode) + "); it holds keys (Ks, TLS master secrets, the SQN "
                                                "state): check its files, then run: chmod 700 '" + dir + "'");
  }
  std::unique_ptr<FileKeyValueStore> store(new FileKeyValueStore(dir));
  store->remove_stale_temporaries();
  return store;
}

// A put() killed between creating and renaming its temporary file leaves
// ".KEY.tmp.PID.N" behind, holding the value (a TLS master secret, Ks). Such a
// file is removed when its writer is gone, or when it is older than any
// write could take (PIDs are reused).
void FileKeyValueStore::remove_stale_temporaries() const {
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return;
  const std::time_t now = std::time(nullptr);
  while (dirent* e = ::readdir(d)) {
    // Exactly what put() writes: "." KEY ".tmp." PID "." N, KEY a store key.
    const std::string name = e->d_name;
    const auto tmp = name.rfind(".tmp.");
    if (name.size() < 2 || name[0] != '.' || tmp == std::string::npos || tmp <= 1) continue;
    if (!valid_store_key(std::string_view(name).substr(1, tmp - 1))) continue;
    const std::string tail = name.substr(tmp + 5);  // PID.N
    const auto dot = tail.find('.');
    const auto all_digits = [](const std::string& t) {
      return !t.empty() && t.size() <= 10 && t.find_first_not_of("0123456789") == std::string::npos;
    };
    if (dot == std::string::npos || !all_digits(tail.substr(0, dot)) || !all_digits(tail.substr(dot + 1))) continue;
    const long pid = std::strtol(tail.substr(0, dot).c_str(), nullptr, 10);
    const std::string path = dir_ + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    const bool writer_gone = pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
    const bool too_old = now - st.st_mtime > kStaleTemporarySeconds;
    if (writer_gone || too_old) ::unlink(path.c_str());
  }
  ::closedir(d);
}

namespace {

SecretBytes sized(std::size_t n, SecretBytes*) { return SecretBytes(n); }
std::string sized(std::size_t n, std::string*) { return std::string(n, '\0'); }

// One reader for get() (secrets, wiped) and get_text() (documents, no copy).
template <class Buffer>
Result<Buffer> read_value(std::string_view key, const std::string& path) {
  Fd f;
  // O_NONBLOCK: a FIFO put in place of a value must not block the open.
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (f.fd < 0) {
    if (errno == ENOENT) return Error(Errc::storage_not_found, "no value stored under '" + std::string(key) + "'");
    if (errno == ELOOP) return Error(Errc::storage_permissions, "'" + path + "' is a symbolic link; refusing it");
    return Error(Errc::storage_io, "cannot open '" + path + "': " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return Error(Errc::storage_io, "cannot stat '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Error(Errc::storage_permissions, "'" + path + "' is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return Error(Errc::storage_permissions, "'" + path + "' belongs to another user; refusing it");
  }
  if (st.st_mode & 0077) {
    return Error(Errc::storage_permissions, "'" + path + "' is accessible to other users (mode " +
                                                mode_text(st.st_mode) +
                                                "); it may hold secrets: check it, then chmod 600 or delete it");
  }
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > kMaxValue) {
    return Error(Errc::storage_corrupt, "'" + path + "' is larger than 1 MiB");
  }
  Buffer out = sized(static_cast<std::size_t>(st.st_size), static_cast<Buffer*>(nullptr));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(f.fd, reinterpret_cast<unsigned char*>(out.data()) + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(Errc::storage_io, "cannot read '" + path + "': " + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got != out.size()) return Error(Errc::storage_io, "'" + path + "' changed size while being read");
  return out;
}

}  // namespace

Result<SecretBytes> FileKeyValueStore::get(std::string_view key) {
  if (!valid_store_key(key)) return bad_key(key);
  return read_value<SecretBytes>(key, path_of(key));
}

Result<std::string> FileKeyValueStore::get_text(std::string_view key) {
  if (!valid_store_key(key)) return bad_key(key);
  return read_value<std::string>(key, path_of(key));
}

Result<void> FileKeyValueStore::put(std::string_view key, ByteView value) {
  if (!valid_store_key(key)) return bad_key(key);
  if (value.size() > kMaxValue) return Error(Errc::limit_exceeded, "store values are limited to 1 MiB");
  const std::string path = path_of(key);
  const std::string tmp = dir_ + "/." + std::string(key) + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter_.fetch_add(1));
  Fd f;
  f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (f.fd < 0) return Error(Errc::storage_io, "cannot create '" + tmp + "': " + std::strerror(errno));
  auto fail = [&](const char* what) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Error(Errc::storage_io, std::string(what) + " '" + tmp + "': " + std::strerror(e));
  };
  if (::fchmod(f.fd, 0600) != 0) return fail("cannot chmod");
  std::size_t off = 0;
  while (off < value.size()) {
    ssize_t n = ::write(f.fd, value.data() + off, value.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(f.fd) != 0) return fail("cannot fsync");
  ::close(f.fd);
  f.fd = -1;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  Fd d;
  d.fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd >= 0) ::fsync(d.fd);  // make the rename durable; best effort
  return success();
}

Result<void> FileKeyValueStore::remove(std::string_view key) {
  if (!valid_store_key(key)) return bad_key(key);
  const std::string path = path_of(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Error(Errc::storage_io, "cannot delete '" + path + "': " + std::strerror(errno));
  }
  return success();
}

namespace {
class FlockStoreLock final : public StoreLock {
 public:
  explicit FlockStoreLock(int fd) : fd_(fd) {}
  ~FlockStoreLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};
}  // namespace

// flock() on ".KEY.lock": open file descriptions conflict with each other,
// so this excludes other processes and other threads of this one alike.
Result<std::unique_ptr<StoreLock>> FileKeyValueStore::lock(std::string_view key) {
  if (!valid_store_key(key)) return bad_key(key);
  const std::string path = dir_ + "/." + std::string(key) + ".lock";
  Fd f;
  f.fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (f.fd < 0) {
    if (errno == ELOOP) return Error(Errc::storage_permissions, "'" + path + "' is a symbolic link; refusing it");
    return Error(Errc::storage_io, "cannot open the lock file '" + path + "': " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(Errc::storage_permissions, "lock file '" + path + "' is not a regular file");
  }
  // Never an unbounded wait: a holder that stalls (stopped, debugged, a hung
  // file system) makes this an error the caller sees, not a hang.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(kLockWaitSeconds);
  while (::flock(f.fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Error(Errc::storage_io, "cannot lock '" + path + "': " + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= give_up) {
      return Error(Errc::storage_io, "'" + path + "' stayed locked by another process for " +
                                         std::to_string(kLockWaitSeconds) + " s; is another utkit user stuck?");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::unique_ptr<StoreLock> held(new FlockStoreLock(f.fd));
  f.fd = -1;
  return held;
}

void StderrLogSink::write(LogLevel level, std::string_view component, std::string_view message) {
  // Messages quote what servers sent (realms, reasons, URIs): escaped, so that
  // nothing reaches the terminal raw.
  const std::string text = printable_text(message);
  std::lock_guard<std::mutex> lock(mu_);
  (void)std::fprintf(stderr, "utkit %-5s %.*s: %s\n", to_string(level), static_cast<int>(component.size()),
                     component.data(), text.c_str());
}

}  // namespace utkit::posix
