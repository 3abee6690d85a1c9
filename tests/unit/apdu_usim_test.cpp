#include <doctest/doctest.h>

#include <algorithm>

#include "support.hpp"
#include "utkit/aka/apdu_usim.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "virtual_card.hpp"

using namespace utkit;
using namespace utkit::aka;
using testsupport::hex;
using testsupport::hex_of;
using testsupport::VirtualCard;

namespace {

const char* kK1 = "465b5ce8b199b49faa5f0a2ee238a6bc";
const char* kOpc1 = "cd63cb71954a9f4e48a5994e37a02baf";
const char* kRand1 = "23553cbe9637a89d218ae64dae47bf35";

std::unique_ptr<SoftUsim> soft() {
  SoftUsimConfig c;
  c.k = SecretBytes(ByteView(hex(kK1)));
  c.opc = SecretBytes(ByteView(hex(kOpc1)));
  c.impi = "card@ims.example.test";
  c.initial_sqn = ((0xff9bb4d0b607ULL >> 5) - 1) << 5;
  return SoftUsim::create(std::move(c), nullptr).value();
}

// A channel that replays a fixed script and checks each command.
struct ScriptedChannel final : ApduChannel {
  struct Step {
    std::string expect, reply;
  };
  std::vector<Step> steps;
  std::size_t at = 0;
  Result<Bytes> transmit(ByteView c) override {
    REQUIRE_MESSAGE(at < steps.size(), "unexpected extra APDU " << hex_of(c));
    CHECK(hex_of(c) == steps[at].expect);
    return hex(steps[at++].reply);
  }
};

}  // namespace

TEST_CASE("apdu exchange: 61xx chains GET RESPONSE, 6Cxx resends with Le") {
  ScriptedChannel ch;
  ch.steps = {{"00b2010400", "6c05"},          // wrong Le -> resend with 05
              {"00b2010405", "6102"},          // -> GET RESPONSE 02
              {"00c0000002", "aabb6101"},      // partial data, 1 more
              {"00c0000001", "cc9000"}};
  auto r = exchange(ch, ByteView(hex("00b2010400")));
  REQUIRE(r.ok());
  CHECK(r->sw == 0x9000);
  CHECK(hex_of(ByteView(r->data)) == "aabbcc");
  CHECK(ch.at == 4);
}

TEST_CASE("apdu exchange: 6Cxx on a case-4 command replaces the Le") {
  ScriptedChannel ch;
  ch.steps = {{"00a4000402" "6f07", "6c1a"}, {"00a4000402" "6f07" "1a", "62029000"}};
  auto r = exchange(ch, ByteView(hex("00a40004026f07")));
  REQUIRE(r.ok());
  CHECK(hex_of(ByteView(r->data)) == "6202");
}

TEST_CASE("apdu exchange: malformed and endless answers are errors") {
  ScriptedChannel ch;
  ch.steps = {{"00b0000001", "90"}};
  auto r = exchange(ch, ByteView(hex("00b0000001")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::aka_bad_response);
  ScriptedChannel loop;
  for (int i = 0; i < 17; ++i) loop.steps.push_back({i == 0 ? "00b0000001" : "00c0000001", "6101"});
  auto r2 = exchange(loop, ByteView(hex("00b0000001")));
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().message().find("GET RESPONSE") != std::string::npos);
  CHECK_FALSE(exchange(loop, ByteView(hex("00b0"))).ok());
}

