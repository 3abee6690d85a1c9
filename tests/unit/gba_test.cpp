// gba units: the KDF and Ks_NAF against vectors/gba.txt, NAF_Id, xsd:dateTime,
// BootstrappingInfo parsing (hostile input included), context records, BSF names.
#include <doctest/doctest.h>

#include "support.hpp"
#include "utkit/aka/milenage.hpp"
#include "utkit/gba/context.hpp"
#include "utkit/gba/kdf.hpp"

using namespace utkit;
using namespace utkit::gba;
using testsupport::hex;
using testsupport::hex_of;

TEST_CASE("gba kdf: generic KDF vector (TS 33.401 A.3 KeNB, vectors/gba.txt)") {
  int n = 0;
  for (auto& f : testsupport::read_vector_lines("gba.txt", ' ')) {
    if (f[0] != "kdf") continue;
    const std::vector<std::string> p = testsupport::split(f[1], '|');
    REQUIRE(p.size() == 4);
    Bytes key = hex(p[0]), p0 = hex(p[2]);
    auto out = kdf(ByteView(key), static_cast<std::uint8_t>(std::stoi(p[1], nullptr, 16)), {ByteView(p0)});
    REQUIRE(out.ok());
    CHECK(hex_of(out->view()) == p[3]);
    ++n;
  }
  CHECK(n >= 1);
}

TEST_CASE("gba: Ks_NAF vectors (vectors/gba.txt), Ks = CK || IK of TS 35.208 set 1") {
  auto g = testsupport::read_keyed("gba.txt");
  Bytes ks = hex(g.at("ck"));
  append(ks, ByteView(hex(g.at("ik"))));
  Bytes rand = hex("23553cbe9637a89d218ae64dae47bf35");
  CHECK(base64_encode(ByteView(rand)) + "@bsf.example.test" == g.at("btid"));
  int n = 0;
  for (auto& f : testsupport::read_vector_lines("gba.txt", ' ')) {
    if (f[0] != "ks_naf") continue;
    const std::vector<std::string> p = testsupport::split(f[1], '|');
    REQUIRE(p.size() == 4);
    Bytes ua = hex(p[1]);
    UaProtocolId id{};
    std::copy(ua.begin(), ua.end(), id.begin());
    Bytes nid = naf_id(p[0], id);
    auto k = ks_naf(ByteView(ks), ByteView(rand), g.at("impi"), ByteView(nid));
    REQUIRE(k.ok());
    CHECK(hex_of(k->view()) == p[2]);
    CHECK(base64_encode(k->view()) == p[3]);
    ++n;
  }
  CHECK(n >= 3);
}

TEST_CASE("gba: Ua protocol identifiers (TS 33.220 Annex H)") {
  CHECK(hex_of(ByteView(ua_tls_digest(0x000A))) == "010001000a");
  CHECK(hex_of(ByteView(ua_tls_digest(0x002F))) == "010001002f");
  CHECK(hex_of(ByteView(ua_http_digest())) == "0100000002");
  CHECK(hex_of(ByteView(ua_tls_psk(0x008C))) == "010002008c");
  CHECK(hex_of(ByteView(naf_id("a.b", ua_http_digest()))) == "612e620100000002");
  CHECK_FALSE(ks_naf(ByteView(Bytes(16)), ByteView(Bytes(16)), "x", ByteView()).ok());
}

TEST_CASE("gba: xsd:dateTime") {
  auto t = parse_xsd_datetime("2026-11-23T16:00:00Z");
  REQUIRE(t.ok());
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count() == 1795449600);
  CHECK(format_xsd_datetime(t.value()) == "2026-11-23T16:00:00Z");
  CHECK(parse_xsd_datetime("2026-11-23T18:00:00+02:00").value() == t.value());
  CHECK(parse_xsd_datetime("2026-11-23T15:30:00.123-00:30").value() == t.value());
  CHECK(parse_xsd_datetime("2026-11-23T16:00:00").value() == t.value());
  CHECK(format_xsd_datetime(parse_xsd_datetime("2000-02-29T23:59:59Z").value()) == "2000-02-29T23:59:59Z");
  CHECK(format_xsd_datetime(parse_xsd_datetime("2028-02-29T00:00:00Z").value()) == "2028-02-29T00:00:00Z");
  CHECK(format_xsd_datetime(parse_xsd_datetime("2026-12-31T00:00:00Z").value()) == "2026-12-31T00:00:00Z");
  CHECK(format_xsd_datetime(parse_xsd_datetime("1970-01-01T00:00:00Z").value()) == "1970-01-01T00:00:00Z");
  CHECK(format_xsd_datetime(parse_xsd_datetime("2200-12-31T23:59:59Z").value()) == "2200-12-31T23:59:59Z");
  for (const char* bad : {"", "2026-11-23", "2026-13-01T00:00:00Z", "2026-11-23 16:00:00Z", "2026-11-23T16:00:00X",
                          "2026-11-23T16:00:00+0200", "26-11-23T16:00:00Z", "2026-11-23T16:00:00Z junk",
                          "4060-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "2027-02-31T00:00:00Z",
                          "2027-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z"}) {
    CHECK_MESSAGE(parse_xsd_datetime(bad).error().code() == Errc::gba_bad_bootstrapping_info, bad);
  }
}

