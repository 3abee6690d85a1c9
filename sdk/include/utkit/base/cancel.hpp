// utkit/base/cancel.hpp — cancellation that wakes a blocked call at once.
//
// A CancelToken is fired from any thread (an app's cancel button, the C
// API's ut_cancel_fire, a session closing, the network going away). Every
// wait inside the SDK and its platform is registered on the token of its
// operation while it blocks, and fire() wakes it: a TCP transport waiting in
// poll() (posix: a self-pipe in the poll set), a thread waiting for a name
// lookup, a back-off sleep. Nothing polls the token in slices.
//
//   CancelToken cancel;                        // outlives the calls it is given to
//   session.buddies({}, {10s, &cancel});        // on a worker thread
//   cancel.fire();                              // from any thread: the call ends with Errc::cancelled
//
// The reason travels with the token: a session that drops its calls because
// the network changed fires with Errc::net_changed, so the caller can tell it
// from a user's cancel.
#pragma once

#include <atomic>

#include "utkit/base/clock.hpp"
#include "utkit/base/error.hpp"
#include "utkit/base/sync.hpp"

#if UTKIT_THREADS
#include <condition_variable>
#include <mutex>
#endif

namespace utkit {

class CancelToken {
 public:
  // What a blocked wait registers while it blocks. wake() is called from the
  // firing thread, with the token's lock held: it must only signal (write a
  // byte to a pipe, notify a condition variable), never block or call back
  // into the token.
  class Waiter {
   public:
    virtual void wake() = 0;

   protected:
    Waiter() = default;
    ~Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;

   private:
    friend class CancelToken;
    Waiter* next_ = nullptr;
  };

  CancelToken() = default;
  ~CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Fires the token (once; later calls keep the first reason) and wakes every
  // registered waiter. Thread-safe.
  void fire(Errc reason = Errc::cancelled) const;
  // Makes a fired token usable again (between calls, never during one).
  void reset() const;
  bool fired() const { return fired_.load(std::memory_order_acquire); }
  // Errc::cancelled unless fired with another reason.
  Errc reason() const { return static_cast<Errc>(reason_.load(std::memory_order_acquire)); }

  // Registers `w` until remove(w). Returns false, registering nothing, when
  // the token has already fired (the caller must not block then).
  bool add(Waiter& w) const;
  void remove(Waiter& w) const;

  // Sleeps for `d`, or until the token fires; true when it fired.
  bool sleep_for(Millis d) const;

 private:
  mutable std::atomic<bool> fired_{false};
  mutable std::atomic<std::uint16_t> reason_{static_cast<std::uint16_t>(Errc::cancelled)};
  mutable Waiter* waiters_ = nullptr;
#if UTKIT_THREADS
  // std::mutex and std::condition_variable allocate nothing (a token is
  // made inside the C API's nothrow allocations).
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  using Lock = std::unique_lock<std::mutex>;
#else
  mutable Mutex mu_;
  using Lock = ScopedLock;
#endif
};

// Registers a waiter on a token (which may be null) for a scope.
class CancelWait {
 public:
  CancelWait(const CancelToken* token, CancelToken::Waiter& w)
      : token_(token), w_(w), added_(token != nullptr && token->add(w)) {}
  ~CancelWait() {
    if (added_) token_->remove(w_);
  }
  CancelWait(const CancelWait&) = delete;
  CancelWait& operator=(const CancelWait&) = delete;
  // True when the token had fired before the wait began.
  bool fired_before() const { return token_ != nullptr && !added_; }

 private:
  const CancelToken* token_;
  CancelToken::Waiter& w_;
  bool added_;
};

// Fires `child` with the parent's reason when `parent` fires, for as long as
// the link lives: an operation's own token follows the caller's and the
// session's. Either may be null.
class CancelLink final : private CancelToken::Waiter {
 public:
  CancelLink(const CancelToken* parent, const CancelToken& child) : parent_(parent), child_(child) {
    if (parent_ != nullptr && !parent_->add(*this)) child_.fire(parent_->reason());
  }
  ~CancelLink() {
    if (parent_ != nullptr) parent_->remove(*this);
  }

 private:
  void wake() override { child_.fire(parent_->reason()); }
  const CancelToken* parent_;
  const CancelToken& child_;
};

// The error a cancelled wait returns: `what` names the call ("GET /x").
Error cancelled_error(const CancelToken& token, std::string_view what);

}  // namespace utkit
