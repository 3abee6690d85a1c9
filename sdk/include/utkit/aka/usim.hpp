// utkit/aka/usim.hpp — the USIM/ISIM backend interface, cut at the AKA step.
//
// A backend runs AKA on (RAND, AUTN) and reports one of three outcomes:
//   success       RES, CK, IK (TS 33.102 6.3.3)
//   sync_failure  AUTS: the AUTN was authentic but its SQN was not fresh
//   mac_failure   the AUTN was not authentic: the network failed
//                 authentication; no RES exists and none may be sent
// Errors (Result's error side) mean the backend could not run AKA at all
// (card I/O, corrupt state, bad input). Key derivations above AKA (GBA Ks,
// Ks_NAF) belong to the gba module, not here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "utkit/base/bytes.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"

namespace utkit::aka {

enum class AkaStatus { success, sync_failure, mac_failure };

const char* to_string(AkaStatus status);

struct AkaResult {
  AkaStatus status = AkaStatus::mac_failure;
  SecretBytes res;  // success: 4-16 bytes
  SecretBytes ck;   // success: 16 bytes
  SecretBytes ik;   // success: 16 bytes
  Bytes auts;       // sync_failure: 14 bytes

  static AkaResult mac_failure() { return AkaResult{}; }
};

struct UsimIdentity {
  std::string imsi;                // digits; empty when the backend has none
  int mnc_length = 0;              // 2 or 3 (EF_AD byte 4); 0 when unknown
  std::string impi;                // from the ISIM, or derived from the IMSI
  std::vector<std::string> impus;  // from the ISIM, or configured
  std::string home_domain;         // from the ISIM (EF_DOMAIN), or derived
  bool from_isim = false;          // IMPI/domain came from an ISIM
};

class UsimBackend {
 public:
  virtual ~UsimBackend() = default;

  // A short name for logs: "soft", "apdu", ...
  virtual std::string_view name() const = 0;
  virtual Result<UsimIdentity> identity() = 0;
  // RAND and AUTN are 16 bytes each.
  virtual Result<AkaResult> authenticate(ByteView rand, ByteView autn) = 0;
  // True when the card can run GBA_U (the GBA security context of TS 31.102).
  virtual bool supports_gba_u() const { return false; }

  // GBA_U (TS 33.220 Annex G, TS 31.102 7.1.2.4): AKA in the GBA security
  // context. The card keeps Ks = CK || IK; the result carries RES (success)
  // or AUTS (sync failure) only, never CK or IK.
  virtual Result<AkaResult> gba_u_bootstrap(ByteView rand, ByteView autn);
  // GBA_U NAF derivation: Ks_ext_NAF for NAF_Id and IMPI, from the Ks the
  // card kept at the last gba_u_bootstrap.
  virtual Result<SecretBytes> gba_u_ks_ext_naf(ByteView naf_id, std::string_view impi);
};

// The data of a successful AUTHENTICATE answer in the 3G context (TS 31.102
// 7.1.2.1): 'DB' L RES L CK L IK [L Kc] -> success, 'DC' L AUTS ->
// sync_failure. What Android's getIccAuthentication returns (base64-decoded).
// Errors: aka_bad_response for anything else.
Result<AkaResult> parse_authenticate_answer(ByteView answer);

// TS 23.003 13.3: IMPI = <IMSI>@ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org, MNC
// zero-padded to 3 digits. `mnc_length` (2 or 3) must come from EF_AD; it is
// never guessed from the IMSI.
Result<std::string> impi_from_imsi(std::string_view imsi, int mnc_length);
// TS 23.003 13.2: ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org
Result<std::string> home_domain_from_imsi(std::string_view imsi, int mnc_length);

}  // namespace utkit::aka
