#include "utkit/aka/apdu_usim.hpp"

#include <cstdio>

#include "utkit/aka/milenage.hpp"
#include "utkit/base/encoding.hpp"
#include "../base/text.hpp"

namespace utkit::aka {
namespace {

// ETSI TS 101 220 application identifiers: RID A000000087, app code 1002 (USIM), 1004 (ISIM).
constexpr std::uint8_t kUsimPrefix[] = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02};
constexpr std::uint8_t kIsimPrefix[] = {0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04};

constexpr std::uint16_t kEfDir = 0x2F00;
constexpr std::uint16_t kEfImsi = 0x6F07;
constexpr std::uint16_t kEfAd = 0x6FAD;
constexpr std::uint16_t kEfImpi = 0x6F02;
constexpr std::uint16_t kEfDomain = 0x6F03;
constexpr std::uint16_t kEfImpu = 0x6F04;
constexpr std::uint16_t kEfUst = 0x6F38;
constexpr unsigned kServiceGba = 68;  // TS 31.102 4.2.8

constexpr std::uint16_t kSwOk = 0x9000;
constexpr std::uint16_t kSwAuthMacFailure = 0x9862;  // TS 31.102 7.3.1: "authentication error, incorrect MAC"

std::string sw_hex(std::uint16_t sw) { return hex_number(sw, 4, true); }

Error status_error(const std::string& what, std::uint16_t sw) {
  return make_error(Errc::aka_card_status, {what, " failed: the card answered status ", sw_hex(sw)});
}

bool starts_with(ByteView v, ByteView prefix) {
  return v.size() >= prefix.size() && v.sub(0, prefix.size()) == prefix;
}

// Finds TLV `tag` (one-byte tags, one-byte or 81/82 lengths) at the top level of `v`.
bool find_tlv(ByteView v, std::uint8_t tag, ByteView& value) {
  std::size_t i = 0;
  while (i + 2 <= v.size()) {
    std::uint8_t t = v[i];
    if (t == 0x00 || t == 0xFF) return false;  // padding
    std::size_t len = v[i + 1];
    std::size_t hdr = 2;
    if (len == 0x81) {
      if (i + 3 > v.size()) return false;
      len = v[i + 2];
      hdr = 3;
    } else if (len == 0x82) {
      if (i + 4 > v.size()) return false;
      len = (static_cast<std::size_t>(v[i + 2]) << 8) | v[i + 3];
      hdr = 4;
    } else if (len > 0x82) {
      return false;
    }
    if (i + hdr + len > v.size()) return false;
    if (t == tag) {
      value = v.sub(i + hdr, len);
      return true;
    }
    i += hdr + len;
  }
  return false;
}

// FCP template (tag 62) contents.
bool fcp_body(ByteView fcp, ByteView& body) { return find_tlv(fcp, 0x62, body); }

// TS 31.102 4.2.2: byte 1 = length, then BCD digits, low nibble first; the
// first nibble holds the parity/type, 'F' pads.
Result<std::string> decode_imsi(ByteView ef) {
  if (ef.size() < 2 || ef[0] == 0 || ef[0] == 0xFF || ef[0] > ef.size() - 1) {
    return Error(Errc::aka_no_identity, "EF_IMSI is empty or malformed");
  }
  std::string digits;
  for (std::size_t i = 1; i <= ef[0]; ++i) {
    std::uint8_t lo = ef[i] & 0x0F, hi = ef[i] >> 4;
    if (i != 1) {
      if (lo == 0x0F) break;
      if (lo > 9) return Error(Errc::aka_no_identity, "EF_IMSI has a non-digit");
      digits += static_cast<char>('0' + lo);
    }
    if (hi == 0x0F) break;
    if (hi > 9) return Error(Errc::aka_no_identity, "EF_IMSI has a non-digit");
    digits += static_cast<char>('0' + hi);
  }
  if (digits.size() < 6) return Error(Errc::aka_no_identity, "EF_IMSI holds fewer than 6 digits");
  return digits;
}

// The NAI in an ISIM record: TLV tag 80 (TS 31.103 4.2.2-4.2.4).
std::string tlv80_text(ByteView rec) {
  ByteView v;
  if (!find_tlv(rec, 0x80, v)) return {};
  return std::string(v.as_string());
}

}  // namespace

