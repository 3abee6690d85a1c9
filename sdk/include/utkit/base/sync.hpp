// utkit/base/sync.hpp — mutual exclusion and waiting, from the platform.
//
// The SDK guards its shared state (the bootstrapping context, the DRBG, the
// redactor, the software USIM, caches) with utkit::Mutex and waits (retry
// back-off) with utkit::sleep_for. What they are is chosen when the SDK is
// built (UTKIT_THREADS in the generated utkit/build_config.h):
//
//   UTKIT_THREADS=1 (default)  std::mutex and std::this_thread::sleep_for;
//                              the cold start runs Ub on a second thread.
//   UTKIT_THREADS=0            a bare-metal build without C++ threads (newlib
//                              on a Cortex-M has none): one task uses the SDK
//                              at a time, Mutex does nothing, sleep_for calls
//                              the platform's utkit_platform_sleep_ms, and the
//                              cold start runs Ub and the NAF connection in
//                              turn (same results, more round trips). Not for
//                              several RTOS tasks at once: shared_ptr counts
//                              and function statics are not thread-safe there.
#pragma once

#include <cstdint>

#include "utkit/base/clock.hpp"
#include "utkit/build_config.h"

#if UTKIT_THREADS
#include <mutex>
#include <thread>
#else
extern "C" {
// Provided by the platform when UTKIT_THREADS=0.
void utkit_platform_sleep_ms(std::uint32_t ms);
}
#endif

namespace utkit {

class Mutex {
 public:
#if UTKIT_THREADS
  Mutex() = default;
  void lock() { m_.lock(); }
  bool try_lock() { return m_.try_lock(); }
  void unlock() { m_.unlock(); }
#else
  Mutex() = default;
  void lock() {}
  bool try_lock() { return true; }
  void unlock() {}
#endif
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

 private:
#if UTKIT_THREADS
  std::mutex m_;
#endif
};

// Holds a Mutex for a scope.
class ScopedLock {
 public:
  explicit ScopedLock(Mutex& m) : m_(m) { m_.lock(); }
  ~ScopedLock() { m_.unlock(); }
  ScopedLock(const ScopedLock&) = delete;
  ScopedLock& operator=(const ScopedLock&) = delete;

 private:
  Mutex& m_;
};

// A movable hold on a Mutex, taken at once or only if free.
class UniqueLock {
 public:
  UniqueLock() = default;
  explicit UniqueLock(Mutex& m) : m_(&m), owns_(true) { m.lock(); }
  static UniqueLock try_to_lock(Mutex& m) {
    UniqueLock l;
    if (m.try_lock()) {
      l.m_ = &m;
      l.owns_ = true;
    }
    return l;
  }
  ~UniqueLock() {
    if (owns_) m_->unlock();
  }
  UniqueLock(UniqueLock&& o) noexcept : m_(o.m_), owns_(o.owns_) { o.owns_ = false; }
  UniqueLock& operator=(UniqueLock&& o) noexcept {
    if (this != &o) {
      if (owns_) m_->unlock();
      m_ = o.m_;
      owns_ = o.owns_;
      o.owns_ = false;
    }
    return *this;
  }
  UniqueLock(const UniqueLock&) = delete;
  UniqueLock& operator=(const UniqueLock&) = delete;
  bool owns_lock() const { return owns_; }

 private:
  Mutex* m_ = nullptr;
  bool owns_ = false;
};

inline void sleep_for(Millis d) {
  if (d.count() <= 0) return;
#if UTKIT_THREADS
  std::this_thread::sleep_for(d);
#else
  utkit_platform_sleep_ms(static_cast<std::uint32_t>(d.count() > 0xffffffffLL ? 0xffffffffLL : d.count()));
#endif
}

}  // namespace utkit
