#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <limits>
#include <memory>
#include <set>

#include <thread>

#include "support.hpp"
#include "../../sdk/src/base/text.hpp"
#include "utkit/base/clock.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/base/random.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"
#include "utkit/base/string_map.hpp"
#include "utkit/base/transport.hpp"

using namespace utkit;
using testsupport::hex;

namespace {
Result<int> parse_positive(int v) {
  if (v <= 0) return Error(Errc::invalid_argument, "value must be positive, got " + std::to_string(v));
  return v;
}
Result<int> doubled(int v) {
  UTKIT_ASSIGN(int x, parse_positive(v));
  return 2 * x;
}
Result<void> check_both(int a, int b) {
  UTKIT_TRY(parse_positive(a));
  UTKIT_TRY(parse_positive(b));
  return success();
}
}  // namespace

TEST_CASE("result: value, error, propagation") {
  auto ok = doubled(21);
  REQUIRE(ok.ok());
  CHECK(ok.value() == 42);
  auto bad = doubled(-1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == Errc::invalid_argument);
  CHECK(bad.error().module() == ErrorModule::base);
  CHECK(bad.error().describe() == "base.invalid_argument: value must be positive, got -1");
  CHECK(bad.value_or(7) == 7);
  CHECK(check_both(1, 2).ok());
  auto e = check_both(1, 0);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message() == "value must be positive, got 0");
}

namespace {
// Counts the live objects of its type: a Result must construct and destroy
// its value exactly once, whichever way it is copied, moved or assigned.
struct Tracked {
  static inline int live = 0;
  int v;
  explicit Tracked(int x) : v(x) { ++live; }
  Tracked(const Tracked& o) : v(o.v) { ++live; }
  Tracked(Tracked&& o) noexcept : v(o.v) {
    o.v = -1;
    ++live;
  }
  Tracked& operator=(const Tracked&) = default;
  Tracked& operator=(Tracked&&) = default;
  ~Tracked() { --live; }
};
}  // namespace

TEST_CASE("result: values and errors live once through copies, moves and assignments") {
  Tracked::live = 0;
  {
    Result<Tracked> a(Tracked(1));
    CHECK(Tracked::live == 1);
    Result<Tracked> b = a;  // copy
    CHECK(Tracked::live == 2);
    Result<Tracked> c = std::move(a);  // move: the source keeps a moved-from value
    CHECK(Tracked::live == 3);
    CHECK(c.value().v == 1);
    CHECK(a.value().v == -1);
    Result<Tracked> e(Error(Errc::net_timeout, "late"));
    CHECK(Tracked::live == 3);
    b = e;  // a value replaced by an error: the value is destroyed
    CHECK(Tracked::live == 2);
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().message() == "late");
    CHECK(e.error().message() == "late");  // the copy is deep
    e = std::move(c);                      // an error replaced by a value
    CHECK(Tracked::live == 3);
    REQUIRE(e.ok());
    CHECK(e.value().v == 1);
    e = e;  // self-assignment keeps the value
    CHECK(e.value().v == 1);
    CHECK(Tracked::live == 3);
    Result<Tracked> f = std::move(b);  // an error moves
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().code() == Errc::net_timeout);
    Tracked taken = std::move(e).value();
    CHECK(taken.v == 1);
  }
  CHECK(Tracked::live == 0);
  // A move-only value.
  Result<std::unique_ptr<int>> p(std::make_unique<int>(5));
  Result<std::unique_ptr<int>> q = std::move(p);
  CHECK(*q.value() == 5);
}