Result<std::unique_ptr<ApduUsim>> ApduUsim::open(ApduChannel& channel, Options options) {
  std::unique_ptr<ApduUsim> usim(new ApduUsim(channel, options));
  // EF.DIR lives under the MF: select the MF first (3F00), then 2F00.
  static const std::uint8_t kSelectMf[] = {0x00, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00};
  UTKIT_ASSIGN(ApduResponse mf, exchange(channel, ByteView(kSelectMf, sizeof kSelectMf)));
  if (mf.sw != kSwOk) return status_error("SELECT MF", mf.sw);
  UTKIT_ASSIGN(std::vector<Bytes> records, usim->read_records(kEfDir));
  for (const Bytes& rec : records) {
    ByteView app, aid;
    if (!find_tlv(ByteView(rec), 0x61, app) || !find_tlv(app, 0x4F, aid)) continue;
    if (usim->usim_aid_.empty() && starts_with(aid, ByteView(kUsimPrefix, sizeof kUsimPrefix))) {
      usim->usim_aid_ = aid.to_bytes();
    } else if (usim->isim_aid_.empty() && starts_with(aid, ByteView(kIsimPrefix, sizeof kIsimPrefix))) {
      usim->isim_aid_ = aid.to_bytes();
    }
  }
  if (usim->usim_aid_.empty() && usim->isim_aid_.empty()) {
    return Error(Errc::aka_app_not_found, "the card lists no USIM or ISIM application in EF.DIR (is it a 2G SIM?)");
  }
  if (!usim->usim_aid_.empty()) {
    // Service n is bit (n-1) mod 8 of byte (n-1) div 8 of EF_UST.
    UTKIT_TRY(usim->select_aid(ByteView(usim->usim_aid_)));
    auto ust = usim->read_transparent(kEfUst, 32);
    if (ust && ust->size() > (kServiceGba - 1) / 8) {
      usim->gba_u_ = ((*ust)[(kServiceGba - 1) / 8] >> ((kServiceGba - 1) % 8)) & 1;
    }
  }
  return usim;
}

Result<ApduResponse> ApduUsim::select_aid(ByteView aid) {
  Bytes cmd = {0x00, 0xA4, 0x04, 0x04, static_cast<std::uint8_t>(aid.size())};
  append(cmd, aid);
  UTKIT_ASSIGN(ApduResponse r, exchange(channel_, ByteView(cmd)));
  if (r.sw != kSwOk) return status_error(cat({"SELECT application ", to_hex(aid)}), r.sw);
  return r;
}

Result<ApduResponse> ApduUsim::select_file(std::uint16_t fid) {
  const std::uint8_t cmd[] = {0x00, 0xA4, 0x00, 0x04, 0x02, static_cast<std::uint8_t>(fid >> 8),
                              static_cast<std::uint8_t>(fid)};
  UTKIT_ASSIGN(ApduResponse r, exchange(channel_, ByteView(cmd, sizeof cmd)));
  if (r.sw != kSwOk) return status_error(cat({"SELECT file ", sw_hex(fid)}), r.sw);
  return r;
}

Result<Bytes> ApduUsim::read_transparent(std::uint16_t fid, std::size_t max_len) {
  UTKIT_ASSIGN(ApduResponse fcp, select_file(fid));
  ByteView body, size;
  std::size_t file_size = max_len;
  if (fcp_body(ByteView(fcp.data), body) && find_tlv(body, 0x80, size) && size.size() >= 1 && size.size() <= 2) {
    file_size = size.size() == 2 ? (static_cast<std::size_t>(size[0]) << 8 | size[1]) : size[0];
  }
  if (file_size > max_len) file_size = max_len;
  Bytes out;
  while (out.size() < file_size) {
    std::size_t chunk = std::min<std::size_t>(file_size - out.size(), 255);
    const std::uint8_t cmd[] = {0x00, 0xB0, static_cast<std::uint8_t>(out.size() >> 8),
                                static_cast<std::uint8_t>(out.size()), static_cast<std::uint8_t>(chunk)};
    UTKIT_ASSIGN(ApduResponse r, exchange(channel_, ByteView(cmd, sizeof cmd)));
    if (r.sw != kSwOk) return status_error(cat({"READ BINARY of ", sw_hex(fid)}), r.sw);
    if (r.data.empty()) break;
    append(out, ByteView(r.data));
  }
  return out;
}

