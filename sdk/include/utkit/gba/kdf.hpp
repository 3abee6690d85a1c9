// utkit/gba/kdf.hpp — the 3GPP key derivation function and Ks_NAF.
//
// TS 33.220 Annex B.2:  derived key = HMAC-SHA-256(Key, S)
//                       S = FC || P0 || L0 || P1 || L1 || ... || Pn || Ln
// each Li the length of Pi as two octets, big-endian; strings in UTF-8.
//
// Ks_NAF = KDF(Ks, FC = 0x01, P0 = "gba-me", P1 = RAND, P2 = IMPI, P3 = NAF_Id)
// NAF_Id = NAF FQDN || Ua security protocol identifier (Annex H, 5 octets).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "utkit/base/bytes.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"

namespace utkit::gba {

// HMAC-SHA-256(key, FC || P0 || L0 || ...). Each parameter at most 65535 bytes.
Result<SecretBytes> kdf(ByteView key, std::uint8_t fc, const std::vector<ByteView>& params);

using UaProtocolId = std::array<std::uint8_t, 5>;

// TS 33.220 Annex H identifiers of the Ua security protocol.
// 01 00 01 yy zz: TS 33.222 5.3/5.4, shared-key HTTP Digest over TLS, yy zz
// the *negotiated* TLS cipher suite: the Ut case.
UaProtocolId ua_tls_digest(std::uint16_t negotiated_suite);
// 01 00 00 00 02: HTTP Digest per TS 24.109 without TLS.
UaProtocolId ua_http_digest();
// 01 00 02 yy zz: TS 33.222 Annex D (TLS with a pre-shared key).
UaProtocolId ua_tls_psk(std::uint16_t negotiated_suite);

// NAF FQDN || Ua security protocol identifier.
Bytes naf_id(std::string_view naf_fqdn, const UaProtocolId& ua);

// Ks_NAF for GBA_ME (Ks = CK || IK).
Result<SecretBytes> ks_naf(ByteView ks, ByteView rand, std::string_view impi, ByteView naf_id);

}  // namespace utkit::gba
