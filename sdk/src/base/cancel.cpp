#include "utkit/base/cancel.hpp"

#include "text.hpp"

namespace utkit {

void CancelToken::fire(Errc reason) const {
  Lock lock(mu_);
  if (fired_.load(std::memory_order_relaxed)) return;
  reason_.store(static_cast<std::uint16_t>(reason), std::memory_order_relaxed);
  fired_.store(true, std::memory_order_release);
  // Under the lock: a waiter removes itself (taking the lock) before it is
  // destroyed, so none is woken after it has gone.
  for (Waiter* w = waiters_; w != nullptr; w = w->next_) w->wake();
#if UTKIT_THREADS
  cv_.notify_all();
#endif
}

void CancelToken::reset() const {
  Lock lock(mu_);
  fired_.store(false, std::memory_order_release);
  reason_.store(static_cast<std::uint16_t>(Errc::cancelled), std::memory_order_relaxed);
}

bool CancelToken::add(Waiter& w) const {
  Lock lock(mu_);
  if (fired_.load(std::memory_order_relaxed)) return false;
  w.next_ = waiters_;
  waiters_ = &w;
  return true;
}

void CancelToken::remove(Waiter& w) const {
  Lock lock(mu_);
  for (Waiter** p = &waiters_; *p != nullptr; p = &(*p)->next_) {
    if (*p == &w) {
      *p = w.next_;
      w.next_ = nullptr;
      return;
    }
  }
}

bool CancelToken::sleep_for(Millis d) const {
#if UTKIT_THREADS
  if (d.count() <= 0) return fired();
  Lock lock(mu_);
  return cv_.wait_for(lock, d, [this] { return fired_.load(std::memory_order_acquire); });
#else
  // One task, nothing else can fire it while we sleep.
  if (fired()) return true;
  utkit::sleep_for(d);
  return fired();
#endif
}

Error cancelled_error(const CancelToken& token, std::string_view what) {
  const bool moved = token.reason() == Errc::net_changed;
  return make_error(token.reason(), "{} was {}",
                    {what, (moved ? "stopped: the network changed or went away (call again on the new one)" : "cancelled")});
}

}  // namespace utkit
