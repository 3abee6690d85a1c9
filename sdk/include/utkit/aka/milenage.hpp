// utkit/aka/milenage.hpp — the MILENAGE algorithm set (3GPP TS 35.206) on
// mbedTLS AES-128, for the software USIM and for a network-side AuC.
//
// All functions take fixed-size inputs (RAND 16, SQN 6, AMF 2, AUTN 16,
// AUTS 14 bytes) and refuse others with aka_bad_input.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "utkit/base/bytes.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"

namespace utkit::aka {

inline constexpr std::size_t kRandLen = 16;
inline constexpr std::size_t kAutnLen = 16;
inline constexpr std::size_t kAutsLen = 14;
inline constexpr std::size_t kSqnLen = 6;
inline constexpr std::size_t kAmfLen = 2;
inline constexpr std::size_t kKeyLen = 16;
inline constexpr std::uint64_t kSqnMask = (std::uint64_t{1} << 48) - 1;

struct MilenageMacs {
  std::array<std::uint8_t, 8> mac_a{};  // f1
  std::array<std::uint8_t, 8> mac_s{};  // f1*
};

struct MilenageKeys {
  SecretBytes res;                      // f2, 8 bytes
  SecretBytes ck;                       // f3, 16 bytes
  SecretBytes ik;                       // f4, 16 bytes
  std::array<std::uint8_t, 6> ak{};     // f5
};

// What an AuC hands out for one authentication.
struct AuthVector {
  Bytes rand;      // 16
  Bytes autn;      // 16: (SQN xor AK) || AMF || MAC-A
  SecretBytes xres;
  SecretBytes ck;
  SecretBytes ik;
};

class Milenage {
 public:
  // K and OPc, 16 bytes each. The key schedule lives in this object and is
  // wiped when it is destroyed.
  static Result<Milenage> create(ByteView k, ByteView opc);
  // OPc = OP xor E_K(OP)  (TS 35.206 4.1)
  static Result<SecretBytes> compute_opc(ByteView k, ByteView op);

  Milenage(Milenage&&) noexcept;
  Milenage& operator=(Milenage&&) noexcept;
  ~Milenage();

  // f1 and f1*: MAC-A and MAC-S over SQN || AMF.
  Result<MilenageMacs> f1(ByteView rand, ByteView sqn, ByteView amf) const;
  // f2, f3, f4, f5: RES, CK, IK, AK.
  Result<MilenageKeys> f2345(ByteView rand) const;
  // f5*: the anonymity key for re-synchronisation.
  Result<std::array<std::uint8_t, 6>> f5star(ByteView rand) const;

  // --- network side (AuC) ---
  // A vector for SQN (48 bits) and AMF: AUTN = (SQN xor AK) || AMF || MAC-A.
  Result<AuthVector> generate(ByteView rand, std::uint64_t sqn, ByteView amf) const;
  // Checks an AUTS (TS 33.102 6.3.5): recovers SQN_MS = (SQN_MS xor AK*) xor
  // f5*(RAND) and verifies MAC-S = f1*(SQN_MS, RAND, AMF = 0000). Returns
  // SQN_MS, or aka_bad_response when MAC-S is wrong.
  Result<std::uint64_t> resync(ByteView rand, ByteView auts) const;

 private:
  struct Impl;
  explicit Milenage(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace utkit::aka