TEST_CASE("string map: set, replace, find, erase from any position") {
  StringMap<std::string> m;
  CHECK(m.empty());
  CHECK(m.find("a") == nullptr);
  m.set("a", "1");
  m.set("b", "2");
  m.set("c", "3");
  CHECK(m.size() == 3);
  CHECK(m.set("b", "two") == "two");  // replaces, does not add
  CHECK(m.size() == 3);
  REQUIRE(m.find("b") != nullptr);
  CHECK(*m.find("b") == "two");
  CHECK(m.erase("a"));  // the first: the last entry moves into its place
  CHECK_FALSE(m.erase("a"));
  CHECK(m.find("a") == nullptr);
  CHECK(*m.find("b") == "two");
  CHECK(*m.find("c") == "3");
  CHECK(m.erase("c"));  // the last
  CHECK(m.size() == 1);
  CHECK(*m.find("b") == "two");
  const StringMap<std::string>& cm = m;
  CHECK(*cm.find("b") == "two");
  CHECK(cm.find(std::string_view("bb", 1)) == cm.find("b"));  // a view of a longer buffer
  m.clear();
  CHECK(m.empty());
  // Move-only values (the HTTP client's connections).
  StringMap<std::unique_ptr<int>> u;
  u.set("x", std::make_unique<int>(1));
  u.set("y", std::make_unique<int>(2));
  CHECK(u.erase("x"));
  CHECK(**u.find("y") == 2);
}

TEST_CASE("error: module grouping and names") {
  CHECK(module_of(Errc::net_timeout) == ErrorModule::net);
  CHECK(module_of(Errc::aka_card_status) == ErrorModule::aka);
  CHECK(module_of(Errc::storage_permissions) == ErrorModule::storage);
  CHECK(std::string(to_string(Errc::net_timeout)) == "net.timeout");
  CHECK(std::string(to_string(ErrorModule::gba)) == "gba");
  Error err(Errc::storage_io, "disk full");
  Error ctx = std::move(err).with_context("saving state");
  CHECK(ctx.message() == "saving state: disk full");
  CHECK(ctx.code() == Errc::storage_io);
}

TEST_CASE("error: every code has one name, under its module's name") {
  // Every value a code can take: the names come from a table, not a switch.
  std::set<std::string> names;
  for (unsigned v = 0; v <= 0x0AFF; ++v) {
    const auto code = static_cast<Errc>(v);
    const std::string name = to_string(code);
    if (name == "unknown") continue;
    CAPTURE(v);
    CHECK(name.rfind(std::string(to_string(module_of(code))) + ".", 0) == 0);
    CHECK(names.insert(name).second);
  }
  CHECK(names.size() >= 70);
  CHECK(std::string(to_string(Errc::invalid_argument)) == "base.invalid_argument");  // first
  CHECK(std::string(to_string(Errc::tls_protocol)) == "tls.protocol");
  CHECK(std::string(to_string(Errc::xcap_forbidden)) == "xcap.forbidden");
  CHECK(std::string(to_string(Errc::storage_bad_key)) == "storage.bad_key");  // last
  CHECK(std::string(to_string(static_cast<Errc>(0x0100))) == "unknown");
}

TEST_CASE("error: copies are independent, a moved-from error reads as internal") {
  Error a(Errc::net_timeout, "connect timed out");
  Error b = a;
  Error c = std::move(b).with_context("BSF");
  CHECK(a.message() == "connect timed out");
  CHECK(c.message() == "BSF: connect timed out");
  CHECK(c.code() == Errc::net_timeout);
  Error d = std::move(c);
  CHECK(c.code() == Errc::internal);  // NOLINT(bugprone-use-after-move): the documented state
  CHECK(c.message().empty());         // NOLINT(bugprone-use-after-move)
  CHECK(d.describe() == "net.timeout: BSF: connect timed out");
  a = d;
  CHECK(a.message() == d.message());
  Error e(Errc::storage_io, "disk full");
  e = std::move(a);  // e's old error is freed, a is left empty
  CHECK(e.message() == "BSF: connect timed out");
  CHECK(a.code() == Errc::internal);  // NOLINT(bugprone-use-after-move): the documented state
  CHECK(a.message().empty());         // NOLINT(bugprone-use-after-move)
  Result<void> r = std::move(d);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_timeout);
}

