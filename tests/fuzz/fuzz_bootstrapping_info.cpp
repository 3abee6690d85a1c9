// libFuzzer target: the BSF's 200 body (BootstrappingInfo) and the B-TID
// check, on their own so that the fuzzer spends its time there.
#include <cstdint>
#include <string_view>

#include "utkit/gba/context.hpp"

using namespace utkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto info = gba::parse_bootstrapping_info(xml);
  if (info) {
    // What parsed must satisfy the checks a stored context is held to.
    if (!gba::check_btid(info->btid)) __builtin_trap();
    (void)gba::format_xsd_datetime(info->lifetime);
  }
  (void)gba::check_btid(xml);
  return 0;
}
