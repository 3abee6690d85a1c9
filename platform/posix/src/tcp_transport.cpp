#include "utkit/posix/tcp_transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <chrono>
#include <cstring>

namespace utkit::posix {
namespace {

using Steady = std::chrono::steady_clock;

int remaining_ms(Steady::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
  if (left <= 0) return 0;
  return left > 0x7fffffff ? 0x7fffffff : static_cast<int>(left);
}

// poll() one fd until `events` or the deadline; EINTR restarts with the time left.
// Returns >0 ready, 0 timeout, <0 error (errno set).
int wait_fd(int fd, short events, Steady::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    return rc;
  }
}

std::string addr_text(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  port = ntohs(in6->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

// A non-blocking, close-on-exec TCP socket: in one call where the system
// has SOCK_NONBLOCK/SOCK_CLOEXEC (Linux, Android), else with fcntl (iOS,
// macOS). Where there is no MSG_NOSIGNAL but SO_NOSIGPIPE (Apple), a write
// to a closed peer is kept from raising SIGPIPE on the socket itself.
int open_socket(int family, int type, int protocol) {
#if defined(UTKIT_HAVE_SOCK_CLOEXEC)
  return ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
#else
  int fd = ::socket(family, type, protocol);
  if (fd < 0) return fd;
  const int fl = ::fcntl(fd, F_GETFL, 0);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
#if defined(UTKIT_HAVE_SO_NOSIGPIPE)
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
  return fd;
#endif
}

// send() that never raises SIGPIPE: MSG_NOSIGNAL (Linux), SO_NOSIGPIPE set
// on the socket (Apple), or else SIGPIPE blocked in this thread around the
// send and a SIGPIPE it raised taken back before unblocking (the way libcurl
// and OpenSSL's s_client do it), so an app's own SIGPIPE handling is left alone.
ssize_t send_no_sigpipe(int fd, const std::uint8_t* data, std::size_t len) {
#if defined(UTKIT_HAVE_MSG_NOSIGNAL)
  return ::send(fd, data, len, MSG_NOSIGNAL);
#elif defined(UTKIT_HAVE_SO_NOSIGPIPE)
  return ::send(fd, data, len, 0);
#else
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  const ssize_t n = ::send(fd, data, len, 0);
  const int e = errno;
  if (n < 0 && e == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = e;
  return n;
#endif
}

bool is_literal_address(const std::string& s) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, s.c_str(), &a4) == 1 || inet_pton(AF_INET6, s.c_str(), &a6) == 1;
}

// The write end of a self-pipe, as a cancel token's waiter: fire() writes a
// byte, and the poll() that has the read end in its set returns at once.
struct PipeWaiter final : CancelToken::Waiter {
  explicit PipeWaiter(int write_end) : fd(write_end) {}
  void wake() override {
    const char b = 1;
    while (::write(fd, &b, 1) < 0 && errno == EINTR) {
    }
  }
  int fd;
};

int open_pipe(int fds[2]) {
#if defined(UTKIT_HAVE_SOCK_CLOEXEC)
  return ::pipe2(fds, O_NONBLOCK | O_CLOEXEC);
#else
  if (::pipe(fds) != 0) return -1;
  for (int i = 0; i < 2; ++i) {
    const int fl = ::fcntl(fds[i], F_GETFL, 0);
    if (fl < 0 || ::fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) != 0 || ::fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
      const int e = errno;
      ::close(fds[0]);
      ::close(fds[1]);
      fds[0] = fds[1] = -1;
      errno = e;
      return -1;
    }
  }
  return 0;
#endif
}

}  // namespace

Result<void> ResolveOverrides::add(const std::string& host_port, const std::string& address) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    return Error(Errc::config_invalid, "resolve entry '" + host_port + "' must be 'name:port'");
  }
  for (std::size_t i = colon + 1; i < host_port.size(); ++i) {
    if (host_port[i] < '0' || host_port[i] > '9') {
      return Error(Errc::config_invalid, "resolve entry '" + host_port + "' has a non-numeric port");
    }
  }
  if (!is_literal_address(address)) {
    return Error(Errc::config_invalid,
                 "resolve entry '" + host_port + "' must map to a literal IP address, not '" + address + "'");
  }
  map_[host_port] = address;
  return success();
}

const std::string* ResolveOverrides::find(const std::string& host, std::uint16_t port) const {
  auto it = map_.find(host + ":" + std::to_string(port));
  return it == map_.end() ? nullptr : &it->second;
}