TEST_CASE("text: cat and cat_append join literals, strings, views and numbers") {
  const std::string s = "bc";
  const std::string_view v = "de";
  CHECK(cat({"a", s, v, "|", Dec(0), "|", Dec(-42), "|", Dec(std::uint8_t{255})}) == "abcde|0|-42|255");
  CHECK(cat({Dec(std::numeric_limits<long long>::min())}) == "-9223372036854775808");
  CHECK(cat({Dec(std::numeric_limits<unsigned long long>::max())}) == "18446744073709551615");
  CHECK(cat({}).empty());
  std::string out = "x";
  cat_append(out, {"=", Dec(7), std::string(300, 'y')});
  CHECK(out.size() == 3 + 300);
  CHECK(out.rfind("x=7y", 0) == 0);
  CHECK(make_error(Errc::http_bad_url, {"bad URL '", s, "'"}).message() == "bad URL 'bc'");
}

TEST_CASE("text: format fills each {} with the next argument") {
  const std::string s = "bc";
  CHECK(utkit::format("{} answered {} to {}", {s, Dec(401), std::string_view("GET")}) == "bc answered 401 to GET");
  CHECK(utkit::format("no slots", {}) == "no slots");
  CHECK(utkit::format("{}{}", {"a", "b"}) == "ab");
  CHECK(utkit::format("", {}).empty());
  // Braces that are not a slot, and arguments holding "{}", are text.
  CHECK(utkit::format("x{ {} }y{{}}", {"{}"}) == "x{ {} }y{{}}");
  CHECK(utkit::format("{'{}'}", {s}) == "{'bc'}");
  // A slot past the last argument stays; an argument past the last slot is dropped.
  CHECK(utkit::format("{} and {}", {"one"}) == "one and {}");
  CHECK(utkit::format("only {}", {"one", "two"}) == "only one");
  const std::string big(1000, 'z');
  CHECK(utkit::format("<{}>", {big}).size() == 1002);
  const Error e = make_error(Errc::tls_alert, "{} ended the handshake with fatal alert {}", {s, Dec(40)});
  CHECK(e.code() == Errc::tls_alert);
  CHECK(e.message() == "bc ended the handshake with fatal alert 40");
}

TEST_CASE("encoding: hex round trip and refusals") {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  CHECK(to_hex(ByteView(b)) == "0001abff");
  auto back = from_hex("0001ABff");
  REQUIRE(back.ok());
  CHECK(back.value() == b);
  CHECK(from_hex("abc").error().code() == Errc::bad_encoding);
  auto bad = from_hex("zz");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message().find("offset 0") != std::string::npos);
  auto k = secret_from_hex("00112233", 16, "USIM key K");
  REQUIRE_FALSE(k.ok());
  CHECK(k.error().message() == "USIM key K must be 16 bytes (32 hex digits), got 4 bytes");
  auto k2 = secret_from_hex("xx", 1, "OPc");
  REQUIRE_FALSE(k2.ok());
  CHECK(k2.error().message().find("OPc") == 0);
  CHECK(k2.error().message().find("xx") == std::string::npos);  // never echoes secret input
}

TEST_CASE("encoding: padded hex and decimal numbers") {
  CHECK(hex_number(0) == "0");
  CHECK(hex_number(1, 8) == "00000001");
  CHECK(hex_number(0x9862, 4, true) == "9862");
  CHECK(hex_number(0xab, 4, true) == "00AB");
  CHECK(hex_number(0xff9bb4d0b607ULL) == "ff9bb4d0b607");
  CHECK(padded_decimal(7, 2) == "07");
  CHECK(padded_decimal(2026, 4) == "2026");
  CHECK(padded_decimal(123, 2) == "123");
}

