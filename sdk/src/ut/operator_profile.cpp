#include "utkit/ut/operator_profile.hpp"

#include "utkit/ut/session.hpp"
#include "../base/text.hpp"

namespace utkit::ut {

Result<OperatorProfile> OperatorProfile::preset(std::string_view name) {
  OperatorProfile p;
  p.name = std::string(name);
  if (name == "3gpp") return p;  // every default is the specifications'
  if (name == "document-writes") {
    p.simservs.element_writes = false;
    p.simservs.document_type = "application/vnd.etsi.simservs+xml";
    p.simservs.disable = xcap::DisableMethod::delete_rule;
    p.simservs.numbers = xcap::NumberFormat::e164_tel;
    p.quote_intended_identity = false;
    p.identity = IdentityScheme::tel;
    return p;
  }
  std::string known;
  for (const auto& n : presets()) known += (known.empty() ? "" : ", ") + n;
  return make_error(Errc::config_invalid, "no operator profile named '{}' (built in: {}; or give a profile file)",
                    {name, known});
}

std::vector<std::string> OperatorProfile::presets() { return {"3gpp", "document-writes"}; }

Result<std::string> xcap_root_for(const aka::UsimIdentity& id, bool tls, int port, std::string_view path) {
  if (id.imsi.size() < 6 || (id.mnc_length != 2 && id.mnc_length != 3)) {
    return Error(Errc::config_missing, "cannot derive the XCAP root: no IMSI with its MNC length; configure the XCAP root");
  }
  std::string mnc = id.imsi.substr(3, static_cast<std::size_t>(id.mnc_length));
  if (mnc.size() == 2) mnc.insert(mnc.begin(), '0');  // TS 23.003: the MNC on three digits
  std::string root =
      format("{}xcap.ims.mnc{}.mcc{}.pub.3gppnetwork.org", {tls ? "https://" : "http://", mnc, id.imsi.substr(0, 3)});
  if (port != 0) cat_append(root, {":", Dec(port)});
  if (!path.empty() && path.front() != '/') root += "/";
  root += std::string(path);
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root;
}

Result<void> apply(const OperatorProfile& p, const aka::UsimIdentity& id, UtConfig& c) {
  if (p.xcap_port < 0 || p.xcap_port > 65535) return Error(Errc::config_invalid, "operator profile: bad XCAP port");
  // The root: one already in the config wins, then the profile's, then the
  // one derived from the IMSI (the only case that needs an IMSI).
  if (c.xcap_root.empty()) {
    if (p.xcap_root.empty()) {
      UTKIT_ASSIGN(c.xcap_root, xcap_root_for(id, p.xcap_tls, p.xcap_port, p.xcap_path));
    } else {
      c.xcap_root = p.xcap_root;
    }
  }
  if (!p.auid_prefix.empty()) {
    while (!c.xcap_root.empty() && c.xcap_root.back() == '/') c.xcap_root.pop_back();
    std::string prefix = p.auid_prefix;
    while (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (prefix.find_first_of("?#") != std::string::npos) {
      return make_error(Errc::config_invalid, "operator profile: the AUID prefix must be a path, not '{}'",
                        {p.auid_prefix});
    }
    if (!prefix.empty()) cat_append(c.xcap_root, {"/", prefix});
  }
  c.gba.gba_u = p.gba_u;
  if (!p.user_agent.empty()) c.http.user_agent = p.user_agent;
  c.http.headers = p.headers;
  c.quote_intended_identity = p.quote_intended_identity;
  if (p.identity != IdentityScheme::configured) {
    const char* scheme = p.identity == IdentityScheme::tel ? "tel:" : "sip:";
    std::string chosen;
    for (const auto& impu : id.impus) {
      if (impu.rfind(scheme, 0) == 0) {
        chosen = impu;
        break;
      }
    }
    if (!chosen.empty()) {
      // The identity the operator keys Ut on: the user's tree and the
      // asserted identity alike.
      c.xui = chosen;
      c.intended_identity.clear();
    }
  }
  c.simservs = p.simservs;
  if (c.simservs.number_domain.empty()) c.simservs.number_domain = id.home_domain;
  return success();
}

}  // namespace utkit::ut
