// libFuzzer target: WWW-Authenticate challenges, Authentication-Info and
// auth-param lists, and a Digest answer to whatever parsed.
#include <cstdint>
#include <string>

#include "utkit/http/digest.hpp"

using namespace utkit;

namespace {
struct Fixed final : Random {
  Result<void> fill(std::uint8_t* out, std::size_t len) override {
    for (std::size_t i = 0; i < len; ++i) out[i] = static_cast<std::uint8_t>(i);
    return success();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto ch = http::parse_challenges({text});
  (void)http::parse_authentication_info(text);
  (void)http::parse_auth_params(text);
  if (ch) {
    auto sel = http::select_challenge(ch.value());
    if (sel) {
      Fixed rnd;
      http::DigestSession s(sel.value(), http::Qop::auth_int);
      http::DigestCredentials cred{"user", SecretBytes(ByteView::of("pw")), {}};
      (void)s.authorize("GET", "/x", ByteView(data, size), cred, rnd);
      http::Headers h;
      h.add("Authentication-Info", text);
      (void)s.verify(h, ByteView(), cred, true);
    }
  }
  return 0;
}
