// utkit/posix/pcsc_channel.hpp — an ApduChannel to a smart-card reader through
// PC/SC (pcsc-lite). Present when utkit was built with UTKIT_WITH_PCSC
// (UTKIT_HAVE_PCSC is then defined by the utkit::platform_posix target).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "utkit/aka/apdu.hpp"

namespace utkit::posix {

class PcscChannel final : public aka::ApduChannel {
 public:
  // Readers the PC/SC daemon knows. Errors: aka_card_io (no daemon, no reader).
  static Result<std::vector<std::string>> list_readers();
  // Connects to the card in `reader` (empty: the first reader with a card).
  static Result<std::unique_ptr<PcscChannel>> open(const std::string& reader = {});
  ~PcscChannel() override;

  Result<Bytes> transmit(ByteView command) override;
  const std::string& reader() const { return reader_; }

 private:
  PcscChannel() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string reader_;
};

}  // namespace utkit::posix
