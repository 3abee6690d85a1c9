// libFuzzer target: the simservs document (TS 24.623) from the network: read
// it, then run every kind of edit on it; an edited document must read back.
// Also the forwarding-target checks and number normalisation on the input.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "utkit/xcap/simservs.hpp"

using namespace utkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)xcap::check_forward_target(text);
  (void)xcap::normalize_target(text, xcap::NumberFormat::e164_tel, "");
  (void)xcap::normalize_target(text, xcap::NumberFormat::sip_user_phone, "ims.example.net");
  auto ss = xcap::Simservs::parse(text);
  if (!ss) return 0;
  (void)ss->forwarding_rules();
  (void)ss->barring_rules(true);
  (void)ss->barring_rules(false);
  (void)ss->no_reply_timer();
  (void)ss->restricted(xcap::Service::oir);
  const unsigned k = static_cast<unsigned>(size);
  xcap::ForwardingChange ch;
  ch.condition = static_cast<xcap::ForwardCondition>(k % 5);
  ch.enable = (k & 8) != 0;
  ch.target = "tel:+15550100";
  if (ch.condition == xcap::ForwardCondition::no_reply && ch.enable) ch.no_reply_timer = 25;
  if ((k & 64) != 0) ch.media = {"video"};
  ch.disable = static_cast<xcap::DisableMethod>((k >> 4) % 3);
  (void)ss->set_forwarding(ch);
  (void)ss->set_barring(static_cast<xcap::BarringCondition>(k % 6), (k & 32) != 0,
                        static_cast<xcap::DisableMethod>((k >> 6) % 3));
  (void)ss->set_restricted((k & 1) != 0 ? xcap::Service::oir : xcap::Service::tir, (k & 2) != 0);
  (void)ss->set_active(static_cast<xcap::Service>(k % 8), (k & 4) != 0);
  const std::string edited = ss->serialize();
  if (edited.size() < (std::size_t{1} << 20) && !xcap::Simservs::parse(edited)) __builtin_trap();
  return 0;
}
