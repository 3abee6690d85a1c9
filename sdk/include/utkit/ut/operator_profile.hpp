// utkit/ut/operator_profile.hpp — what differs between operators' Ut
// deployments, as data: where the XCAP root is, how requests must look, and
// how the supplementary services are written. A profile fills a UtConfig (an
// XCAP root already set is kept); fields set afterwards win.
//
// Presets: "3gpp" (the specifications' defaults: XCAP root and BSF derived
// from the IMSI per TS 23.003, TLS, GBA_ME, quoted sip: intended identity,
// element writes, rule-deactivated) and "document-writes" (a pattern of
// older application servers: whole-document PUTs as
// application/vnd.etsi.simservs+xml, rules deleted to disable them, a bare
// tel: intended identity, E.164 tel: targets). utcli reads profiles from JSON
// files in the same terms (docs/operator-profiles.md).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "utkit/aka/usim.hpp"
#include "utkit/base/result.hpp"
#include "utkit/xcap/simservs.hpp"

namespace utkit::ut {

struct UtConfig;

enum class IdentityScheme {
  configured,  // UtConfig::xui, else the first IMPU
  sip,         // the first sip: IMPU
  tel,         // the first tel: IMPU
};

struct OperatorProfile {
  std::string name;
  // The XCAP root. Empty: derived from the IMSI, TS 23.003 13.9:
  // xcap.ims.mnc<MNC>.mcc<MCC>.pub.3gppnetwork.org, with the scheme, port
  // and path below.
  std::string xcap_root;
  bool xcap_tls = true;         // https (Ua over TLS) or http (Ua over plain HTTP)
  int xcap_port = 0;            // 0: the scheme's default
  std::string xcap_path;        // e.g. "/xcap-root"; for a derived root
  std::string auid_prefix;      // a path segment some servers want between the root and the AUID
  bool gba_u = false;
  std::string user_agent;       // empty: the SDK's ("3gpp-gba" is added either way)
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers on every Ua request
  bool quote_intended_identity = true;  // X-3GPP-Intended-Identity: "sip:..." or sip:...
  IdentityScheme identity = IdentityScheme::configured;
  xcap::SimservsProfile simservs;

  static Result<OperatorProfile> preset(std::string_view name);
  static std::vector<std::string> presets();
};

// The XCAP root derived from the IMSI (TS 23.003 13.9).
Result<std::string> xcap_root_for(const aka::UsimIdentity& id, bool tls = true, int port = 0,
                                  std::string_view path = {});

// Fills `config` from the profile; the identity supplies what is derived
// (the XCAP root, the IMPU of the chosen scheme, the number domain). An XCAP
// root already in `config` is kept (the AUID prefix is added to it); without
// one, the profile's root, else the root derived from the IMSI.
Result<void> apply(const OperatorProfile& profile, const aka::UsimIdentity& id, UtConfig& config);

}  // namespace utkit::ut
