// utkit/aka/apdu.hpp — the ApduChannel platform interface and the
// ISO 7816-4 response handling shared by the card backends.
#pragma once

#include <cstdint>

#include "utkit/base/bytes.hpp"
#include "utkit/base/result.hpp"

namespace utkit::aka {

// A channel to a UICC: PC/SC on a desktop, a modem's AT+CSIM, a baseband IPC.
class ApduChannel {
 public:
  virtual ~ApduChannel() = default;
  // Sends one command APDU; returns the response data followed by SW1 SW2.
  // Errors: aka_card_io (no card, reader gone, ...).
  virtual Result<Bytes> transmit(ByteView command) = 0;
};

struct ApduResponse {
  Bytes data;
  std::uint16_t sw = 0;  // SW1 << 8 | SW2
};

// Sends `command` and follows the card's procedure bytes: '61xx' is answered
// with GET RESPONSE (repeatedly, collecting the data), '6Cxx' by resending the
// command with Le = xx. At most 16 follow-ups. Errors: aka_card_io, and
// aka_bad_response for a response shorter than two bytes.
Result<ApduResponse> exchange(ApduChannel& channel, ByteView command);

}  // namespace utkit::aka
