// utkit/posix/tcp_transport.hpp — TCP Transport on POSIX sockets.
//
// getaddrinfo (IPv4 and IPv6, every address tried in order), non-blocking
// connect bounded by the timeout, poll()-bounded reads and writes, TCP_NODELAY.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "utkit/base/transport.hpp"

struct addrinfo;  // <netdb.h>

namespace utkit::posix {

// Pins "host:port" to an address, like curl's --resolve, so tests and demos
// can use real host names (TLS SNI and certificate checks see the name) while
// connecting to loopback.
class ResolveOverrides {
 public:
  // The name lookup: getaddrinfo(3) unless replaced (tests use a slow one to
  // check that a connect's deadline bounds it).
  using Lookup = int (*)(const char* host, const char* port, const ::addrinfo* hints, ::addrinfo** out);
  void set_lookup(Lookup fn) { lookup_ = fn; }
  Lookup lookup() const { return lookup_; }

  // `host_port` is "name:port"; `address` a literal IPv4/IPv6 address.
  Result<void> add(const std::string& host_port, const std::string& address);
  // The pinned address for (host, port), or nullptr.
  const std::string* find(const std::string& host, std::uint16_t port) const;
  bool empty() const { return map_.empty(); }

 private:
  std::map<std::string, std::string> map_;
  Lookup lookup_ = nullptr;
};

// Called with each new socket, after it is made and before it connects: an
// Android app binds it to the XCAP network here (Network.bindSocket), or
// marks it for a VPN. An error stops the connect with that error.
using SocketHook = std::function<Result<void>(int fd)>;

class TcpTransport final : public Transport {
 public:
  // `overrides` may be null; when set it must outlive the transport.
  explicit TcpTransport(const ResolveOverrides* overrides = nullptr, SocketHook hook = {})
      : overrides_(overrides), hook_(std::move(hook)) {}
  ~TcpTransport() override;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  Result<void> connect(const Endpoint& to, Millis timeout) override;
  void set_cancel(const CancelToken* token) override { cancel_ = token; }
  Result<std::size_t> read(std::uint8_t* buf, std::size_t cap, Millis timeout) override;
  Result<void> write(ByteView data, Millis timeout) override;
  void close() override;
  bool is_open() const override { return fd_ >= 0; }
  bool idle_clean() override;
  TransportStats stats() const override { return stats_; }

  // The address actually connected to ("127.0.0.1:8443"), for logs.
  const std::string& peer() const { return peer_; }

 private:
  const ResolveOverrides* overrides_;
  SocketHook hook_;
  // Waits for `events` on fd (or the cancel token), until `deadline`.
  // Returns >0 ready, 0 timeout, <0 error with errno (ECANCELED: the token fired).
  int wait(int fd, short events, std::chrono::steady_clock::time_point deadline);

  const CancelToken* cancel_ = nullptr;
  int wake_[2] = {-1, -1};  // self-pipe a fired token writes to (made on first use)
  int fd_ = -1;
  std::string peer_;
  TransportStats stats_;
};

// Makes TcpTransports that share one set of resolve overrides.
class TcpTransportFactory final : public TransportFactory {
 public:
  explicit TcpTransportFactory(const ResolveOverrides* overrides = nullptr, SocketHook hook = {})
      : overrides_(overrides), hook_(std::move(hook)) {}
  std::unique_ptr<Transport> create() override { return std::make_unique<TcpTransport>(overrides_, hook_); }

 private:
  const ResolveOverrides* overrides_;
  SocketHook hook_;
};

// Which of the platform's system-call paths this build compiled, e.g.
// "entropy=getrandom sigpipe=msg_nosignal socket=sock_cloexec". The
// fallbacks (getentropy or /dev/urandom; SO_NOSIGPIPE or a blocked SIGPIPE
// per write; fcntl after socket()) are for systems that lack the Linux
// calls (iOS, macOS, old Android), and are built on Linux with
// UTKIT_POSIX_PORTABLE=ON so that the tests run them.
const char* compiled_paths();

}  // namespace utkit::posix