Result<std::vector<Bytes>> ApduUsim::read_records(std::uint16_t fid) {
  UTKIT_ASSIGN(ApduResponse fcp, select_file(fid));
  ByteView body, desc;
  // File descriptor (tag 82) of a linear fixed EF: FDB, DCB, record length (2), record count (1).
  if (!fcp_body(ByteView(fcp.data), body) || !find_tlv(body, 0x82, desc) || desc.size() < 5) {
    return make_error(Errc::aka_bad_response, "file {} has no record structure in its FCP", {sw_hex(fid)});
  }
  const std::size_t rec_len = (static_cast<std::size_t>(desc[2]) << 8) | desc[3];
  const std::size_t count = desc[4];
  if (rec_len == 0 || rec_len > 255) {
    return make_error(Errc::aka_bad_response, "file {} declares records of {} bytes", {sw_hex(fid), Dec(rec_len)});
  }
  std::vector<Bytes> records;
  for (std::size_t n = 1; n <= count; ++n) {
    const std::uint8_t cmd[] = {0x00, 0xB2, static_cast<std::uint8_t>(n), 0x04, static_cast<std::uint8_t>(rec_len)};
    UTKIT_ASSIGN(ApduResponse r, exchange(channel_, ByteView(cmd, sizeof cmd)));
    if (r.sw != kSwOk) return status_error(format("READ RECORD {} of {}", {Dec(n), sw_hex(fid)}), r.sw);
    records.push_back(std::move(r.data));
  }
  return records;
}

Result<UsimIdentity> ApduUsim::identity() {
  UsimIdentity id;
  if (!usim_aid_.empty()) {
    UTKIT_TRY(select_aid(ByteView(usim_aid_)));
    UTKIT_ASSIGN(Bytes imsi, read_transparent(kEfImsi, 9));
    UTKIT_ASSIGN(id.imsi, decode_imsi(ByteView(imsi)));
    UTKIT_ASSIGN(Bytes ad, read_transparent(kEfAd, 4));
    if (ad.size() >= 4) {
      int mnc = ad[3] & 0x0F;
      if (mnc == 2 || mnc == 3) id.mnc_length = mnc;
    }
  }
  if (!isim_aid_.empty()) {
    UTKIT_TRY(select_aid(ByteView(isim_aid_)));
    UTKIT_ASSIGN(Bytes impi, read_transparent(kEfImpi, 255));
    UTKIT_ASSIGN(Bytes dom, read_transparent(kEfDomain, 255));
    UTKIT_ASSIGN(std::vector<Bytes> impus, read_records(kEfImpu));
    id.impi = tlv80_text(ByteView(impi));
    id.home_domain = tlv80_text(ByteView(dom));
    for (const Bytes& r : impus) {
      std::string u = tlv80_text(ByteView(r));
      if (!u.empty()) id.impus.push_back(std::move(u));
    }
    id.from_isim = !id.impi.empty();
  }
  if (id.impi.empty()) {
    auto impi = impi_from_imsi(id.imsi, id.mnc_length);
    if (!impi) return std::move(impi).error().with_context("card identity");
    id.impi = std::move(impi).value();
    UTKIT_ASSIGN(id.home_domain, home_domain_from_imsi(id.imsi, id.mnc_length));
  }
  return id;
}

Result<ApduResponse> ApduUsim::authenticate_apdu(std::uint8_t p2, const Bytes& data) {
  const bool use_isim = options_.auth_app == AuthApp::isim && !isim_aid_.empty();
  const Bytes& aid = use_isim || usim_aid_.empty() ? isim_aid_ : usim_aid_;
  UTKIT_TRY(select_aid(ByteView(aid)));
  if (data.size() > 255) return Error(Errc::aka_bad_input, "AUTHENTICATE data longer than 255 bytes");
  Bytes cmd = {0x00, 0x88, 0x00, p2, static_cast<std::uint8_t>(data.size())};
  append(cmd, ByteView(data));
  return exchange(channel_, ByteView(cmd));
}

