// Milenage against the 3GPP TS 35.208 conformance sets in vectors/milenage.txt,
// table-driven: one doctest subcase per set.
#include <doctest/doctest.h>

#include "support.hpp"
#include "utkit/aka/milenage.hpp"

using namespace utkit;
using namespace utkit::aka;
using testsupport::hex;
using testsupport::hex_of;

namespace {
struct MilenageSet {
  std::string name, k, rand, sqn, amf, op, opc, f1, f1s, f2, f3, f4, f5, f5s;
};

std::vector<MilenageSet> load_sets() {
  std::vector<MilenageSet> sets;
  for (auto& f : testsupport::read_vector_lines("milenage.txt", ' ')) {
    if (f.size() != 14) continue;
    sets.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]});
  }
  return sets;
}
}  // namespace

TEST_CASE("milenage: TS 35.208 conformance sets (vectors/milenage.txt)") {
  auto sets = load_sets();
  REQUIRE(sets.size() >= 3);
  for (const auto& s : sets) {
    SUBCASE(("set " + s.name).c_str()) {
      auto opc = Milenage::compute_opc(ByteView(hex(s.k)), ByteView(hex(s.op)));
      REQUIRE(opc.ok());
      CHECK(hex_of(opc->view()) == s.opc);

      auto m = Milenage::create(ByteView(hex(s.k)), ByteView(hex(s.opc)));
      REQUIRE(m.ok());
      auto macs = m->f1(ByteView(hex(s.rand)), ByteView(hex(s.sqn)), ByteView(hex(s.amf)));
      REQUIRE(macs.ok());
      CHECK(hex_of(ByteView(macs->mac_a)) == s.f1);
      CHECK(hex_of(ByteView(macs->mac_s)) == s.f1s);

      auto keys = m->f2345(ByteView(hex(s.rand)));
      REQUIRE(keys.ok());
      CHECK(hex_of(keys->res.view()) == s.f2);
      CHECK(hex_of(keys->ck.view()) == s.f3);
      CHECK(hex_of(keys->ik.view()) == s.f4);
      CHECK(hex_of(ByteView(keys->ak)) == s.f5);

      auto ak_star = m->f5star(ByteView(hex(s.rand)));
      REQUIRE(ak_star.ok());
      CHECK(hex_of(ByteView(*ak_star)) == s.f5s);
    }
  }
}

TEST_CASE("milenage: AuC vector matches vectors/gba.txt (set 1)") {
  auto sets = load_sets();
  auto gba = testsupport::read_keyed("gba.txt");
  const auto& s = sets.at(0);
  REQUIRE(s.name == "1");
  auto m = Milenage::create(ByteView(hex(s.k)), ByteView(hex(s.opc)));
  REQUIRE(m.ok());
  Bytes sqn = hex(s.sqn);
  auto v = m->generate(ByteView(hex(s.rand)), get_be48(sqn.data()), ByteView(hex(s.amf)));
  REQUIRE(v.ok());
  CHECK(hex_of(ByteView(v->autn)) == gba.at("autn"));
  CHECK(hex_of(v->xres.view()) == gba.at("res"));
  CHECK(hex_of(v->ck.view()) == gba.at("ck"));
  CHECK(hex_of(v->ik.view()) == gba.at("ik"));
}

TEST_CASE("milenage: resynchronisation vector (libosmocore AUTS case)") {
  // K = OPc = 000102..0f, RAND = 0, AMF 0000, SQN 0x22 -> AUTN/RES/CK/IK from milenage.txt
  Bytes k = hex("000102030405060708090a0b0c0d0e0f");
  Bytes rand(16, 0);
  auto m = Milenage::create(ByteView(k), ByteView(k));
  REQUIRE(m.ok());
  auto v = m->generate(ByteView(rand), 0x22, ByteView(hex("0000")));
  REQUIRE(v.ok());
  CHECK(hex_of(ByteView(v->autn)) == "ec9320c2c2120000c8b7de2a3449f1bd");
  CHECK(hex_of(v->xres.view()) == "e9fc88ccc8a35381");
  CHECK(hex_of(v->ck.view()) == "7200a184d8f2c758fbdf87900ddbf275");
  CHECK(hex_of(v->ik.view()) == "12cb2dd3e0ec8378f6fc1d606c619f47");

  // The network side decodes the published AUTS to SQN_MS = 0x1f.
  auto sqn_ms = m->resync(ByteView(rand), ByteView(hex("8711a0ec9e1637df17f80b384ee4")));
  REQUIRE(sqn_ms.ok());
  CHECK(sqn_ms.value() == 0x1f);
  // A flipped MAC-S bit is refused.
  auto bad = m->resync(ByteView(rand), ByteView(hex("8711a0ec9e1637df17f80b384ee5")));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == Errc::aka_bad_response);
}

TEST_CASE("milenage: wrong input sizes are errors, not crashes") {
  Bytes k(16, 1);
  CHECK(Milenage::create(ByteView(k), ByteView(Bytes(15))).error().code() == Errc::aka_bad_input);
  CHECK(Milenage::create(ByteView(Bytes(17)), ByteView(k)).error().code() == Errc::aka_bad_input);
  auto m = Milenage::create(ByteView(k), ByteView(k));
  REQUIRE(m.ok());
  auto r = m->f2345(ByteView(Bytes(8)));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "RAND must be 16 bytes, got 8");
  CHECK_FALSE(m->f1(ByteView(Bytes(16)), ByteView(Bytes(5)), ByteView(Bytes(2))).ok());
  CHECK_FALSE(m->generate(ByteView(Bytes(16)), std::uint64_t{1} << 48, ByteView(Bytes(2))).ok());
  CHECK_FALSE(m->resync(ByteView(Bytes(16)), ByteView(Bytes(13))).ok());
}
