// utkit/tls/profile.hpp — the cipher-suite and version policy of a TLS client.
//
// The default profile `ts33141` is the 3GPP TS 33.141 profile for Ut (see
// docs/security-profile.md): TLS 1.0 to 1.2, offering in this order
//   TLS_RSA_WITH_AES_128_CBC_SHA   0x002F  (RFC 3268)
//   TLS_RSA_WITH_AES_256_CBC_SHA   0x0035  (RFC 3268)
//   TLS_RSA_WITH_3DES_EDE_CBC_SHA  0x000A  (mandatory for the UE, T2)
//   TLS_RSA_WITH_RC4_128_SHA       0x0005  (servers must support it, T2)
// A user may narrow it (drop RC4, require TLS 1.2, keep only 3DES, ...).
// validate() refuses what TS 33.141 forbids: no encrypting suite (T3), an
// anonymous suite (T4), a NULL-integrity suite (T3), an effective key below
// 128 bits other than the mandated 3DES (T5), a minimum below TLS 1.0 (T1),
// and any suite this mbedTLS build cannot do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "utkit/base/result.hpp"

namespace utkit::tls {

enum class TlsVersion : std::uint8_t { ssl3_0 = 0, tls1_0 = 1, tls1_1 = 2, tls1_2 = 3 };

const char* to_string(TlsVersion v);  // "TLSv1.0", ...

// IANA numbers of the suites named in this SDK.
namespace suite {
inline constexpr std::uint16_t rsa_rc4_128_sha = 0x0005;
inline constexpr std::uint16_t rsa_3des_ede_cbc_sha = 0x000A;
inline constexpr std::uint16_t rsa_aes_128_cbc_sha = 0x002F;
inline constexpr std::uint16_t rsa_aes_256_cbc_sha = 0x0035;
inline constexpr std::uint16_t ecdhe_ecdsa_aes_128_gcm_sha256 = 0xC02B;
inline constexpr std::uint16_t ecdhe_ecdsa_aes_256_gcm_sha384 = 0xC02C;
inline constexpr std::uint16_t ecdhe_rsa_aes_128_gcm_sha256 = 0xC02F;
inline constexpr std::uint16_t ecdhe_rsa_aes_256_gcm_sha384 = 0xC030;
}  // namespace suite

// The IANA name ("TLS_RSA_WITH_3DES_EDE_CBC_SHA") of a suite mbedTLS knows,
// or "unknown (0xNNNN)".
std::string suite_name(std::uint16_t id);

struct TlsProfile {
  std::string name;
  std::vector<std::uint16_t> suites;  // preference order, IANA numbers
  TlsVersion min_version = TlsVersion::tls1_0;
  TlsVersion max_version = TlsVersion::tls1_2;

  static TlsProfile ts33141();
  // TLS 1.2 with ECDHE and AES-GCM, for servers that dropped RSA key exchange.
  // Not a TS 33.141 profile.
  static TlsProfile modern();
  // "ts33141" or "modern"; config_invalid otherwise.
  static Result<TlsProfile> named(std::string_view name);

  // A copy without `id` (e.g. without RC4: CVE-2023-43615 is not fixed in
  // Debian's 2.28.3).
  TlsProfile without(std::uint16_t id) const;
  // A copy with only these suites (kept in the given order).
  TlsProfile only(std::vector<std::uint16_t> ids) const;

  Result<void> validate() const;
};

}  // namespace utkit::tls
