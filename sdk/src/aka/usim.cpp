#include "utkit/aka/usim.hpp"

#include <cctype>

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
  return Error(Errc::not_supported, "the '" + std::string(name()) + "' USIM backend cannot run GBA_U");
}

Result<SecretBytes> UsimBackend::gba_u_ks_ext_naf(ByteView, std::string_view) {
  return Error(Errc::not_supported, "the '" + std::string(name()) + "' USIM backend cannot run GBA_U");
}

namespace {

struct PlmnParts {
  std::string_view mcc, mnc;
};

Result<PlmnParts> split_imsi(std::string_view imsi, int mnc_length) {
  if (imsi.size() < 6 || imsi.size() > 15) {
    return Error(Errc::aka_no_identity, "IMSI must have 6 to 15 digits, got " + std::to_string(imsi.size()));
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
  return "ims.mnc" + mnc + ".mcc" + std::string(p.mcc) + ".3gppnetwork.org";
}

}  // namespace

Result<std::string> impi_from_imsi(std::string_view imsi, int mnc_length) {
  UTKIT_ASSIGN(PlmnParts p, split_imsi(imsi, mnc_length));
  return std::string(imsi) + "@" + domain(p);
}

Result<std::string> home_domain_from_imsi(std::string_view imsi, int mnc_length) {
  UTKIT_ASSIGN(PlmnParts p, split_imsi(imsi, mnc_length));
  return domain(p);
}

}  // namespace utkit::aka
