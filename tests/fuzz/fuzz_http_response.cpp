// libFuzzer target: the HTTP response parser, fed the input whole and in
// pieces; it must never crash, hang or read out of bounds, and both ways must
// agree.
#include <cstdint>
#include <cstring>

#include "utkit/http/parser.hpp"

using namespace utkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  http::ParserLimits limits{4096, 32, 65536};
  const std::size_t piece = 1 + data[0] % 7;
  http::ResponseParser whole(limits), split(limits);
  auto a = whole.feed(ByteView(data + 1, size - 1));
  bool split_failed = false;
  for (std::size_t off = 1; off < size && split.need_more();) {
    std::size_t n = std::min(piece, size - off);
    auto r = split.feed(ByteView(data + off, n));
    if (!r) {
      split_failed = true;
      break;
    }
    off += r.value();
    if (r.value() < n) break;
  }
  if (a.ok() && !split_failed && whole.done() && split.done()) {
    if (whole.response().body != split.response().body || whole.response().status != split.response().status) {
      __builtin_trap();
    }
  }
  (void)whole.finish();
  (void)split.finish();
  return 0;
}
