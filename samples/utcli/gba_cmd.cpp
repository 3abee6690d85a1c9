// utcli bootstrap: run (or reuse) the GBA bootstrap and print the B-TID and
// its expiry — never a key.
#include "gba_cmd.hpp"

#include <nlohmann/json.hpp>

#include "output.hpp"

#include <cstdio>

#include "utkit/gba/gba.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"

namespace utcli {

using namespace utkit;

int bootstrap_command(Config& config, const std::vector<std::string>& args, bool as_json, bool verbose) {
  bool force = false;
  for (const auto& a : args) {
    if (a == "--force") {
      force = true;
    } else {
      return usage_error("unknown bootstrap option '" + a + "' (only --force)");
    }
  }
  auto rt = open_runtime(config, verbose);
  if (!rt) return fail(rt.error());
  Runtime& env = *rt.value();
  std::shared_ptr<tls::TlsContext> tls;
  if (!config.ca_file.empty()) {
    tls::TlsConfig tc;
    tc.profile = tls::TlsProfile::named(config.tls_profile).value();
    tc.max_fragment = static_cast<tls::MaxFragment>(config.max_fragment);
    tc.trust.ca_file = config.ca_file;
    auto ctx = tls::TlsContext::create(tc, *env.random, env.clock, nullptr, &env.log);
    if (!ctx) return fail(ctx.error());
    tls = ctx.value();
  }
  gba::GbaConfig gc;
  gc.bsf_url = config.bsf_url;
  gc.impi = config.impi;
  gc.gba_u = config.gba_u.value_or(config.profile ? config.profile->gba_u : false);
  gc.require_rspauth = config.require_rspauth;
  gc.allow_qop_auth = config.allow_qop_auth;
  gc.expiry_margin = std::chrono::seconds(config.expiry_margin_s);
  gc.timeout = Millis(config.bootstrap_ms);
  auto g = gba::GbaClient::create(gc, *env.backend.usim, *env.tcp, *env.random, env.clock, tls, env.store.get(), &env.log);
  if (!g) return fail(g.error());
  const bool had = static_cast<bool>(g.value()->current());
  auto ctx = force ? g.value()->bootstrap() : g.value()->context();
  if (!ctx) return fail(ctx.error());
  const auto& c = *ctx.value();
  const bool reused = had && !force;
  const auto stats = g.value()->stats();
  if (as_json) {
    nlohmann::json j = {{"btid", c.btid},         {"expires", gba::format_xsd_datetime(c.expiry)},
                        {"impi", c.impi},         {"bsf", g.value()->bsf().origin()},
                        {"reused", reused},       {"resyncs", stats.resyncs},
                        {"gba_u", c.uicc}};
    print_json(j);
  } else {
    std::printf("B-TID        %s\n", term(c.btid).c_str());
    std::printf("valid until  %s\n", gba::format_xsd_datetime(c.expiry).c_str());
    std::printf("IMPI         %s\n", term(c.impi).c_str());
    std::printf("BSF          %s\n", term(g.value()->bsf().origin()).c_str());
    std::printf("%s%s\n", reused ? "reused the stored bootstrapping context" : "new bootstrap (Ub)",
                stats.resyncs ? ", after one SQN resynchronisation" : "");
  }
  return 0;
}

}  // namespace utcli
