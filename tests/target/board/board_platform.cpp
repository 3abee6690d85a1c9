#include "board_platform.hpp"

#include "board.h"

namespace board {
namespace {

using utkit::Errc;
using utkit::Error;

// Semihosting open modes (ARM semihosting specification, SYS_OPEN).
constexpr int kModeReadBinary = 1;
constexpr int kModeWriteBinary = 5;

int sh_open(const std::string& path, int mode) {
  struct {
    const char* name;
    int mode;
    int len;
  } block = {path.c_str(), mode, static_cast<int>(path.size())};
  return board_semihost(SH_OPEN, &block);
}

void sh_close(int fd) {
  struct {
    int fd;
  } block = {fd};
  board_semihost(SH_CLOSE, &block);
}

// Bytes read (0: end of file), or -1.
long sh_read(int fd, std::uint8_t* buf, std::size_t len) {
  struct {
    int fd;
    void* buf;
    std::size_t len;
  } block = {fd, buf, len};
  const int not_read = board_semihost(SH_READ, &block);
  if (not_read < 0 || static_cast<std::size_t>(not_read) > len) return -1;
  return static_cast<long>(len - static_cast<std::size_t>(not_read));
}

bool sh_write_all(int fd, const std::uint8_t* data, std::size_t len) {
  while (len > 0) {
    struct {
      int fd;
      const void* buf;
      std::size_t len;
    } block = {fd, data, len};
    const int not_written = board_semihost(SH_WRITE, &block);
    if (not_written < 0 || static_cast<std::size_t>(not_written) >= len) return false;
    data += len - static_cast<std::size_t>(not_written);
    len = static_cast<std::size_t>(not_written);
  }
  return true;
}

}  // namespace

class PipeTransport final : public utkit::Transport {
 public:
  explicit PipeTransport(PipeTransportFactory& f) : factory_(f) {}
  ~PipeTransport() override { close(); }

  utkit::Result<void> connect(const utkit::Endpoint& to, utkit::Millis) override {
    if (is_open()) return Error(Errc::net_io, "pipe transport: already connected");
    if (factory_.next_ >= factory_.slots_) {
      return Error(Errc::net_unreachable, "pipe transport: all " + std::to_string(factory_.slots_) +
                                              " relay pipe pairs are used (one per connection)");
    }
    const int slot = factory_.next_++;
    const std::string base = factory_.dir_ + "/";
    out_ = sh_open(base + "c2s." + std::to_string(slot), kModeWriteBinary);
    if (out_ < 0) return Error(Errc::net_unreachable, "pipe transport: no relay pipe " + base + "c2s." + std::to_string(slot));
    const std::string hello = "CONNECT " + to.host + " " + std::to_string(to.port) + "\n";
    if (!sh_write_all(out_, reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size())) {
      close();
      return Error(Errc::net_io, "pipe transport: the relay did not take the CONNECT line");
    }
    in_ = sh_open(base + "s2c." + std::to_string(slot), kModeReadBinary);
    if (in_ < 0) {
      close();
      return Error(Errc::net_unreachable, "pipe transport: no relay pipe " + base + "s2c." + std::to_string(slot));
    }
    // The relay's answer: "OK\n" or "ERR <why>\n".
    std::string status;
    std::uint8_t c = 0;
    while (status.size() < 64 && sh_read(in_, &c, 1) == 1 && c != '\n') status.push_back(static_cast<char>(c));
    if (status == "OK") return {};
    close();
    if (status == "ERR refused") return Error(Errc::net_connect_refused, "connection refused by " + to.to_string());
    return Error(Errc::net_unreachable, "cannot reach " + to.to_string() + " through the relay: " + status);
  }

  utkit::Result<std::size_t> read(std::uint8_t* buf, std::size_t cap, utkit::Millis) override {
    if (in_ < 0) return Error(Errc::net_not_connected, "pipe transport: not connected");
    const long n = sh_read(in_, buf, cap);
    if (n < 0) return Error(Errc::net_io, "pipe transport: read failed");
    stats_.bytes_read += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }

  utkit::Result<void> write(utkit::ByteView data, utkit::Millis) override {
    if (out_ < 0) return Error(Errc::net_not_connected, "pipe transport: not connected");
    if (!sh_write_all(out_, data.data(), data.size())) return Error(Errc::net_peer_closed, "pipe transport: write failed");
    stats_.bytes_written += data.size();
    return {};
  }

  // Closing the outgoing pipe tells the relay to close the TCP connection;
  // it then closes the incoming one, which ends the drain.
  void close() override {
    if (out_ >= 0) sh_close(out_);
    out_ = -1;
    if (in_ >= 0) {
      std::uint8_t drain[256];
      while (sh_read(in_, drain, sizeof drain) > 0) {
      }
      sh_close(in_);
    }
    in_ = -1;
  }
  bool is_open() const override { return in_ >= 0 && out_ >= 0; }
  utkit::TransportStats stats() const override { return stats_; }

 private:
  PipeTransportFactory& factory_;
  int out_ = -1;
  int in_ = -1;
  utkit::TransportStats stats_;
};

std::unique_ptr<utkit::Transport> PipeTransportFactory::create() { return std::make_unique<PipeTransport>(*this); }

utkit::MonoTime BoardClock::monotonic_now() const {
  return utkit::MonoTime{} + std::chrono::nanoseconds(board_elapsed_ns());
}

utkit::WallTime BoardClock::wall_now() const {
  return utkit::WallTime{} + std::chrono::seconds(board_boot_time()) +
         std::chrono::duration_cast<utkit::WallTime::duration>(std::chrono::nanoseconds(board_elapsed_ns()));
}

utkit::Result<void> HostEntropy::gather(std::uint8_t* out, std::size_t len) {
  const int fd = sh_open("/dev/urandom", kModeReadBinary);
  if (fd < 0) return Error(Errc::random_failed, "no entropy: cannot open the host's /dev/urandom");
  std::size_t got = 0;
  while (got < len) {
    const long n = sh_read(fd, out + got, len - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  sh_close(fd);
  if (got != len) return Error(Errc::random_failed, "no entropy: short read from the host's /dev/urandom");
  return {};
}

utkit::Result<std::string> read_host_file(const std::string& path) {
  const int fd = sh_open(path, kModeReadBinary);
  if (fd < 0) return Error(Errc::config_invalid, "cannot open " + path + " on the host");
  std::string text;
  std::uint8_t buf[512];
  long n;
  while ((n = sh_read(fd, buf, sizeof buf)) > 0) text.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
  sh_close(fd);
  if (n < 0 || text.empty()) return Error(Errc::config_invalid, "cannot read " + path + " on the host (or it is empty)");
  return text;
}

}  // namespace board