TEST_CASE("apdu usim: exact AUTHENTICATE bytes and DB parsing (scripted)") {
  ScriptedChannel ch;
  const std::string usim_aid = "a0000000871002ff49ffff89040b00ff";
  std::string dir_rec = "61184f10" + usim_aid + "5004555349 4d";
  dir_rec.erase(std::remove(dir_rec.begin(), dir_rec.end(), ' '), dir_rec.end());
  ch.steps = {
      {"00a40004023f00", "9000"},
      {"00a40004022f00", "6109"},
      {"00c0000009", "6207820542210020019000"},
      {"00b2010420", dir_rec + std::string(2 * (32 - 26), 'f') + "9000"},
      {"00a4040410" + usim_aid, "9000"},
      {"00a40004026f38", "620882024121800200099000"},  // EF_UST, 9 bytes
      {"00b0000009", "0000000000000000089000"},        // service 68 (GBA) set
      {"00a4040410" + usim_aid, "9000"},
      {"00880081221023553cbe9637a89d218ae64dae47bf351055f328b43577b9b94a9ffac354dfafb3", "6135"},
      {"00c0000035",
       "db08a54211d5e3ba50bf10b40ba9a3c58b2a05bbf0d987b21bf8cb10f769bcd751044604127672711c6d34419000"},
  };
  for (auto& s : ch.steps) s.reply.erase(std::remove(s.reply.begin(), s.reply.end(), ' '), s.reply.end());
  auto usim = ApduUsim::open(ch, {});
  REQUIRE_MESSAGE(usim.ok(), usim.error().describe());
  CHECK(hex_of(ByteView(usim.value()->usim_aid())) == usim_aid);
  CHECK_FALSE(usim.value()->has_isim());
  CHECK(usim.value()->supports_gba_u());
  auto r = usim.value()->authenticate(ByteView(hex(kRand1)), ByteView(hex("55f328b43577b9b94a9ffac354dfafb3")));
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == AkaStatus::success);
  CHECK(hex_of(r->res.view()) == "a54211d5e3ba50bf");
  CHECK(hex_of(r->ck.view()) == "b40ba9a3c58b2a05bbf0d987b21bf8cb");
  CHECK(hex_of(r->ik.view()) == "f769bcd751044604127672711c6d3441");
  CHECK(ch.at == ch.steps.size());
}

TEST_CASE("apdu usim: GBA_U bootstrapping and NAF derivation bytes (scripted)") {
  ScriptedChannel ch;
  const std::string usim_aid = "a0000000871002ff49ffff89040b00ff";
  const std::string dir_rec = "61184f10" + usim_aid + "50045553494d" + std::string(12, 'f');
  const std::string naf = "naf.example.test", impi = "alice@ims.example.test";
  const std::string naf_id_hex = testsupport::hex_of(ByteView::of(naf)) + "0100000002";
  const std::string ks_ext = "3a8f901675b5e273844cb914a293bf74772964b40d48ef196bd420d33e29ac86";
  ch.steps = {
      {"00a40004023f00", "9000"},
      {"00a40004022f00", "62078205422100200190000"},
      {"00b2010420", dir_rec + "9000"},
      {"00a4040410" + usim_aid, "9000"},
      {"00a40004026f38", "620882024121800200099000"},
      {"00b0000009", "0000000000000000089000"},
      // bootstrapping mode: 'DD' 10 RAND 10 AUTN, Lc 0x23 -> 'DB' 08 RES
      {"00a4040410" + usim_aid, "9000"},
      {"0088008423dd1023553cbe9637a89d218ae64dae47bf351055f328b43577b9b94a9ffac354dfafb3", "db08a54211d5e3ba50bf9000"},
      // NAF derivation mode: 'DE' L NAF_Id L IMPI -> 'DB' 20 Ks_ext_NAF
      {"00a4040410" + usim_aid, "9000"},
      {"00880084" + testsupport::hex_of(ByteView(Bytes{static_cast<std::uint8_t>(3 + naf.size() + 5 + impi.size())})) +
           "de" + testsupport::hex_of(ByteView(Bytes{static_cast<std::uint8_t>(naf.size() + 5)})) + naf_id_hex +
           testsupport::hex_of(ByteView(Bytes{static_cast<std::uint8_t>(impi.size())})) +
           testsupport::hex_of(ByteView::of(impi)),
       "db20" + ks_ext + "9000"},
  };
  ch.steps[1].reply = "6207820542210020019000";
  auto usim = ApduUsim::open(ch, {});
  REQUIRE_MESSAGE(usim.ok(), usim.error().describe());
  REQUIRE(usim.value()->supports_gba_u());
  auto r = usim.value()->gba_u_bootstrap(ByteView(hex(kRand1)), ByteView(hex("55f328b43577b9b94a9ffac354dfafb3")));
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == AkaStatus::success);
  CHECK(hex_of(r->res.view()) == "a54211d5e3ba50bf");
  CHECK(r->ck.empty());  // CK and IK stay in the card
  CHECK(r->ik.empty());
  Bytes nid = hex(naf_id_hex);
  auto k = usim.value()->gba_u_ks_ext_naf(ByteView(nid), impi);
  REQUIRE_MESSAGE(k.ok(), k.error().describe());
  CHECK(hex_of(k->view()) == ks_ext);
  CHECK(ch.at == ch.steps.size());
}

