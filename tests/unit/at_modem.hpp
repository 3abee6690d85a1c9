// An emulated cellular modem on a pseudo-terminal: the AT side of a USB
// modem's command port, with the SIM behind it being a VirtualCard. It
// answers ATE0/AT/AT+CMEE, and AT+CSIM by passing the APDU to the card; it
// can echo commands, scatter unsolicited result codes, answer +CME ERROR,
// ERROR or a malformed +CSIM line, or stop answering.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "utkit/base/encoding.hpp"
#include "virtual_card.hpp"

namespace testsupport {

class EmulatedModem {
 public:
  struct Behaviour {
    bool echo = true;          // until ATE0, like a real modem
    bool urcs = false;         // RING / +CREG around each +CSIM answer
    bool quotes = true;        // +CSIM: 8,"6F009000" or +CSIM: 8,6F009000
    int cme_error = 0;         // answer AT+CSIM with +CME ERROR: <n>
    bool plain_error = false;  // answer AT+CSIM with ERROR
    bool malformed = false;    // +CSIM: 9,"6F00900" (odd, wrong length)
    bool mute = false;         // stop answering (after ATE0)
    bool split_writes = true;  // send answers a few bytes at a time
    int delay_ms = 0;          // answer AT+CSIM this late (after the channel gave up)
  };

  explicit EmulatedModem(utkit::aka::ApduChannel& card) : card_(card) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    const char* name = ::ptsname(master_);
    if (name != nullptr) path_ = name;
    thread_ = std::thread([this] { run(); });
  }
  ~EmulatedModem() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (master_ >= 0) ::close(master_);
  }
  EmulatedModem(const EmulatedModem&) = delete;
  EmulatedModem& operator=(const EmulatedModem&) = delete;

  const std::string& path() const { return path_; }
  bool ok() const { return !path_.empty(); }
  // Closes the master side: the port hangs up, like an unplugged modem.
  void unplug() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(master_);
    master_ = -1;
  }
  void set(const Behaviour& b) {
    std::lock_guard<std::mutex> lock(mu_);
    b_ = b;
  }
  int csim_commands() const { return csim_; }

 private:
  void send(const std::string& s, bool split) {
    std::size_t off = 0;
    while (off < s.size()) {
      const std::size_t n = split ? std::min<std::size_t>(7, s.size() - off) : s.size() - off;
      const ssize_t w = ::write(master_, s.data() + off, n);
      if (w <= 0) return;
      off += static_cast<std::size_t>(w);
    }
  }

  void handle(const std::string& line) {
    Behaviour b;
    {
      std::lock_guard<std::mutex> lock(mu_);
      b = b_;
    }
    if (b.echo) send(line + "\r", false);
    if (line == "ATE0") {
      std::lock_guard<std::mutex> lock(mu_);
      b_.echo = false;
      send("\r\nOK\r\n", b.split_writes);
      return;
    }
    if (b.mute) return;
    if (line == "AT" || line.rfind("AT+CMEE", 0) == 0) {
      send("\r\nOK\r\n", b.split_writes);
      return;
    }
    if (line.rfind("AT+CSIM=", 0) != 0) {
      send("\r\nERROR\r\n", b.split_writes);
      return;
    }
    ++csim_;
    if (b.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(b.delay_ms));
    if (b.cme_error != 0) {
      send("\r\n+CME ERROR: " + std::to_string(b.cme_error) + "\r\n", b.split_writes);
      return;
    }
    if (b.plain_error) {
      send("\r\nERROR\r\n", b.split_writes);
      return;
    }
    const auto q1 = line.find('"'), q2 = line.rfind('"');
    auto apdu = utkit::from_hex(line.substr(q1 + 1, q2 - q1 - 1));
    if (q1 == std::string::npos || q2 <= q1 || !apdu) {
      send("\r\n+CME ERROR: 50\r\n", b.split_writes);
      return;
    }
    auto rsp = card_.transmit(utkit::ByteView(apdu.value()));
    if (!rsp) {
      send("\r\n+CME ERROR: 13\r\n", b.split_writes);
      return;
    }
    std::string hex = utkit::to_hex(utkit::ByteView(rsp.value()));
    for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string out;
    if (b.urcs) out += "\r\nRING\r\n";
    if (b.malformed) {
      out += "\r\n+CSIM: " + std::to_string(hex.size() + 1) + ",\"" + hex.substr(1) + "\"\r\n";
    } else if (b.quotes) {
      out += "\r\n+CSIM: " + std::to_string(hex.size()) + ",\"" + hex + "\"\r\n";
    } else {
      out += "\r\n+CSIM: " + std::to_string(hex.size()) + "," + hex + "\r\n";
    }
    if (b.urcs) out += "\r\n+CREG: 1\r\n";
    out += "\r\nOK\r\n";
    send(out, b.split_writes);
  }

  void run() {
    std::string buf;
    while (!stop_) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char c[256];
      const ssize_t n = ::read(master_, c, sizeof c);
      if (n <= 0) {  // no slave open yet (EIO): wait
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      buf.append(c, static_cast<std::size_t>(n));
      for (auto cr = buf.find('\r'); cr != std::string::npos; cr = buf.find('\r')) {
        std::string line = buf.substr(0, cr);
        buf.erase(0, cr + 1);
        while (!line.empty() && line.front() == '\n') line.erase(0, 1);
        if (!line.empty()) handle(line);
      }
    }
  }

  utkit::aka::ApduChannel& card_;
  int master_ = -1;
  std::string path_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> csim_{0};
  std::mutex mu_;
  Behaviour b_;
};

}  // namespace testsupport
