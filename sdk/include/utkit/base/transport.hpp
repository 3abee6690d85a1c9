// utkit/base/transport.hpp — the Transport platform interface: a byte stream.
//
// platform/posix provides TCP; the tls module provides a Transport over
// another Transport, so HTTP does not know whether it talks TLS.
#pragma once

#include <atomic>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "utkit/base/bytes.hpp"
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

  // A flag that, once set, ends the next connect() early with `cancelled`
  // (name lookup and the TCP handshake included); nullptr removes it. The
  // flag must outlive the connect(). The default ignores it: such a connect
  // still ends at its timeout.
  virtual void set_connect_cancel(const std::atomic<bool>* flag) { (void)flag; }

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
