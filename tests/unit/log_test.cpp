#include <doctest/doctest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "support.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/base/log.hpp"

using namespace utkit;
using testsupport::hex;

namespace {
struct CaptureSink final : LogSink {
  void write(LogLevel level, std::string_view component, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(std::string(to_string(level)) + " " + std::string(component) + ": " + std::string(message));
  }
  std::mutex mu;
  std::vector<std::string> lines;
};
}  // namespace

TEST_CASE("logger: level filter and no sink") {
  CaptureSink sink;
  Logger log(&sink, LogLevel::info);
  log.debug("aka", "hidden");
  log.info("aka", "shown");
  log.error("tls", "bad");
  REQUIRE(sink.lines.size() == 2);
  CHECK(sink.lines[0] == "info aka: shown");
  Logger silent;
  CHECK_FALSE(silent.enabled(LogLevel::error));
  silent.error("x", "dropped");  // must not crash
}

TEST_CASE("redactor: protected secrets are masked in hex, HEX and base64") {
  CaptureSink sink;
  Logger log(&sink, LogLevel::trace);
  Bytes ck = hex("b40ba9a3c58b2a05bbf0d987b21bf8cb");
  log.protect(ByteView(ck));
  const std::string h = to_hex(ByteView(ck));
  std::string upper = h;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string b64 = base64_encode(ByteView(ck));

  log.trace("gba", "CK=" + h + " end");
  log.trace("gba", "[" + upper + "]");
  log.trace("gba", "b64 " + b64 + " and again " + h);
  log.trace("gba", "unpadded " + b64.substr(0, b64.find('=')));
  log.trace("gba", "nothing secret here: b40ba9a3");
  REQUIRE(sink.lines.size() == 5);
  CHECK(sink.lines[0] == "trace gba: CK=<redacted> end");
  CHECK(sink.lines[1] == "trace gba: [<redacted>]");
  CHECK(sink.lines[2].find(h) == std::string::npos);
  CHECK(sink.lines[2].find("b40ba9a3c58b") == std::string::npos);
  CHECK(sink.lines[3] == "trace gba: unpadded <redacted>");
  CHECK(sink.lines[4] == "trace gba: nothing secret here: b40ba9a3");
  CHECK(log.redactor().protected_forms() == 3);
}

TEST_CASE("redactor: printable secrets (passwords) are masked as text too") {
  Redactor r;
  r.protect(ByteView::of("VKB5pB4G7dGpR5JwRCPNASW/su0PO9iAhBB7QjKHtQ0="));
  std::string m = "password is VKB5pB4G7dGpR5JwRCPNASW/su0PO9iAhBB7QjKHtQ0= ok";
  r.redact(m);
  CHECK(m.find("VKB5pB4G") == std::string::npos);
}

TEST_CASE("redactor: credential parameters are masked wherever they appear") {
  Redactor r;
  std::string m =
      "Authorization: Digest username=\"alice@ims\", realm=\"bsf\", nonce=\"abc\", uri=\"/\", "
      "response=\"6629fae49393a05397450978507c4ef1\", auts=\"h3Gg7J4WN98X+As4TuQ=\", cnonce=\"x\"";
  r.redact(m);
  CHECK(m.find("6629fae4") == std::string::npos);
  CHECK(m.find("h3Gg7J4") == std::string::npos);
  CHECK(m.find("response=\"<redacted>\"") != std::string::npos);
  CHECK(m.find("auts=\"<redacted>\"") != std::string::npos);
  CHECK(m.find("username=\"alice@ims\"") != std::string::npos);
  CHECK(m.find("nonce=\"abc\"") != std::string::npos);

  std::string unquoted = "RESPONSE=deadbeef,qop=auth password: s3cret next";
  r.redact(unquoted);
  CHECK(unquoted == "RESPONSE=<redacted>,qop=auth password: <redacted> next");

  std::string not_a_key = "rspauth_response_time=12";  // 'response' inside another word
  r.redact(not_a_key);
  CHECK(not_a_key == "rspauth_response_time=12");

  std::string unterminated = "response=\"abc";
  r.redact(unterminated);
  CHECK(unterminated == "response=\"<redacted>");
}

TEST_CASE("redactor: short secrets are ignored, many secrets and threads are fine") {
  Redactor r;
  r.protect(ByteView(hex("0102")));
  CHECK(r.protected_forms() == 0);
  std::vector<Bytes> secrets;
  for (int i = 0; i < 50; ++i) {
    Bytes s(8 + i % 9);
    for (std::size_t j = 0; j < s.size(); ++j) s[j] = static_cast<std::uint8_t>(i * 31 + j * 7 + 1);
    secrets.push_back(s);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 50; i += 4) r.protect(ByteView(secrets[i]));
    });
  }
  for (auto& t : threads) t.join();
  for (auto& s : secrets) {
    std::string m = "x " + to_hex(ByteView(s)) + " y " + base64_encode(ByteView(s));
    r.redact(m);
    CHECK(m.find(to_hex(ByteView(s))) == std::string::npos);
  }
}
