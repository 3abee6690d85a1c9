// utkit/base/sync.hpp — mutual exclusion and waiting, from the platform.
//
// The SDK guards its shared state (the bootstrapping context, the DRBG, the
// redactor, the software USIM, caches) with utkit::Mutex and waits (retry
// back-off) with utkit::sleep_for. What they are is chosen when the SDK is
// built, and UTKIT_THREADS must be the same for the SDK and its users (the
// CMake target carries it):
//
//   UTKIT_THREADS=1 (default)  std::mutex and std::this_thread::sleep_for;
//                              the cold start runs Ub on a second thread.
//   UTKIT_THREADS=0            no C++ threads (newlib on a Cortex-M). Mutex
//                              is a no-op (one task uses the SDK), or, with
//                              UTKIT_MUTEX_HOOKS=1, the platform's mutex (an
//                              RTOS) through the C functions below; sleep_for
//                              calls utkit_platform_sleep_ms; the cold start
//                              runs Ub and the NAF connection one after the
//                              other (same results, more round trips).
#pragma once

#include <cstdint>

#include "utkit/base/clock.hpp"

#ifndef UTKIT_THREADS
#define UTKIT_THREADS 1
#endif
#ifndef UTKIT_MUTEX_HOOKS
#define UTKIT_MUTEX_HOOKS 0
#endif

#if UTKIT_THREADS
#include <mutex>
#include <thread>
#else
extern "C" {
// Provided by the platform when UTKIT_THREADS=0.
void utkit_platform_sleep_ms(std::uint32_t ms);
#if UTKIT_MUTEX_HOOKS
// An RTOS mutex (FreeRTOS: xSemaphoreCreateMutex, ...). create returns null
// when there is no memory; the SDK then runs without that lock.
void* utkit_platform_mutex_create(void);
void utkit_platform_mutex_destroy(void* m);
void utkit_platform_mutex_lock(void* m);
int utkit_platform_mutex_try_lock(void* m);  // 1 when taken
void utkit_platform_mutex_unlock(void* m);
#endif
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
#elif UTKIT_MUTEX_HOOKS
  Mutex() : h_(utkit_platform_mutex_create()) {}
  ~Mutex() {
    if (h_ != nullptr) utkit_platform_mutex_destroy(h_);
  }
  void lock() {
    if (h_ != nullptr) utkit_platform_mutex_lock(h_);
  }
  bool try_lock() { return h_ == nullptr || utkit_platform_mutex_try_lock(h_) == 1; }
  void unlock() {
    if (h_ != nullptr) utkit_platform_mutex_unlock(h_);
  }
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
#elif UTKIT_MUTEX_HOOKS
  void* h_;
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
