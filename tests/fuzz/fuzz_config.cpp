// libFuzzer target: utcli's configuration parser and its operator-profile
// parser (the JSON a user or a provisioning tool writes). Any input gives a Config or a config error;
// nothing throws out of it.
#include <cstdint>
#include <string>

#include "config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto c = utcli::parse_config(text, "fuzz.json", 0600);
  if (!c && c.error().module() != utkit::ErrorModule::config) __builtin_trap();
  // The same text as an operator profile file.
  auto p = utcli::parse_operator_profile(text, "fuzz-profile.json");
  if (!p && p.error().module() != utkit::ErrorModule::config) __builtin_trap();
  return 0;
}
