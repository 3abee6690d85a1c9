#include "utkit/aka/usim.hpp"

#include <cctype>

#include "utkit/aka/milenage.hpp"
#include "utkit/base/encoding.hpp"
#include "../base/text.hpp"

namespace utkit::aka {

const char* to_string(AkaStatus status) {
  switch (status) {
    case AkaStatus::success: return "success";
    case AkaStatus::sync_failure: return "sync_failure";
    case AkaStatus::mac_failure: return "mac_failure";
  }
  return "?";
}

Result<AkaResult> UsimBackend::gba_u_bootstrap(ByteView, ByteView) {
  return make_error(Errc::not_supported, "the '{}' USIM backend cannot run GBA_U", {name()});
}

Result<SecretBytes> UsimBackend::gba_u_ks_ext_naf(ByteView, std::string_view) {
  return make_error(Errc::not_supported, "the '{}' USIM backend cannot run GBA_U", {name()});
}

Result<AkaResult> parse_authenticate_answer(ByteView answer) {
  ByteView d = answer;
  if (d.empty()) return Error(Errc::aka_bad_response, "AUTHENTICATE answered with no data");

  auto lv = [&](std::size_t& pos, ByteView& out) {
    if (pos >= d.size()) return false;
    std::size_t len = d[pos];
    if (pos + 1 + len > d.size()) return false;
    out = d.sub(pos + 1, len);
    pos += 1 + len;
    return true;
  };
  std::size_t pos = 1;
  if (d[0] == 0xDB) {
    ByteView res, ck, ik;
    if (!lv(pos, res) || !lv(pos, ck) || !lv(pos, ik) || res.size() < 4 || res.size() > 16 || ck.size() != 16 ||
        ik.size() != 16) {
      return Error(Errc::aka_bad_response, "AUTHENTICATE 'DB' answer is malformed");
    }
    AkaResult out;
    out.status = AkaStatus::success;
    out.res = SecretBytes(res);
    out.ck = SecretBytes(ck);
    out.ik = SecretBytes(ik);
    return out;
  }
  if (d[0] == 0xDC) {
    ByteView auts;
    if (!lv(pos, auts) || auts.size() != kAutsLen) {
      return Error(Errc::aka_bad_response, "AUTHENTICATE 'DC' answer is malformed");
    }
    AkaResult out;
    out.status = AkaStatus::sync_failure;
    out.auts = auts.to_bytes();
    return out;
  }
  return make_error(Errc::aka_bad_response, "AUTHENTICATE answered with unknown tag '{}'", {hex_number(d[0], 2, true)});
}

namespace {

struct PlmnParts {
  std::string_view mcc, mnc;
};

Result<PlmnParts> split_imsi(std::string_view imsi, int mnc_length) {
  if (imsi.size() < 6 || imsi.size() > 15) {
    return make_error(Errc::aka_no_identity, {"IMSI must have 6 to 15 digits, got ", Dec(imsi.size())});
  }
  for (char c : imsi) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return Error(Errc::aka_no_identity, "IMSI must contain only digits");
    }
  }
  if (mnc_length != 2 && mnc_length != 3) {
    return Error(Errc::aka_no_identity,
                 "the MNC length (2 or 3, from EF_AD byte 4) is unknown; it cannot be guessed from the IMSI — "
                 "configure it");
  }
  return PlmnParts{imsi.substr(0, 3), imsi.substr(3, static_cast<std::size_t>(mnc_length))};
}

std::string domain(const PlmnParts& p) {
  std::string mnc(p.mnc);
  if (mnc.size() == 2) mnc.insert(mnc.begin(), '0');
  return format("ims.mnc{}.mcc{}.3gppnetwork.org", {mnc, p.mcc});
}

}  // namespace

Result<std::string> impi_from_imsi(std::string_view imsi, int mnc_length) {
  UTKIT_ASSIGN(PlmnParts p, split_imsi(imsi, mnc_length));
  return cat({imsi, "@", domain(p)});
}

Result<std::string> home_domain_from_imsi(std::string_view imsi, int mnc_length) {
  UTKIT_ASSIGN(PlmnParts p, split_imsi(imsi, mnc_length));
  return domain(p);
}

}  // namespace utkit::aka
