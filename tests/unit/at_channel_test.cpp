// The AT+CSIM ApduChannel against an emulated modem on a pseudo-terminal,
// with an emulated UICC (VirtualCard + SoftUsim) behind it.
#include <doctest/doctest.h>

#include <chrono>

#include "at_modem.hpp"
#include "support.hpp"
#include "utkit/aka/apdu_usim.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/posix/at_channel.hpp"

using namespace utkit;
using namespace utkit::aka;
using namespace std::chrono_literals;
using testsupport::EmulatedModem;
using testsupport::hex;
using testsupport::hex_of;
using testsupport::VirtualCard;

namespace {

std::unique_ptr<SoftUsim> soft() {
  SoftUsimConfig c;
  c.k = SecretBytes(ByteView(hex("465b5ce8b199b49faa5f0a2ee238a6bc")));
  c.opc = SecretBytes(ByteView(hex("cd63cb71954a9f4e48a5994e37a02baf")));
  c.impi = "card@ims.example.test";
  c.initial_sqn = ((0xff9bb4d0b607ULL >> 5) - 1) << 5;
  return SoftUsim::create(std::move(c), nullptr).value();
}

posix::AtCsimChannel::Options port(const EmulatedModem& m, Millis timeout = 2000ms) {
  posix::AtCsimChannel::Options o;
  o.device = m.path();
  o.command_timeout = timeout;
  return o;
}

}  // namespace

TEST_CASE("at+csim: USIM identity and AKA through an emulated modem (echo, URCs, T=0 GET RESPONSE)") {
  for (int variant = 0; variant < 3; ++variant) {
    CAPTURE(variant);
    auto backend = soft();
    VirtualCard::Options co;
    co.t0 = variant != 2;  // '61xx' answered with GET RESPONSE over AT+CSIM too
    VirtualCard card(co, backend.get());
    EmulatedModem modem(card);
    REQUIRE(modem.ok());
    EmulatedModem::Behaviour b;
    b.urcs = variant == 1;
    b.quotes = variant != 2;
    modem.set(b);
    auto ch = posix::AtCsimChannel::open(port(modem));
    REQUIRE_MESSAGE(ch.ok(), ch.error().describe());
    auto usim = ApduUsim::open(*ch.value(), {});
    REQUIRE_MESSAGE(usim.ok(), usim.error().describe());
    auto id = usim.value()->identity();
    REQUIRE(id.ok());
    CHECK(id->imsi == "001010123456789");
    CHECK(id->mnc_length == 2);

    Bytes rand = hex("23553cbe9637a89d218ae64dae47bf35");
    Bytes autn = hex("55f328b43577b9b94a9ffac354dfafb3");
    auto ok = usim.value()->authenticate(ByteView(rand), ByteView(autn));
    REQUIRE_MESSAGE(ok.ok(), ok.error().describe());
    REQUIRE(ok->status == AkaStatus::success);
    CHECK(hex_of(ok->res.view()) == "a54211d5e3ba50bf");  // TS 35.208 test set 1
    auto again = usim.value()->authenticate(ByteView(rand), ByteView(autn));
    REQUIRE(again.ok());
    CHECK(again->status == AkaStatus::sync_failure);  // the replay: AUTS through the modem
    CHECK(modem.csim_commands() > 4);
  }
}

TEST_CASE("at+csim: +CME ERROR, ERROR and malformed answers are clear errors") {
  auto backend = soft();
  VirtualCard card({}, backend.get());
  EmulatedModem modem(card);
  REQUIRE(modem.ok());
  auto ch = posix::AtCsimChannel::open(port(modem));
  REQUIRE_MESSAGE(ch.ok(), ch.error().describe());
  const Bytes select_mf = hex("00A40004023F00");

  EmulatedModem::Behaviour b;
  b.echo = false;
  b.cme_error = 10;
  modem.set(b);
  auto r = ch.value()->transmit(ByteView(select_mf));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::aka_card_io);
  CHECK(r.error().message().find("+CME ERROR: 10 (SIM not inserted)") != std::string::npos);

  b.cme_error = 0;
  b.plain_error = true;
  modem.set(b);
  r = ch.value()->transmit(ByteView(select_mf));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::aka_card_io);
  CHECK(r.error().message().find("AT+CSIM answered ERROR") != std::string::npos);

  b.plain_error = false;
  b.malformed = true;
  modem.set(b);
  r = ch.value()->transmit(ByteView(select_mf));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::aka_bad_response);

  b.malformed = false;
  modem.set(b);
  r = ch.value()->transmit(ByteView(select_mf));  // and the port works again
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->size() >= 2);

  CHECK(ch.value()->transmit(ByteView(hex("00A4"))).error().code() == Errc::aka_bad_input);
}

