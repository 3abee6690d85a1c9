// utkit/gba/context.hpp — the bootstrapping context and what the BSF sends.
#pragma once

#include <string>

#include "utkit/aka/usim.hpp"
#include "utkit/base/clock.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/secret.hpp"

namespace utkit::gba {

// What a successful Ub run leaves: TS 33.220 4.5.2.
struct BootstrapContext {
  std::string btid;      // B-TID = base64(RAND) "@" BSF server name
  SecretBytes ks;        // Ks = CK || IK (32 bytes, GBA_ME)
  Bytes rand;            // 16 bytes
  std::string impi;      // exactly as sent as the Ub user name
  WallTime expiry;       // from BootstrappingInfo/lifetime
  WallTime issued{};     // when the BSF's 200 arrived (epoch when unknown, e.g. an older record)
  std::string bsf_host;
  bool uicc = false;     // GBA_U: Ks stays in the card (ks is empty here)

  // Usable at `now`, keeping a margin before the expiry for clock skew and
  // renewal: `margin`, but never more than a quarter of the lifetime the BSF
  // granted (so a 10 s B-TID is used for 7.5 s, not refused as "too close").
  bool valid_at(WallTime now, std::chrono::seconds margin) const;
  std::chrono::seconds effective_margin(std::chrono::seconds margin) const;
  BootstrapContext clone() const;

  // A text record for a KeyValueStore (it holds Ks: the store keeps it 0600).
  SecretBytes serialize() const;
  static Result<BootstrapContext> parse(ByteView record);
};

// BootstrappingInfo (TS 24.109 Annex C, application/vnd.3gpp.bsf+xml):
// <BootstrappingInfo xmlns="uri:3gpp-gba"><btid>...</btid>
// <lifetime>xsd:dateTime</lifetime></BootstrappingInfo>
struct BootstrappingInfo {
  std::string btid;
  WallTime lifetime;
};
// Refuses bodies over 16 KiB, DOCTYPEs (no entity expansion at all), a
// missing, empty, repeated or malformed btid (check_btid), a missing,
// repeated or unparsable lifetime.
Result<BootstrappingInfo> parse_bootstrapping_info(std::string_view xml);

// A B-TID as utkit accepts it, from a BSF or from storage: 1-255 printable
// ASCII characters with an '@', no quote or backslash.
Result<void> check_btid(std::string_view btid);

// xsd:dateTime: YYYY-MM-DDThh:mm:ss[.fff](Z|(+|-)hh:mm); no zone means UTC.
Result<WallTime> parse_xsd_datetime(std::string_view text);
std::string format_xsd_datetime(WallTime t);  // UTC, "Z"

// TS 23.003 13: the BSF name for an identity. With an ISIM home domain:
// "bsf." + domain with ".3gppnetwork.org" turned into ".pub.3gppnetwork.org";
// else from the IMSI: bsf.mnc<MNC>.mcc<MCC>.pub.3gppnetwork.org.
Result<std::string> bsf_host_for(const aka::UsimIdentity& identity);

}  // namespace utkit::gba
