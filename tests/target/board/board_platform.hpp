// What a utkit firmware gives the core on this board (tests/target):
//   PipeTransportFactory  a byte stream per connection. The MCU has no IP
//                         stack; like a cellular module's socket service,
//                         something else does TCP. Here that is the host:
//                         two named pipes per connection, reached through
//                         semihosting, and tests/netsim's pipe-relay on the
//                         other end, which connects to netsim on loopback.
//   BoardClock            SysTick milliseconds; the wall clock is the host's
//                         time at reset plus those.
//   HostEntropy           the host's /dev/urandom through semihosting (a
//                         real board reads its TRNG here).
#pragma once

#include <memory>
#include <string>

#include "utkit/base/clock.hpp"
#include "utkit/base/random.hpp"
#include "utkit/base/transport.hpp"

namespace board {

// The pipes of connection N are DIR/c2s.N (written here) and DIR/s2c.N (read
// here), N in 0..slots-1, used in turn. Reading blocks until the relay has
// bytes: the read timeout cannot be honoured through semihosting, so a
// silent server ends the test at its outer timeout.
class PipeTransportFactory final : public utkit::TransportFactory {
 public:
  PipeTransportFactory(std::string dir, int slots) : dir_(std::move(dir)), slots_(slots) {}
  std::unique_ptr<utkit::Transport> create() override;
  int connections() const { return next_; }

 private:
  friend class PipeTransport;
  std::string dir_;
  int slots_;
  int next_ = 0;
};

class BoardClock final : public utkit::Clock {
 public:
  utkit::MonoTime monotonic_now() const override;
  utkit::WallTime wall_now() const override;
};

class HostEntropy final : public utkit::EntropySource {
 public:
  utkit::Result<void> gather(std::uint8_t* out, std::size_t len) override;
};

// A whole host file through semihosting ("" and an error when unreadable).
utkit::Result<std::string> read_host_file(const std::string& path);

}  // namespace board