Result<AkaResult> ApduUsim::authenticate(ByteView rand, ByteView autn) {
  if (rand.size() != kRandLen || autn.size() != kAutnLen) {
    return Error(Errc::aka_bad_input, "RAND and AUTN must be 16 bytes each");
  }
  // AUTHENTICATE, P2 = 81 (3G context): data = L || RAND || L || AUTN (TS 31.102 7.1.2).
  Bytes data = {0x10};
  append(data, rand);
  data.push_back(0x10);
  append(data, autn);
  UTKIT_ASSIGN(ApduResponse r, authenticate_apdu(0x81, data));
  struct Wipe {
    Bytes& b;
    ~Wipe() { secure_wipe(b); }
  } wipe{r.data};

  if (r.sw == kSwAuthMacFailure) return AkaResult::mac_failure();
  if (r.sw != kSwOk) return status_error("AUTHENTICATE", r.sw);
  return parse_authenticate_answer(r.data);
}

namespace {
// 'DB' L value, or 'DC' L value: the one TLV of a GBA AUTHENTICATE answer.
bool single_tlv(const Bytes& d, std::uint8_t& tag, ByteView& value) {
  if (d.size() < 2 || static_cast<std::size_t>(d[1]) + 2 != d.size()) return false;
  tag = d[0];
  value = ByteView(d).sub(2, d[1]);
  return true;
}
}  // namespace

Result<AkaResult> ApduUsim::gba_u_bootstrap(ByteView rand, ByteView autn) {
  if (!gba_u_) return Error(Errc::not_supported, "this card does not offer GBA (service 68 in EF_UST)");
  if (rand.size() != kRandLen || autn.size() != kAutnLen) {
    return Error(Errc::aka_bad_input, "RAND and AUTN must be 16 bytes each");
  }
  // GBA security context, bootstrapping mode (TS 31.102 7.1.2.4.1): 'DD' || L || RAND || L || AUTN.
  Bytes data = {0xDD, 0x10};
  append(data, rand);
  data.push_back(0x10);
  append(data, autn);
  UTKIT_ASSIGN(ApduResponse r, authenticate_apdu(0x84, data));
  struct Wipe {
    Bytes& b;
    ~Wipe() { secure_wipe(b); }
  } wipe{r.data};
  if (r.sw == kSwAuthMacFailure) return AkaResult::mac_failure();
  if (r.sw != kSwOk) return status_error("AUTHENTICATE (GBA bootstrapping)", r.sw);
  std::uint8_t tag = 0;
  ByteView v;
  if (!single_tlv(r.data, tag, v)) return Error(Errc::aka_bad_response, "malformed GBA bootstrapping answer");
  AkaResult out;
  if (tag == 0xDB && v.size() >= 4 && v.size() <= 16) {
    out.status = AkaStatus::success;
    out.res = SecretBytes(v);
    return out;
  }
  if (tag == 0xDC && v.size() == kAutsLen) {
    out.status = AkaStatus::sync_failure;
    out.auts = v.to_bytes();
    return out;
  }
  return Error(Errc::aka_bad_response, "unexpected GBA bootstrapping answer");
}

Result<SecretBytes> ApduUsim::gba_u_ks_ext_naf(ByteView naf_id, std::string_view impi) {
  if (!gba_u_) return Error(Errc::not_supported, "this card does not offer GBA (service 68 in EF_UST)");
  if (naf_id.size() > 255 || impi.size() > 255 || naf_id.size() + impi.size() + 3 > 255) {
    return Error(Errc::aka_bad_input, "NAF_Id and IMPI too long for one AUTHENTICATE");
  }
  // NAF derivation mode (TS 31.102 7.1.2.4.2): 'DE' || L || NAF_ID || L || IMPI.
  Bytes data = {0xDE, static_cast<std::uint8_t>(naf_id.size())};
  append(data, naf_id);
  data.push_back(static_cast<std::uint8_t>(impi.size()));
  append(data, ByteView::of(impi));
  UTKIT_ASSIGN(ApduResponse r, authenticate_apdu(0x84, data));
  struct Wipe {
    Bytes& b;
    ~Wipe() { secure_wipe(b); }
  } wipe{r.data};
  if (r.sw != kSwOk) return status_error("AUTHENTICATE (GBA NAF derivation)", r.sw);
  std::uint8_t tag = 0;
  ByteView v;
  if (!single_tlv(r.data, tag, v) || tag != 0xDB || v.size() != 32) {
    return Error(Errc::aka_bad_response, "malformed GBA NAF derivation answer (expected 'DB' with 32 bytes)");
  }
  return SecretBytes(v);
}

}  // namespace utkit::aka
