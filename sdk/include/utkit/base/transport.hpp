// utkit/base/transport.hpp — the Transport platform interface: a byte stream.
//
// platform/posix provides TCP; the tls module provides a Transport over
// another Transport, so HTTP does not know whether it talks TLS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "utkit/base/bytes.hpp"
#include "utkit/base/cancel.hpp"
#include "utkit/base/clock.hpp"
#include "utkit/base/result.hpp"

namespace utkit {

struct Endpoint {
  std::string host;  // DNS name or literal address (IPv6 without brackets)
  std::uint16_t port = 0;

  std::string to_string() const;  // "host:port", "[::1]:443"
};

struct TransportStats {
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Opens the stream. Errors: net_resolve, net_connect_refused,
  // net_unreachable, net_timeout (the whole connect, all addresses tried).
  virtual Result<void> connect(const Endpoint& to, Millis timeout) = 0;

  // A token that, once fired, ends the connect(), read() or write() in
  // progress (or the next one) at once with the token's reason (Errc::cancelled,
  // or Errc::net_changed): name lookup and the TCP handshake included. A
  // transport wakes its blocked wait for this (posix: a self-pipe in the poll
  // set), it does not poll the token. nullptr removes it; the token must
  // outlive its use. The default ignores it: a call then still ends at its
  // timeout. A transport over another one passes it down.
  virtual void set_cancel(const CancelToken* token) { (void)token; }

  // Reads at most `cap` bytes, waiting at most `timeout` for the first byte.
  // Returns the count read; 0 means the peer closed the stream in order.
  // Errors: net_timeout, net_io, net_not_connected.
  virtual Result<std::size_t> read(std::uint8_t* buf, std::size_t cap, Millis timeout) = 0;

  // Writes all of `data` within `timeout`. Errors: net_timeout,
  // net_peer_closed, net_io, net_not_connected.
  virtual Result<void> write(ByteView data, Millis timeout) = 0;

  // Idempotent.
  virtual void close() = 0;
  virtual bool is_open() const = 0;

  // For a kept-alive connection about to carry a new request: true when it
  // is open, nothing has arrived since the last response and the peer has
  // not closed it. A byte waiting (a stray or late response, a TLS alert) or
  // an EOF means it must not be reused. Never blocks. The default can only
  // say whether it is open.
  virtual bool idle_clean() { return is_open(); }

  // Bytes carried by this transport since it was created.
  virtual TransportStats stats() const = 0;
};

// Makes unconnected Transports (TCP on POSIX): what clients use to open
// connections without knowing the platform.
class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  virtual std::unique_ptr<Transport> create() = 0;
};

}  // namespace utkit