TEST_CASE("at+csim: a late answer is dropped, not taken for the next command's") {
  auto backend = soft();
  VirtualCard card({}, backend.get());
  EmulatedModem modem(card);
  REQUIRE(modem.ok());
  auto ch = posix::AtCsimChannel::open(port(modem, 300ms));
  REQUIRE_MESSAGE(ch.ok(), ch.error().describe());
  EmulatedModem::Behaviour b;
  b.echo = false;
  b.delay_ms = 450;  // the answer comes 150 ms after the channel gave up
  modem.set(b);
  auto unknown = ch.value()->transmit(ByteView(hex("00EE000000")));  // the card answers 6D00, too late
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message().find("no answer to AT+CSIM") != std::string::npos);
  b.delay_ms = 0;
  modem.set(b);
  auto select = ch.value()->transmit(ByteView(hex("00A40004023F00")));  // SELECT MF: 61xx or 9000
  REQUIRE_MESSAGE(select.ok(), select.error().describe());
  REQUIRE(select->size() >= 2);
  const std::uint8_t sw1 = (*select)[select->size() - 2];
  CHECK_MESSAGE((sw1 == 0x61 || sw1 == 0x90), "SELECT got " << hex_of(ByteView(select.value())));
  // and the channel is in step again: the next answers are the right ones
  auto again = ch.value()->transmit(ByteView(hex("00EE000000")));
  REQUIRE(again.ok());
  CHECK(hex_of(ByteView(again.value())) == "6d00");
}

TEST_CASE("at+csim: a modem that stops answering is a timeout, and the port works again after") {
  auto backend = soft();
  VirtualCard card({}, backend.get());
  EmulatedModem modem(card);
  REQUIRE(modem.ok());
  auto ch = posix::AtCsimChannel::open(port(modem, 300ms));
  REQUIRE_MESSAGE(ch.ok(), ch.error().describe());
  EmulatedModem::Behaviour b;
  b.echo = false;
  b.mute = true;
  modem.set(b);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = ch.value()->transmit(ByteView(hex("00A40004023F00")));
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::aka_card_io);
  CHECK(r.error().message().find("no answer to AT+CSIM within 300 ms") != std::string::npos);
  CHECK(took < 3s);

  b.mute = false;
  modem.set(b);
  auto ok = ch.value()->transmit(ByteView(hex("00A40004023F00")));
  REQUIRE_MESSAGE(ok.ok(), ok.error().describe());
}

TEST_CASE("at+csim: the port is locked, a missing port and an unplugged modem are clear errors") {
  auto backend = soft();
  VirtualCard card({}, backend.get());
  EmulatedModem modem(card);
  REQUIRE(modem.ok());
  auto first = posix::AtCsimChannel::open(port(modem));
  REQUIRE_MESSAGE(first.ok(), first.error().describe());
  auto second = posix::AtCsimChannel::open(port(modem));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message().find("another process holds the port") != std::string::npos);

  posix::AtCsimChannel::Options none;
  none.device = "/dev/utkit-no-such-modem";
  auto missing = posix::AtCsimChannel::open(none);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code() == Errc::aka_card_io);
  CHECK(missing.error().message().find("/dev/utkit-no-such-modem") != std::string::npos);

  modem.unplug();
  auto gone = first.value()->transmit(ByteView(hex("00A40004023F00")));
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code() == Errc::aka_card_io);
}
