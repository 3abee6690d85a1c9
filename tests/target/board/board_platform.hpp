// What a utkit firmware gives the core on this board (tests/target):
//   PipeTransportFactory  a byte stream per connection. The MCU has no IP
//                         stack; like a cellular module's socket service,
//                         something else does TCP. Here that is the host:
//                         two named pipes per connection, reached through
//                         semihosting, and tests/netsim's pipe-relay on the
//                         other end, which connects to netsim on loopback.
//   BoardClock            the host's elapsed time (semihosting SYS_ELAPSED:
//                         a semihosting call stops the CPU, and SysTick
//                         would lose those ticks); the wall clock is the
//                         host's time at reset plus that.
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
// here); N counts connections from 0, and each pair carries one connection
// only (the relay makes `slots` pairs), so bytes of a closed connection can
// never reach a new one. More connections than pairs: net_unreachable.
// Reading blocks until the relay has bytes: the read timeout cannot be
// honoured through semihosting, so a silent server ends the test at its
// outer timeout.
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

// A whole host file through semihosting; an error when it cannot be opened
// or is empty (QEMU reports a failed read as the end of the file).
utkit::Result<std::string> read_host_file(const std::string& path);

}  // namespace board
