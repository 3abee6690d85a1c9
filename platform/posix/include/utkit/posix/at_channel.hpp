// utkit/posix/at_channel.hpp — an ApduChannel to the SIM of a cellular module
// through its AT command port: AT+CSIM (3GPP TS 27.007 8.17), generic SIM
// access on the basic channel.
//
//   > AT+CSIM=<length>,"<command as hex>"       length = number of hex characters
//   < +CSIM: <length>,"<response as hex>"        data followed by SW1 SW2
//   < OK                                         or ERROR / +CME ERROR: <err>
//
// The port is a serial tty (USB modems: /dev/ttyUSB2, /dev/ttyACM0). It is
// opened exclusively (flock; a second user is refused, not interleaved),
// set to raw mode, and each command is bounded by a timeout; a modem that
// stops answering is an aka_card_io error, never a hang. Echo, blank lines
// and unsolicited result codes ("RING", "+CREG: 1") between a command and
// its answer are skipped.
//
// AT has no way to tie an answer to its command. After a command whose final
// result was not seen (a timeout, a broken answer), the channel is out of
// step: before the next command it waits for the port to fall quiet (the
// late answer arrives and is dropped), sends "AT", waits for its OK and for
// quiet again. A modem that keeps talking past the timeout fails the command
// instead of lending it someone else's answer.
#pragma once

#include <memory>
#include <string>

#include "utkit/aka/apdu.hpp"
#include "utkit/base/clock.hpp"

namespace utkit::posix {

class AtCsimChannel final : public aka::ApduChannel {
 public:
  struct Options {
    std::string device;                 // "/dev/ttyUSB2"
    int baud = 115200;                  // ignored by USB CDC ports and ptys
    Millis command_timeout{5000};       // one AT command, until its final result
  };
  // Opens and locks the port, switches echo off (ATE0) and checks that the
  // modem answers. Errors: aka_card_io naming the device and what to check.
  static Result<std::unique_ptr<AtCsimChannel>> open(const Options& options);
  ~AtCsimChannel() override;
  AtCsimChannel(const AtCsimChannel&) = delete;
  AtCsimChannel& operator=(const AtCsimChannel&) = delete;

  // Errors: aka_card_io (timeout, ERROR, +CME ERROR with its meaning, the
  // port gone), aka_bad_response (a +CSIM line that is not length,"hex").
  Result<Bytes> transmit(ByteView command) override;

  const std::string& device() const { return options_.device; }
  // Commands sent since open (ATE0 included), for tests and logs.
  int commands() const { return commands_; }

 private:
  AtCsimChannel(Options options, int fd) : options_(std::move(options)), fd_(fd) {}
  struct Reply {
    std::string payload;  // the +CSIM: line's text after the prefix, if any
    bool has_payload = false;
    Reply() = default;
    Reply(Reply&&) = default;
    Reply& operator=(Reply&&) = default;
    ~Reply();  // wipes the payload
  };
  Result<Reply> command(const std::string& line, const char* payload_prefix);
  Result<Reply> exchange(const std::string& line, const char* payload_prefix);
  Result<std::string> read_line(std::int64_t deadline_ms);
  Result<void> resync();
  // Drops input until the port has been quiet for `quiet_ms`; false when it
  // keeps talking past `deadline_ms`.
  bool wait_quiet(int quiet_ms, std::int64_t deadline_ms);
  void clear_buffer();

  static constexpr std::size_t kBufferSize = 8192;
  Options options_;
  int fd_ = -1;
  // Bytes read past the last line, in a fixed buffer: answers carry RES, CK
  // and IK, so nothing is reallocated and whatever is consumed is wiped.
  char buffer_[kBufferSize] = {};
  std::size_t buffered_ = 0;
  bool in_step_ = true;     // false: a command's final result was not seen
  bool final_seen_ = false;  // the current exchange read its final result
  int commands_ = 0;
};

// +CME ERROR codes of TS 27.007 9.2.1 that a SIM access can meet, in words;
// nullptr for others.
const char* cme_error_text(int code);

}  // namespace utkit::posix