TEST_CASE("apdu usim: a card without GBA refuses GBA_U clearly") {
  auto backend = soft();
  VirtualCard card({}, backend.get());
  auto u = ApduUsim::open(card, {});
  REQUIRE(u.ok());
  CHECK_FALSE(u.value()->supports_gba_u());
  CHECK(u.value()->gba_u_bootstrap(ByteView(Bytes(16)), ByteView(Bytes(16))).error().code() == Errc::not_supported);
  CHECK(backend->gba_u_ks_ext_naf(ByteView(Bytes(5)), "x").error().code() == Errc::not_supported);
}

TEST_CASE("apdu usim on a virtual card: T=0 and T=1, success, resync, MAC failure") {
  for (bool t0 : {true, false}) {
    SUBCASE(t0 ? "T=0" : "T=1") {
      auto backend = soft();
      VirtualCard::Options o;
      o.t0 = t0;
      o.strict_le = true;
      VirtualCard card(o, backend.get());
      auto usim = ApduUsim::open(card, {});
      REQUIRE_MESSAGE(usim.ok(), usim.error().describe());
      Bytes rand = hex(kRand1);
      Bytes autn = hex("55f328b43577b9b94a9ffac354dfafb3");

      auto ok = usim.value()->authenticate(ByteView(rand), ByteView(autn));
      REQUIRE_MESSAGE(ok.ok(), ok.error().describe());
      REQUIRE(ok->status == AkaStatus::success);
      CHECK(hex_of(ok->res.view()) == "a54211d5e3ba50bf");
      CHECK(hex_of(ok->ik.view()) == "f769bcd751044604127672711c6d3441");

      auto again = usim.value()->authenticate(ByteView(rand), ByteView(autn));
      REQUIRE(again.ok());
      REQUIRE(again->status == AkaStatus::sync_failure);
      auto net = Milenage::create(ByteView(hex(kK1)), ByteView(hex(kOpc1)));
      CHECK(net->resync(ByteView(rand), ByteView(again->auts)).value() == 0xff9bb4d0b607ULL);

      autn[9] ^= 0x80;
      auto mac = usim.value()->authenticate(ByteView(rand), ByteView(autn));
      REQUIRE(mac.ok());
      CHECK(mac->status == AkaStatus::mac_failure);
      CHECK(mac->res.empty());
    }
  }
}

