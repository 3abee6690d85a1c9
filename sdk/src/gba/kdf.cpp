#include "utkit/gba/kdf.hpp"

#include "utkit/http/writer.hpp"

#include <mbedtls/md.h>

namespace utkit::gba {

Result<SecretBytes> kdf(ByteView key, std::uint8_t fc, const std::vector<ByteView>& params) {
  // S = FC || P0 || L0 || P1 || L1 || ...
  Bytes s;
  s.push_back(fc);
  for (ByteView p : params) {
    if (p.size() > 0xFFFF) return Error(Errc::invalid_argument, "KDF parameter longer than 65535 bytes");
    append(s, p);
    put_be16(s, static_cast<std::uint16_t>(p.size()));
  }
  SecretBytes out(32);
  int rc = mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key.data(), key.size(), s.data(), s.size(),
                           out.data());
  secure_wipe(s);  // holds RAND and IMPI: not secret, but no reason to leave them about
  if (rc != 0) return Error(Errc::internal, "HMAC-SHA-256 failed");
  return out;
}

UaProtocolId ua_tls_digest(std::uint16_t suite) {
  return {0x01, 0x00, 0x01, static_cast<std::uint8_t>(suite >> 8), static_cast<std::uint8_t>(suite)};
}

UaProtocolId ua_http_digest() { return {0x01, 0x00, 0x00, 0x00, 0x02}; }

UaProtocolId ua_tls_psk(std::uint16_t suite) {
  return {0x01, 0x00, 0x02, static_cast<std::uint8_t>(suite >> 8), static_cast<std::uint8_t>(suite)};
}

Bytes naf_id(std::string_view fqdn, const UaProtocolId& ua) {
  // The FQDN as DNS compares it: "XCAP.example.net." and "xcap.example.net"
  // are one NAF and must derive one Ks_NAF.
  const std::string host = http::canonical_host(fqdn);
  Bytes id(host.begin(), host.end());
  id.insert(id.end(), ua.begin(), ua.end());
  return id;
}

Result<SecretBytes> ks_naf(ByteView ks, ByteView rand, std::string_view impi, ByteView naf_id) {
  if (ks.size() != 32) return Error(Errc::invalid_argument, "Ks must be 32 bytes (CK || IK)");
  static const char kGbaMe[] = "gba-me";
  return kdf(ks, 0x01, {ByteView::of(kGbaMe), rand, ByteView::of(impi), naf_id});
}

}  // namespace utkit::gba