TcpTransport::~TcpTransport() {
  close();
  for (int& fd : wake_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

int TcpTransport::wait(int fd, short events, Steady::time_point deadline) {
  if (cancel_ == nullptr) return wait_fd(fd, events, deadline);
  if (wake_[0] < 0 && open_pipe(wake_) != 0) return -1;
  char drain[16];
  while (::read(wake_[0], drain, sizeof drain) > 0) {
  }
  PipeWaiter waiter(wake_[1]);
  CancelWait registered(cancel_, waiter);
  if (registered.fired_before()) {
    errno = ECANCELED;
    return -1;
  }
  for (;;) {
    pollfd p[2] = {{fd, events, 0}, {wake_[0], POLLIN, 0}};
    const int rc = ::poll(p, 2, remaining_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc > 0 && (p[1].revents != 0 || cancel_->fired())) {
      errno = ECANCELED;
      return -1;
    }
    return rc;
  }
}

bool TcpTransport::idle_clean() {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  int rc;
  while ((rc = ::poll(&p, 1, 0)) < 0 && errno == EINTR) {
  }
  if (rc == 0) return true;  // nothing waiting, no EOF, no error
  // Readable: a stray byte or an EOF; either way the stream is not idle.
  return false;
}

void TcpTransport::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

namespace {

// getaddrinfo() has no timeout of its own and may wait on DNS for tens of
// seconds: run it on a helper thread and stop waiting at the deadline. The
// helper owns its share of the state and frees the list if nobody waits.
struct PendingLookup {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  bool abandoned = false;
  bool woken = false;  // the cancel token fired
  int gai = 0;
  addrinfo* list = nullptr;
};

// Wakes the thread that waits for a name lookup when the token fires.
struct LookupWaiter final : CancelToken::Waiter {
  explicit LookupWaiter(PendingLookup& pending) : state(pending) {}
  void wake() override {
    std::lock_guard<std::mutex> lock(state.mu);
    state.woken = true;
    state.done_cv.notify_all();
  }
  PendingLookup& state;
};

int resolve_by(ResolveOverrides::Lookup lookup, const std::string& host, const std::string& port,
               const addrinfo& hints, Steady::time_point deadline, const CancelToken* cancel, addrinfo** out,
               bool& timed_out) {
  timed_out = false;
  if (lookup == nullptr) lookup = &::getaddrinfo;
  if (hints.ai_flags & AI_NUMERICHOST) return ::getaddrinfo(host.c_str(), port.c_str(), &hints, out);
  auto state = std::make_shared<PendingLookup>();
  std::thread([state, lookup, host, port, hints] {
    addrinfo* list = nullptr;
    const int gai = lookup(host.c_str(), port.c_str(), &hints, &list);
    std::lock_guard<std::mutex> lock(state->mu);
    if (state->abandoned) {
      if (gai == 0) ::freeaddrinfo(list);
      return;
    }
    state->gai = gai;
    state->list = list;
    state->done = true;
    state->done_cv.notify_all();
  }).detach();
  // Registered before the lock is taken and removed after it is released:
  // fire() takes the token's lock, then state->mu.
  LookupWaiter waiter(*state);
  CancelWait registered(cancel, waiter);
  std::unique_lock<std::mutex> lock(state->mu);
  if (registered.fired_before()) state->woken = true;
  while (!state->done) {
    state->done_cv.wait_until(lock, deadline, [&] { return state->done || state->woken; });
    if (state->done) break;
    if (state->woken || Steady::now() >= deadline) {
      state->abandoned = true;
      timed_out = true;
      return EAI_AGAIN;
    }
  }
  *out = state->list;
  return state->gai;
}

}  // namespace

Result<void> TcpTransport::connect(const Endpoint& to, Millis timeout) {
  close();
  if (cancel_ != nullptr && cancel_->fired()) return cancelled_error(*cancel_, "connecting to " + to.host);
  const auto deadline = Steady::now() + timeout;
  std::string host = to.host;
  if (overrides_ != nullptr) {
    if (const std::string* pinned = overrides_->find(to.host, to.port)) host = *pinned;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  if (is_literal_address(host)) hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(to.port);
  bool timed_out = false;
  int gai = resolve_by(overrides_ ? overrides_->lookup() : nullptr, host, port, hints, deadline, cancel_, &list,
                       timed_out);
  if (timed_out && cancel_ != nullptr && cancel_->fired()) return cancelled_error(*cancel_, "connecting to " + to.host);
  if (timed_out) {
    return Error(Errc::net_timeout, "resolving '" + to.host + "' took longer than " + std::to_string(timeout.count()) +
                                        " ms (check DNS, or pin the name with a resolve override)");
  }
  if (gai != 0) {
    return Error(Errc::net_resolve, "cannot resolve '" + to.host + "': " + gai_strerror(gai) +
                                        " (check the name, or pin it with a resolve override)");
  }
  Errc last_code = Errc::net_unreachable;
  std::string last_why = "no address";
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    int fd = open_socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      last_code = Errc::net_io;
      last_why = std::string("socket(): ") + std::strerror(errno);
      continue;
    }
    std::string where = addr_text(ai->ai_addr);
    if (hook_) {
      auto hooked = hook_(fd);
      if (!hooked) {
        ::close(fd);
        ::freeaddrinfo(list);
        return std::move(hooked).error().with_context("the socket hook refused the socket for " + where);
      }
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (rc != 0 && err == EINPROGRESS) {
      int w = wait(fd, POLLOUT, deadline);
      if (w < 0 && errno == ECANCELED) {
        ::close(fd);
        ::freeaddrinfo(list);
        return cancelled_error(*cancel_, "connecting to " + to.host);
      }
      if (w == 0) {
        ::close(fd);
        last_code = Errc::net_timeout;
        last_why = "no answer from " + where + " within " + std::to_string(timeout.count()) + " ms";
        break;  // the overall deadline has passed
      }
      socklen_t len = sizeof err;
      if (w < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    }
    if (err == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      peer_ = where;
      ::freeaddrinfo(list);
      return success();
    }
    ::close(fd);
    if (err == ECONNREFUSED) {
      last_code = Errc::net_connect_refused;
      last_why = where + " refused the connection (nothing listening?)";
    } else if (err == ENETUNREACH || err == EHOSTUNREACH) {
      last_code = Errc::net_unreachable;
      last_why = where + " is unreachable";
    } else if (err == ETIMEDOUT) {
      last_code = Errc::net_timeout;
      last_why = "connecting to " + where + " timed out";
    } else {
      last_code = Errc::net_io;
      last_why = "connect to " + where + ": " + std::strerror(err);
    }
    if (remaining_ms(deadline) == 0) {
      last_code = Errc::net_timeout;
      break;
    }
  }
  ::freeaddrinfo(list);
  return Error(last_code, "cannot connect to " + to.to_string() + ": " + last_why);
}

Result<std::size_t> TcpTransport::read(std::uint8_t* buf, std::size_t cap, Millis timeout) {
  if (fd_ < 0) return Error(Errc::net_not_connected, "read on a closed connection");
  if (cancel_ != nullptr && cancel_->fired()) return cancelled_error(*cancel_, "reading from " + peer_);
  const auto deadline = Steady::now() + timeout;
  for (;;) {
    ssize_t n = ::recv(fd_, buf, cap, 0);
    if (n >= 0) {
      stats_.bytes_read += static_cast<std::uint64_t>(n);
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      int e = errno;
      return Error(e == ECONNRESET ? Errc::net_peer_closed : Errc::net_io,
                   "read from " + peer_ + ": " + std::strerror(e));
    }
    int w = wait(fd_, POLLIN, deadline);
    if (w == 0) {
      return Error(Errc::net_timeout, "no data from " + peer_ + " within " + std::to_string(timeout.count()) + " ms");
    }
    if (w < 0 && errno == ECANCELED) return cancelled_error(*cancel_, "reading from " + peer_);
    if (w < 0) return Error(Errc::net_io, std::string("poll: ") + std::strerror(errno));
  }
}

Result<void> TcpTransport::write(ByteView data, Millis timeout) {
  if (fd_ < 0) return Error(Errc::net_not_connected, "write on a closed connection");
  if (cancel_ != nullptr && cancel_->fired()) return cancelled_error(*cancel_, "sending to " + peer_);
  const auto deadline = Steady::now() + timeout;
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send_no_sigpipe(fd_, data.data() + off, data.size() - off);
    if (n >= 0) {
      off += static_cast<std::size_t>(n);
      stats_.bytes_written += static_cast<std::uint64_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE || errno == ECONNRESET) {
      return Error(Errc::net_peer_closed, peer_ + " closed the connection while we were sending");
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Error(Errc::net_io, "write to " + peer_ + ": " + std::strerror(errno));
    }
    int w = wait(fd_, POLLOUT, deadline);
    if (w < 0 && errno == ECANCELED) return cancelled_error(*cancel_, "sending to " + peer_);
    if (w == 0) {
      return Error(Errc::net_timeout, "could not send to " + peer_ + " within " + std::to_string(timeout.count()) +
                                          " ms (" + std::to_string(off) + " of " + std::to_string(data.size()) +
                                          " bytes sent)");
    }
    if (w < 0) return Error(Errc::net_io, std::string("poll: ") + std::strerror(errno));
  }
  return success();
}

const char* compiled_paths() {
  return "entropy="
#if defined(UTKIT_HAVE_GETRANDOM)
         "getrandom"
#elif defined(UTKIT_HAVE_GETENTROPY)
         "getentropy"
#else
         "dev_urandom"
#endif
         " sigpipe="
#if defined(UTKIT_HAVE_MSG_NOSIGNAL)
         "msg_nosignal"
#elif defined(UTKIT_HAVE_SO_NOSIGPIPE)
         "so_nosigpipe"
#else
         "sigmask"
#endif
         " socket="
#if defined(UTKIT_HAVE_SOCK_CLOEXEC)
         "sock_cloexec";
#else
         "fcntl";
#endif
}

}  // namespace utkit::posix