TEST_CASE("apdu usim: identity from a USIM-only card and from an ISIM") {
  auto backend = soft();
  SUBCASE("USIM only: IMPI derived with the MNC length from EF_AD") {
    VirtualCard::Options o;
    o.imsi = "310150123456789";
    o.mnc_length = 3;
    VirtualCard card(o, backend.get());
    auto usim = ApduUsim::open(card, {});
    REQUIRE(usim.ok());
    auto id = usim.value()->identity();
    REQUIRE_MESSAGE(id.ok(), id.error().describe());
    CHECK(id->imsi == "310150123456789");
    CHECK(id->mnc_length == 3);
    CHECK(id->impi == "310150123456789@ims.mnc150.mcc310.3gppnetwork.org");
    CHECK(id->home_domain == "ims.mnc150.mcc310.3gppnetwork.org");
    CHECK_FALSE(id->from_isim);
  }
  SUBCASE("even-length IMSI") {
    VirtualCard::Options o;
    o.imsi = "00101012345678";
    VirtualCard card(o, backend.get());
    auto id = ApduUsim::open(card, {}).value()->identity();
    REQUIRE(id.ok());
    CHECK(id->imsi == "00101012345678");
  }
  SUBCASE("EF_AD without the MNC length: a clear error, no guess") {
    VirtualCard::Options o;
    o.mnc_length = 0;
    VirtualCard card(o, backend.get());
    auto id = ApduUsim::open(card, {}).value()->identity();
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().message().find("MNC length") != std::string::npos);
  }
  SUBCASE("ISIM: IMPI, domain and IMPUs from the card; AKA on the ISIM") {
    VirtualCard::Options o;
    o.with_isim = true;
    VirtualCard card(o, backend.get());
    auto usim = ApduUsim::open(card, {ApduUsim::AuthApp::isim});
    REQUIRE(usim.ok());
    CHECK(usim.value()->has_isim());
    auto id = usim.value()->identity();
    REQUIRE_MESSAGE(id.ok(), id.error().describe());
    CHECK(id->from_isim);
    CHECK(id->impi == "alice@ims.example.test");
    CHECK(id->home_domain == "ims.example.test");
    REQUIRE(id->impus.size() == 2);
    CHECK(id->impus[1] == "tel:+15550100");
    CHECK(id->imsi == "001010123456789");
    card.log.clear();
    auto r = usim.value()->authenticate(ByteView(hex(kRand1)), ByteView(hex("55f328b43577b9b94a9ffac354dfafb3")));
    REQUIRE(r.ok());
    CHECK(r->status == AkaStatus::success);
    REQUIRE_FALSE(card.log.empty());
    CHECK(hex_of(ByteView(card.log[0])) == "00a4040410" + hex_of(ByteView(VirtualCard::isim_aid())));
  }
}

TEST_CASE("apdu usim: card errors are clear errors") {
  auto backend = soft();
  SUBCASE("no USIM or ISIM application") {
    VirtualCard::Options o;
    o.with_usim = false;
    VirtualCard card(o, backend.get());
    auto u = ApduUsim::open(card, {});
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().code() == Errc::aka_app_not_found);
  }
  SUBCASE("card removed") {
    VirtualCard card({}, backend.get());
    auto u = ApduUsim::open(card, {});
    REQUIRE(u.ok());
    card.unplugged = true;
    auto r = u.value()->authenticate(ByteView(hex(kRand1)), ByteView(Bytes(16)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::aka_card_io);
  }
  SUBCASE("security status not satisfied") {
    VirtualCard card({}, backend.get());
    auto u = ApduUsim::open(card, {});
    card.auth_status_override = 0x6982;
    auto r = u.value()->authenticate(ByteView(hex(kRand1)), ByteView(Bytes(16)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::aka_card_status);
    CHECK(r.error().message().find("6982") != std::string::npos);
  }
  SUBCASE("malformed DB / DC / unknown tag answers") {
    VirtualCard card({}, backend.get());
    auto u = ApduUsim::open(card, {});
    for (const char* raw : {"db08a54211d5e3ba50bf10b40b", "dc05010203", "db", "aa0101", "db0100" "10" "00"}) {
      card.auth_raw_override = hex(raw);
      auto r = u.value()->authenticate(ByteView(hex(kRand1)), ByteView(Bytes(16)));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code() == Errc::aka_bad_response);
    }
  }
  SUBCASE("wrong input sizes") {
    VirtualCard card({}, backend.get());
    auto u = ApduUsim::open(card, {});
    CHECK(u.value()->authenticate(ByteView(Bytes(15)), ByteView(Bytes(16))).error().code() == Errc::aka_bad_input);
  }
}
