// libFuzzer target: XCAP URIs and node selectors; what parses must build
// back to something that parses to the same selector.
#include <cstdint>
#include <string>

#include "utkit/xcap/uri.hpp"

using namespace utkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto u = xcap::XcapUri::parse("http://x/root", "http://x/root/" + text);
  if (u) {
    auto again = xcap::XcapUri::parse("http://x/root", u->to_string());
    if (!again || again->node.to_string() != u->node.to_string() || again->document.path != u->document.path) {
      __builtin_trap();
    }
  }
  (void)xcap::NodeSelector::parse(text);
  (void)xcap::percent_decode(text);
  return 0;
}
