// utkit/base/clock.hpp — the Clock platform interface, and a manual clock.
#pragma once

#include <atomic>
#include <chrono>

namespace utkit {

using Millis = std::chrono::milliseconds;
using MonoTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // For timeouts and durations: never jumps.
  virtual MonoTime monotonic_now() const = 0;
  // For expiry dates (B-TID lifetime, TLS session age, certificates).
  virtual WallTime wall_now() const = 0;
};

// A clock that moves only when told: for tests, and for embedders that feed
// time from their own source. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime wall = WallTime{} + std::chrono::hours(24 * 365 * 50))
      : wall_ns_(wall.time_since_epoch().count()) {}

  MonoTime monotonic_now() const override { return MonoTime{} + std::chrono::nanoseconds(mono_ns_.load()); }
  WallTime wall_now() const override { return WallTime{} + WallTime::duration(wall_ns_.load()); }

  // Moves both clocks forward.
  void advance(std::chrono::nanoseconds d) {
    mono_ns_ += d.count();
    wall_ns_ += std::chrono::duration_cast<WallTime::duration>(d).count();
  }
  // Sets the wall clock only (as a user changing the phone's date would).
  void set_wall(WallTime t) { wall_ns_ = t.time_since_epoch().count(); }

 private:
  std::atomic<long long> mono_ns_{0};
  std::atomic<long long> wall_ns_;
};

}  // namespace utkit