TEST_CASE("encoding: base64 through mbedTLS") {
  // RFC 4648 section 10 vectors
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64_encode(ByteView::of(plain[i])) == enc[i]);
    auto d = base64_decode(enc[i]);
    REQUIRE(d.ok());
    CHECK(ByteView(d.value()).as_string() == plain[i]);
  }
  CHECK_FALSE(base64_decode("Zm9v!").ok());
  CHECK_FALSE(base64_decode("Zm9").ok());
  SecretBytes s = base64_encode_secret(ByteView::of("foobar"));
  CHECK(s.view().as_string() == "Zm9vYmFy");
}

TEST_CASE("secret bytes: ownership, move, concat, wipe") {
  Bytes raw = hex("00112233445566778899aabbccddeeff");
  SecretBytes a = SecretBytes::take(raw);
  CHECK(raw.empty());
  CHECK(a.size() == 16);
  SecretBytes b = std::move(a);
  CHECK(a.empty());
  CHECK(b.view() == ByteView(hex("00112233445566778899aabbccddeeff")));
  SecretBytes c = SecretBytes::concat(b.view(), ByteView(hex("01")));
  CHECK(c.size() == 17);
  CHECK(c.data()[16] == 0x01);
  SecretBytes d = c.clone();
  c.clear();
  CHECK(c.empty());
  CHECK(d.size() == 17);

  std::string pw = "hunter2-password";
  secure_wipe(pw);
  CHECK(pw.empty());
}

TEST_CASE("constant_time_equal") {
  Bytes a = hex("0102030405"), b = hex("0102030405"), c = hex("0102030406"), d = hex("01020304");
  CHECK(constant_time_equal(ByteView(a), ByteView(b)));
  CHECK_FALSE(constant_time_equal(ByteView(a), ByteView(c)));
  CHECK_FALSE(constant_time_equal(ByteView(a), ByteView(d)));
  CHECK(constant_time_equal(ByteView(), ByteView()));
}

TEST_CASE("memory key-value store") {
  MemoryKeyValueStore s;
  CHECK(s.get("missing").error().code() == Errc::storage_not_found);
  REQUIRE(s.put("usim-sqn", ByteView::of("v1")).ok());
  auto v = s.get("usim-sqn");
  REQUIRE(v.ok());
  CHECK(v->view().as_string() == "v1");
  REQUIRE(s.put("usim-sqn", ByteView::of("v2")).ok());
  CHECK(s.get("usim-sqn")->view().as_string() == "v2");
  REQUIRE(s.remove("usim-sqn").ok());
  CHECK(s.remove("usim-sqn").ok());
  CHECK(s.get("../etc/passwd").error().code() == Errc::storage_bad_key);
  CHECK(s.put(".hidden", ByteView::of("x")).error().code() == Errc::storage_bad_key);
  CHECK(s.put("", ByteView::of("x")).error().code() == Errc::storage_bad_key);
  CHECK_FALSE(valid_store_key(std::string(129, 'a')));
  CHECK(valid_store_key("tls-session.naf_example-1"));
}

namespace {
// Entropy that counts calls and returns a fixed pattern (deterministic DRBG
// output for the test), or fails on demand.
class TestEntropy final : public EntropySource {
 public:
  Result<void> gather(std::uint8_t* out, std::size_t len) override {
    ++calls;
    if (fail) return Error(Errc::random_failed, "test entropy off");
    for (std::size_t i = 0; i < len; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + seed);
    return success();
  }
  int calls = 0;
  bool fail = false;
  std::uint8_t seed = 1;
};
}  // namespace