TEST_CASE("gba: BootstrappingInfo") {
  auto ok = parse_bootstrapping_info(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BootstrappingInfo xmlns=\"uri:3gpp-gba\">\n"
      "<btid> I1U8vpY3qJ0hiuZNrke/NQ==@bsf.example.test </btid>\n<lifetime>2030-01-01T00:00:00Z</lifetime>\n"
      "<extension><x/></extension></BootstrappingInfo>");
  REQUIRE_MESSAGE(ok.ok(), ok.error().describe());
  CHECK(ok->btid == "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.example.test");
  CHECK(format_xsd_datetime(ok->lifetime) == "2030-01-01T00:00:00Z");
  auto prefixed = parse_bootstrapping_info(
      "<g:BootstrappingInfo xmlns:g=\"uri:3gpp-gba\"><g:btid>a@b</g:btid><g:lifetime>2030-01-01T00:00:00Z</g:lifetime>"
      "</g:BootstrappingInfo>");
  CHECK(prefixed.ok());

  auto code = [](const std::string& xml) { return parse_bootstrapping_info(xml).error().code(); };
  CHECK(code("<BootstrappingInfo><lifetime>2030-01-01T00:00:00Z</lifetime></BootstrappingInfo>") ==
        Errc::gba_bad_bootstrapping_info);
  CHECK(code("<BootstrappingInfo><btid>a@b</btid></BootstrappingInfo>") == Errc::gba_bad_bootstrapping_info);
  CHECK(code("<BootstrappingInfo><btid>a@b</btid><lifetime>soon</lifetime></BootstrappingInfo>") ==
        Errc::gba_bad_bootstrapping_info);
  CHECK(code("<Other/>") == Errc::gba_bad_bootstrapping_info);
  CHECK(code("<BootstrappingInfo><btid>a@b</btid>") == Errc::gba_bad_bootstrapping_info);
  CHECK(code("") == Errc::gba_bad_bootstrapping_info);
  CHECK(code("<BootstrappingInfo><btid>no-at-sign</btid><lifetime>2030-01-01T00:00:00Z</lifetime></BootstrappingInfo>") ==
        Errc::gba_bad_bootstrapping_info);
  CHECK(code("<BootstrappingInfo><btid>a\"b@c</btid><lifetime>2030-01-01T00:00:00Z</lifetime></BootstrappingInfo>") ==
        Errc::gba_bad_bootstrapping_info);
  // Billion laughs: refused before any parsing.
  auto lol = parse_bootstrapping_info(
      "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<BootstrappingInfo><btid>&b;@x</btid><lifetime>2030-01-01T00:00:00Z</lifetime></BootstrappingInfo>");
  REQUIRE_FALSE(lol.ok());
  CHECK(lol.error().message().find("DOCTYPE") != std::string::npos);
  CHECK(code(std::string(20000, ' ')) == Errc::gba_bad_bootstrapping_info);
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += "<a>";
  CHECK(code(deep) == Errc::gba_bad_bootstrapping_info);
}

namespace {
// A context as a TS 35.208 set-1 bootstrap leaves it (vectors/gba.txt).
BootstrapContext sample_context() {
  BootstrapContext c;
  c.btid = "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.example.test";
  c.ks = SecretBytes(ByteView(hex("b40ba9a3c58b2a05bbf0d987b21bf8cbf769bcd751044604127672711c6d3441")));
  c.rand = hex("23553cbe9637a89d218ae64dae47bf35");
  c.impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
  c.expiry = parse_xsd_datetime("2030-01-01T00:00:00Z").value();
  c.bsf_host = "bsf.example.test";
  return c;
}
}  // namespace

TEST_CASE("gba: context record round trip, refusals") {
  BootstrapContext c = sample_context();
  SecretBytes rec = c.serialize();
  auto back = BootstrapContext::parse(rec.view());
  REQUIRE(back.ok());
  CHECK(back->btid == c.btid);
  CHECK(back->ks.view() == c.ks.view());
  CHECK(back->rand == c.rand);
  CHECK(back->impi == c.impi);
  CHECK(back->expiry == c.expiry);
  CHECK(back->bsf_host == c.bsf_host);
  CHECK(c.valid_at(c.expiry - std::chrono::seconds(61), std::chrono::seconds(60)));
  CHECK_FALSE(c.valid_at(c.expiry - std::chrono::seconds(59), std::chrono::seconds(60)));
  CHECK(BootstrapContext::parse(ByteView::of("garbage")).error().code() == Errc::storage_corrupt);
  std::string truncated(rec.view().as_string().substr(0, rec.size() - 20));
  CHECK_FALSE(BootstrapContext::parse(ByteView::of(truncated)).ok());
}

