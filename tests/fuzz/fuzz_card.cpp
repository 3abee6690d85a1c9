// libFuzzer target: the USIM/ISIM backend against a card that answers with
// fuzzer-chosen bytes (EF.DIR, FCPs, EF_IMSI, AUTHENTICATE answers).
#include <cstdint>
#include <vector>

#include "utkit/aka/apdu_usim.hpp"

using namespace utkit;

namespace {
class FuzzCard final : public aka::ApduChannel {
 public:
  FuzzCard(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  Result<Bytes> transmit(ByteView) override {
    if (pos_ >= n_) return Error(Errc::aka_card_io, "end of input");
    std::size_t len = d_[pos_++] % 64;
    if (pos_ + len > n_) len = n_ - pos_;
    Bytes out(d_ + pos_, d_ + pos_ + len);
    pos_ += len;
    return out;
  }

 private:
  const std::uint8_t* d_;
  std::size_t n_, pos_ = 0;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzCard card(data, size);
  auto usim = aka::ApduUsim::open(card, {});
  if (!usim) return 0;
  (void)usim.value()->identity();
  const Bytes rand(16, 1), autn(16, 2);
  (void)usim.value()->authenticate(ByteView(rand), ByteView(autn));
  (void)usim.value()->gba_u_bootstrap(ByteView(rand), ByteView(autn));
  (void)usim.value()->gba_u_ks_ext_naf(ByteView(rand), "impi");
  return 0;
}