TEST_CASE("ctr_drbg random: seeded from the entropy source") {
  TestEntropy e1, e2, e3;
  e3.seed = 2;
  auto r1 = CtrDrbgRandom::create(e1);
  auto r2 = CtrDrbgRandom::create(e2);
  auto r3 = CtrDrbgRandom::create(e3);
  REQUIRE(r1.ok());
  REQUIRE(r2.ok());
  REQUIRE(r3.ok());
  CHECK(e1.calls >= 1);
  auto a = r1.value()->bytes(64), b = r2.value()->bytes(64), c = r3.value()->bytes(64);
  REQUIRE(a.ok());
  CHECK(a.value() == b.value());   // same seed, same stream
  CHECK(a.value() != c.value());   // other seed, other stream
  auto a2 = r1.value()->bytes(64);
  CHECK(a2.value() != a.value());  // the stream moves on
  // Large requests are split into DRBG-sized pieces.
  CHECK(r1.value()->bytes(4096).ok());

  TestEntropy broken;
  broken.fail = true;
  auto r = CtrDrbgRandom::create(broken);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::random_failed);
}

TEST_CASE("manual clock") {
  ManualClock c;
  auto m0 = c.monotonic_now();
  auto w0 = c.wall_now();
  c.advance(std::chrono::hours(25));
  CHECK(c.monotonic_now() - m0 == std::chrono::hours(25));
  CHECK(c.wall_now() - w0 == std::chrono::hours(25));
  c.set_wall(w0);
  CHECK(c.wall_now() == w0);
  CHECK(c.monotonic_now() - m0 == std::chrono::hours(25));
}

TEST_CASE("endpoint text") {
  CHECK(Endpoint{"bsf.example.test", 8080}.to_string() == "bsf.example.test:8080");
  CHECK(Endpoint{"::1", 443}.to_string() == "[::1]:443");
}

TEST_CASE("encoding: whole decimal numbers within a bound") {
  CHECK(parse_decimal("0", 10) == 0u);
  CHECK(parse_decimal("7258118400", 7258118400) == 7258118400u);
  CHECK_FALSE(parse_decimal("7258118401", 7258118400));
  CHECK(parse_decimal("18446744073709551615", UINT64_MAX) == UINT64_MAX);
  CHECK_FALSE(parse_decimal("18446744073709551616", UINT64_MAX));  // would overflow
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1e9", "0x10", "99999999999999999999999"}) {
    CHECK_FALSE(parse_decimal(bad, UINT64_MAX));
  }
}

TEST_CASE("encoding: strict UTF-8 and text made safe for a terminal") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(valid_utf8("\xff"));
  CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(valid_utf8("\xe2\x82"));          // truncated
  CHECK(printable_text("ok \xc3\xa9") == "ok \xc3\xa9");
  CHECK(printable_text("a\x1b[2Jb") == "a\\x1b[2Jb");
  CHECK(printable_text("line\r\nforged") == "line\\x0d\\x0aforged");
  CHECK(printable_text("\xff\\") == "\\xff\\\\");
  CHECK(printable_text("\xc2\x9b") == "\\xc2\\x9b");  // C1 CSI
  CHECK(printable_text("a\xe2\x80\xae" "b") == "a\\xe2\\x80\\xae" "b");  // RIGHT-TO-LEFT OVERRIDE
  CHECK(printable_ascii("caf\xc3\xa9") == "caf\\xc3\\xa9");
}

namespace {
int g_misuse_fd = -1;
void report_misuse(const char* what, const char* error) {
  const std::string line = std::string(what) + "|" + error;
  (void)!::write(g_misuse_fd, line.data(), line.size());
}
}  // namespace

TEST_CASE("result: misuse calls the app's handler with the held error, then aborts") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::signal(SIGABRT, SIG_DFL);  // the test framework's own handler would catch the abort
    g_misuse_fd = fds[1];
    set_result_misuse_handler(&report_misuse);
    Result<int> failed = Error(Errc::net_timeout, "connect to bsf.example.test:80 timed out");
    (void)failed.value();  // a programming error
    ::_exit(0);            // not reached
  }
  ::close(fds[1]);
  std::string got;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int st = 0;
  REQUIRE(::waitpid(pid, &st, 0) == pid);
  CHECK(WIFSIGNALED(st));
  CHECK(WTERMSIG(st) == SIGABRT);
  CHECK(got == "value() of a failed Result|net.timeout: connect to bsf.example.test:80 timed out");
}