TEST_CASE("gba: BSF names (TS 23.003)") {
  aka::UsimIdentity isim;
  isim.from_isim = true;
  isim.home_domain = "ims.mnc001.mcc001.3gppnetwork.org";
  CHECK(bsf_host_for(isim).value() == "bsf.ims.mnc001.mcc001.pub.3gppnetwork.org");
  isim.home_domain = "ims.example.net";
  CHECK(bsf_host_for(isim).value() == "bsf.ims.example.net");
  aka::UsimIdentity usim;
  usim.imsi = "310150123456789";
  usim.mnc_length = 3;
  CHECK(bsf_host_for(usim).value() == "bsf.mnc150.mcc310.pub.3gppnetwork.org");
  usim.imsi = "234150999999999";
  usim.mnc_length = 2;
  CHECK(bsf_host_for(usim).value() == "bsf.mnc015.mcc234.pub.3gppnetwork.org");
  usim.mnc_length = 0;
  CHECK(bsf_host_for(usim).error().code() == Errc::config_missing);
}

TEST_CASE("gba: BootstrappingInfo with two btids or two lifetimes is refused, not 'the last one wins'") {
  auto two_btids = parse_bootstrapping_info(
      "<BootstrappingInfo><btid>a@b</btid><btid>evil@b</btid><lifetime>2030-01-01T00:00:00Z</lifetime>"
      "</BootstrappingInfo>");
  REQUIRE_FALSE(two_btids.ok());
  CHECK(two_btids.error().code() == Errc::gba_bad_bootstrapping_info);
  CHECK(two_btids.error().message().find("more than one <btid>") != std::string::npos);
  auto two_lifetimes = parse_bootstrapping_info(
      "<BootstrappingInfo><btid>a@b</btid><lifetime>2030-01-01T00:00:00Z</lifetime>"
      "<lifetime>2099-01-01T00:00:00Z</lifetime></BootstrappingInfo>");
  REQUIRE_FALSE(two_lifetimes.ok());
  CHECK(two_lifetimes.error().message().find("more than one <lifetime>") != std::string::npos);
}

TEST_CASE("gba: a B-TID that is not printable ASCII, or a body that is not UTF-8, is refused") {
  const std::string life = "<lifetime>2030-01-01T00:00:00Z</lifetime>";
  for (const std::string& btid : {std::string("a\xc3\xa9@b"), std::string("a\x1b[2J@b"), std::string("a\x7f@b")}) {
    auto r = parse_bootstrapping_info("<BootstrappingInfo><btid>" + btid + "</btid>" + life + "</BootstrappingInfo>");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::gba_bad_bootstrapping_info);
    CHECK(r.error().message().find('\x1b') == std::string::npos);  // the message does not echo it raw
  }
  auto not_utf8 = parse_bootstrapping_info("<BootstrappingInfo><btid>a\xff@b</btid>" + life + "</BootstrappingInfo>");
  REQUIRE_FALSE(not_utf8.ok());
  CHECK(not_utf8.error().message().find("UTF-8") != std::string::npos);
  CHECK(check_btid("I1U8vpY3qJ0hiuZNrke/NQ==@bsf.example.test").ok());
}

TEST_CASE("gba: a stored context with an out-of-range expiry or a bad B-TID is refused") {
  BootstrapContext c = sample_context();
  const std::string good(c.serialize().view().as_string());
  auto with_line = [&](const std::string& key, const std::string& value) {
    std::string rec = good;
    const auto at = rec.find("\n" + key + " ");
    REQUIRE(at != std::string::npos);
    const auto end = rec.find('\n', at + 1);
    rec.replace(at + 1, end - at - 1, key + " " + value);
    return BootstrapContext::parse(ByteView::of(rec));
  };
  REQUIRE(with_line("expiry", "1893456000").ok());
  for (const char* v : {"-9000000000000000000", "9000000000000000000", "99999999999999999999999", "-1", "1e9", ""}) {
    INFO("expiry " << v);
    auto r = with_line("expiry", v);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::storage_corrupt);
  }
  for (const char* b : {"a\xff@b", "a\"b@c", "no-at", "a\x1b@b"}) {
    auto r = with_line("btid", b);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::storage_corrupt);
  }
}

TEST_CASE("gba: NAF_Id uses the host in one canonical form (case, trailing dot)") {
  const UaProtocolId ua = ua_tls_digest(0x002F);
  CHECK(naf_id("XCAP.Example.NET", ua) == naf_id("xcap.example.net", ua));
  CHECK(naf_id("xcap.example.net.", ua) == naf_id("xcap.example.net", ua));
  CHECK(hex_of(ByteView(naf_id("A.B.", ua_http_digest()))) == "612e620100000002");
}
