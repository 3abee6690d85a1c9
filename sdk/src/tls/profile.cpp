#include "utkit/tls/profile.hpp"

#include "utkit/base/encoding.hpp"

#include <mbedtls/cipher.h>
#include <mbedtls/ssl_ciphersuites.h>

#include <algorithm>
#include <cstdio>

#include "../base/text.hpp"

namespace utkit::tls {
namespace {

// TLS_DH_anon_* and TLS_ECDH_anon_* (IANA registry): anonymous key exchange,
// forbidden by TS 33.141 (T4) whatever the TLS library supports.
constexpr std::uint16_t kAnonymous[] = {0x0017, 0x0018, 0x0019, 0x001A, 0x001B, 0x0034, 0x003A, 0x0046,
                                        0x006C, 0x006D, 0x0089, 0x009B, 0x00A6, 0x00A7, 0x00BF, 0x00C5,
                                        0xC015, 0xC016, 0xC017, 0xC018, 0xC019, 0xC046, 0xC047, 0xC05A,
                                        0xC05B, 0xC084, 0xC085};
// Export-grade and single-DES suites: under 128-bit keys (T5).
constexpr std::uint16_t kWeak[] = {0x0003, 0x0006, 0x0008, 0x0009, 0x000B, 0x000C, 0x000E, 0x000F,
                                   0x0011, 0x0012, 0x0014, 0x0015, 0x001A, 0x0019, 0x0017};

template <std::size_t N>
bool in(const std::uint16_t (&list)[N], std::uint16_t id) {
  return std::find(std::begin(list), std::end(list), id) != std::end(list);
}

std::string hex4(std::uint16_t id) { return cat({"0x", hex_number(id, 4, true)}); }

Error invalid(const std::string& profile, const std::string& why) {
  return make_error(Errc::tls_profile_invalid, "TLS profile '{}': {}", {profile, why});
}

}  // namespace

const char* to_string(TlsVersion v) {
  switch (v) {
    case TlsVersion::ssl3_0: return "SSLv3.0";
    case TlsVersion::tls1_0: return "TLSv1.0";
    case TlsVersion::tls1_1: return "TLSv1.1";
    case TlsVersion::tls1_2: return "TLSv1.2";
  }
  return "?";
}

std::string suite_name(std::uint16_t id) {
  const mbedtls_ssl_ciphersuite_t* cs = mbedtls_ssl_ciphersuite_from_id(id);
  if (cs == nullptr) return format("unknown ({})", {hex4(id)});
  std::string n = cs->name;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

TlsProfile TlsProfile::ts33141() {
  return {"ts33141",
          {suite::rsa_aes_128_cbc_sha, suite::rsa_aes_256_cbc_sha, suite::rsa_3des_ede_cbc_sha,
           suite::rsa_rc4_128_sha},
          TlsVersion::tls1_0,
          TlsVersion::tls1_2};
}

TlsProfile TlsProfile::modern() {
  return {"modern",
          {suite::ecdhe_ecdsa_aes_128_gcm_sha256, suite::ecdhe_rsa_aes_128_gcm_sha256,
           suite::ecdhe_ecdsa_aes_256_gcm_sha384, suite::ecdhe_rsa_aes_256_gcm_sha384},
          TlsVersion::tls1_2,
          TlsVersion::tls1_2};
}

Result<TlsProfile> TlsProfile::named(std::string_view name) {
  if (name == "ts33141") return ts33141();
  if (name == "modern") return modern();
  return make_error(Errc::config_invalid, "unknown TLS profile '{}' (use ts33141 or modern)", {name});
}

TlsProfile TlsProfile::without(std::uint16_t id) const {
  TlsProfile p = *this;
  p.suites.erase(std::remove(p.suites.begin(), p.suites.end(), id), p.suites.end());
  return p;
}

TlsProfile TlsProfile::only(std::vector<std::uint16_t> ids) const {
  TlsProfile p = *this;
  p.suites = std::move(ids);
  return p;
}

Result<void> TlsProfile::validate() const {
  if (min_version < TlsVersion::tls1_0) {
    return invalid(name, format("minimum version {} is below TLS 1.0; TS 33.141 forbids SSL 3.0 and earlier",
                                {to_string(min_version)}));
  }
  if (max_version < min_version) {
    return invalid(
        name, format("maximum version {} is below the minimum {}", {to_string(max_version), to_string(min_version)}));
  }
  if (suites.empty()) return invalid(name, "no cipher suite");
  bool encrypting = false;
  for (auto it = suites.begin(); it != suites.end(); ++it) {
    const std::uint16_t id = *it;
    // A profile lists a handful of suites: a search of the ones before is enough.
    if (std::find(suites.begin(), it, id) != it) return invalid(name, format("suite {} is listed twice", {hex4(id)}));
    if (in(kAnonymous, id)) {
      return invalid(name, format("suite {} uses an anonymous key exchange; TS 33.141 forbids it", {hex4(id)}));
    }
    if (id == 0x0000) {
      return invalid(name, "TLS_NULL_WITH_NULL_NULL has no integrity protection; TS 33.141 forbids it");
    }
    if (in(kWeak, id)) {
      return invalid(name, format("suite {} has a key shorter than 128 bits; TS 33.141 forbids it", {hex4(id)}));
    }
    const mbedtls_ssl_ciphersuite_t* cs = mbedtls_ssl_ciphersuite_from_id(id);
    if (cs == nullptr) {
      return invalid(name, format("suite {} is not supported by this mbedTLS build", {hex4(id)}));
    }
    const mbedtls_cipher_info_t* ci = mbedtls_cipher_info_from_type(cs->cipher);
    const bool null_cipher = cs->cipher == MBEDTLS_CIPHER_NULL;
    const bool aead = ci != nullptr && (ci->mode == MBEDTLS_MODE_GCM || ci->mode == MBEDTLS_MODE_CCM ||
                                        ci->mode == MBEDTLS_MODE_CHACHAPOLY);
    if (cs->mac == MBEDTLS_MD_NONE && !aead) {
      return invalid(name, cat({suite_name(id), " has no integrity protection; TS 33.141 forbids it"}));
    }
    if (!null_cipher && (ci == nullptr || ci->key_bitlen < 128)) {
      return invalid(name, cat({suite_name(id), " has a key shorter than 128 bits; TS 33.141 forbids it"}));
    }
    const int max_minor = static_cast<int>(max_version);
    const int min_minor = static_cast<int>(min_version);
    if (cs->min_minor_ver > max_minor || cs->max_minor_ver < min_minor) {
      return invalid(name, format("{} cannot be used between {} and {}",
                                  {suite_name(id), to_string(min_version), to_string(max_version)}));
    }
    encrypting = encrypting || !null_cipher;
  }
  if (!encrypting) {
    return invalid(name, "no suite encrypts; TS 33.141 requires at least one encrypting suite beside NULL ones");
  }
  return success();
}

}  // namespace utkit::tls
