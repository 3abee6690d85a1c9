#include "utkit/aka/apdu.hpp"

#include <cstdio>

#include "utkit/base/secret.hpp"
#include "../base/text.hpp"

namespace utkit::aka {

namespace {
constexpr int kMaxFollowUps = 16;
}

Result<ApduResponse> exchange(ApduChannel& channel, ByteView command) {
  if (command.size() < 4) return Error(Errc::aka_bad_input, "an APDU needs at least 4 header bytes");
  Bytes cmd = command.to_bytes();
  ApduResponse out;
  for (int round = 0; round <= kMaxFollowUps; ++round) {
    UTKIT_ASSIGN(Bytes rsp, channel.transmit(ByteView(cmd)));
    if (rsp.size() < 2) {
      return make_error(Errc::aka_bad_response, "the card answered with {} bytes, no status word", {Dec(rsp.size())});
    }
    const std::uint8_t sw1 = rsp[rsp.size() - 2];
    const std::uint8_t sw2 = rsp[rsp.size() - 1];
    out.data.insert(out.data.end(), rsp.begin(), rsp.end() - 2);
    secure_wipe(rsp);
    if (sw1 == 0x61) {
      // More data available: GET RESPONSE with Le = SW2 (T=0 case 4).
      cmd = {0x00, 0xC0, 0x00, 0x00, sw2};
      continue;
    }
    if (sw1 == 0x6C) {
      // Wrong Le: resend the same command with Le = SW2.
      if (cmd.size() == 4) {
        cmd.push_back(sw2);
      } else if (cmd.size() == 5) {
        cmd[4] = sw2;
      } else {
        std::size_t lc_end = 5 + static_cast<std::size_t>(cmd[4]);
        cmd.resize(lc_end);
        cmd.push_back(sw2);
      }
      continue;
    }
    out.sw = static_cast<std::uint16_t>((sw1 << 8) | sw2);
    return out;
  }
  secure_wipe(out.data);
  return Error(Errc::aka_bad_response, "the card kept asking for GET RESPONSE (more than 16 times)");
}

}  // namespace utkit::aka
