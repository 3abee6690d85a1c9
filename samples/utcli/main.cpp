// utcli — the utkit command-line client. See docs/cli.md.
#include <nlohmann/json.hpp>

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "config.hpp"
#include "gba_cmd.hpp"
#include "ut_cmd.hpp"
#include "http_cmd.hpp"
#include "tls_probe.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"

namespace {

// Exit codes (docs/cli.md).
enum Exit : int {
  kOk = 0,
  kFailed = 1,       // the operation failed (I/O, card, storage)
  kUsage = 2,        // bad command line
  kConfig = 3,       // bad configuration
  kConnect = 4,      // could not connect (network or TLS failure)
  kSyncFailure = 5,  // AKA: SQN not fresh, AUTS printed
  kMacFailure = 6,   // AKA: the network failed authentication
};

const char* kHelp =
    "usage: utcli [--config FILE] [--json] COMMAND ...\n"
    "\n"
    "commands:\n"
    "  bootstrap [--force]    GBA bootstrap on Ub (or reuse the stored context);\n"
    "                         prints the B-TID and its expiry, never a key\n"
    "  buddies list [--list L] [--json]        the buddy list (default: xcap.list)\n"
    "  buddies add URI [--name N] [--list L]   add a buddy (one XCAP element PUT)\n"
    "  buddies remove URI [--list L]           remove a buddy\n"
    "  rules allow|block URI  let a watcher see your presence, or not\n"
    "  xcap get|put|delete SELECTOR [--file F] raw XCAP on your tree:\n"
    "                         AUID/DOCUMENT[/~~/NODE], e.g. resource-lists/index\n"
    "  usim info              identity of the configured USIM/ISIM backend\n"
    "  usim auth RAND AUTN    run AKA on a challenge (hex); prints the outcome,\n"
    "                         never RES/CK/IK; on a sync failure prints AUTS\n"
    "  tls-probe HOST:PORT    TLS handshake with the TS 33.141 client; prints the\n"
    "                         version, suite, resumption (utcli tls-probe --help)\n"
    "  http METHOD URL        one HTTP(S) request with Digest authentication\n"
    "                         (utcli http --help)\n"
    "\n"
    "options:\n"
    "  --config FILE          JSON configuration (docs/cli.md)\n"
    "  --json                 machine-readable output (stable, docs/cli.md)\n"
    "  -v                     log the flow step by step on stderr (secrets redacted)\n"
    "  -h, --help             this text\n"
    "\n"
    "exit codes: 0 ok, 1 failed, 2 usage, 3 configuration, 4 connection, TLS or\n"
    "            HTTP failure, 5 authentication (GBA/AKA) failure or AKA sync\n"
    "            failure, 7 XCAP error (not found, conflict, ...),\n"
    "            6 AKA MAC failure (network not authentic)\n";

int usage(const std::string& why) {
  std::fprintf(stderr, "utcli: %s\n\n%s", why.c_str(), kHelp);
  return kUsage;
}

int report(const utkit::Error& e, int code) {
  std::fprintf(stderr, "utcli: %s\n", e.describe().c_str());
  return code;
}

int config_or_runtime(const utkit::Error& e) {
  auto m = e.module();
  return report(e, (m == utkit::ErrorModule::config) ? kConfig : kFailed);
}

int cmd_usim_info(utcli::Backend& b, bool as_json) {
  auto id = b.usim->identity();
  if (!id) return config_or_runtime(id.error());
  auto* soft = dynamic_cast<utkit::aka::SoftUsim*>(b.usim.get());
  if (as_json) {
    nlohmann::json j = {{"backend", std::string(b.usim->name())},
                        {"impi", id->impi},
                        {"imsi", id->imsi},
                        {"home_domain", id->home_domain},
                        {"impus", id->impus},
                        {"from_isim", id->from_isim}};
    if (soft) j["sqn_ms"] = soft->sqn_ms();
    std::printf("%s\n", j.dump().c_str());
    return kOk;
  }
  std::printf("backend      %s\n", std::string(b.usim->name()).c_str());
  std::printf("IMPI         %s%s\n", id->impi.c_str(), id->from_isim ? " (from the ISIM)" : "");
  if (!id->imsi.empty()) std::printf("IMSI         %s (MNC length %d)\n", id->imsi.c_str(), id->mnc_length);
  std::printf("home domain  %s\n", id->home_domain.c_str());
  for (auto& u : id->impus) std::printf("IMPU         %s\n", u.c_str());
  if (soft) std::printf("SQN_MS       %012" PRIx64 "\n", soft->sqn_ms());
  return kOk;
}

int cmd_usim_auth(utcli::Backend& b, const std::string& rand_hex, const std::string& autn_hex, bool as_json) {
  auto rand = utkit::from_hex(rand_hex);
  auto autn = utkit::from_hex(autn_hex);
  if (!rand || rand->size() != 16) return usage("RAND must be 32 hex digits");
  if (!autn || autn->size() != 16) return usage("AUTN must be 32 hex digits");
  auto r = b.usim->authenticate(utkit::ByteView(rand.value()), utkit::ByteView(autn.value()));
  if (!r) return config_or_runtime(r.error());
  using utkit::aka::AkaStatus;
  nlohmann::json j = {{"status", utkit::aka::to_string(r->status)}};
  int code = kOk;
  std::string text;
  switch (r->status) {
    case AkaStatus::success:
      j["res_len"] = r->res.size();
      text = "AKA success: the network is authentic; RES (" + std::to_string(r->res.size()) +
             " bytes), CK and IK derived (secrets, not shown)";
      break;
    case AkaStatus::sync_failure:
      j["auts"] = utkit::to_hex(utkit::ByteView(r->auts));
      text = "AKA sync failure: the challenge's SQN is not fresh; send AUTS " + j["auts"].get<std::string>() +
             " to resynchronise";
      code = kSyncFailure;
      break;
    case AkaStatus::mac_failure:
      text = "AKA MAC failure: the challenge was not made with this subscriber's key; the network is not "
             "authentic and no response is sent";
      code = kMacFailure;
      break;
  }
  if (as_json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s\n", text.c_str());
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string config_path;
  bool as_json = false;
  bool verbose = false;
  std::vector<std::string> rest;
  // tls-probe and http take their own options.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "tls-probe" && args[i] != "http") continue;
    std::vector<std::string> sub(args.begin() + static_cast<long>(i) + 1, args.end());
    bool json_out = false;
    for (std::size_t j = 0; j < i; ++j) json_out = json_out || args[j] == "--json";
    for (auto it = sub.begin(); it != sub.end();) {
      if (*it == "--json") {
        json_out = true;
        it = sub.erase(it);
      } else if (*it == "-h" || *it == "--help") {
        std::printf("%s", args[i] == "http" ? utcli::kHttpHelp : utcli::kTlsProbeHelp);
        return kOk;
      } else {
        ++it;
      }
    }
    return args[i] == "http" ? utcli::http_command(sub, json_out) : utcli::tls_probe(sub, json_out);
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::printf("%s", kHelp);
      return kOk;
    } else if (a == "--config") {
      if (i + 1 >= args.size()) return usage("--config needs a file");
      config_path = args[++i];
    } else if (a == "--json") {
      as_json = true;
    } else if (a == "-v") {
      verbose = true;
    } else if (!rest.empty() && (rest[0] == "bootstrap" || rest[0] == "buddies" || rest[0] == "rules" ||
                                 rest[0] == "xcap") && (a == "--force" || a == "--list" || a == "--name" || a == "--file")) {
      rest.push_back(a);
      if (a != "--force" && i + 1 < args.size()) rest.push_back(args[++i]);
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option '" + a + "'");
    } else {
      rest.push_back(a);
    }
  }
  if (rest.empty()) return usage("no command given");
  if (rest[0] == "bootstrap") {
    if (config_path.empty()) return usage("bootstrap needs --config FILE");
    auto config = utcli::load_config(config_path);
    if (!config) return report(config.error(), kConfig);
    return utcli::bootstrap_command(config.value(), std::vector<std::string>(rest.begin() + 1, rest.end()), as_json,
                                    verbose);
  }
  if (rest[0] == "buddies" || rest[0] == "rules" || rest[0] == "xcap") {
    if (config_path.empty()) return usage(rest[0] + " needs --config FILE");
    auto config = utcli::load_config(config_path);
    if (!config) return report(config.error(), kConfig);
    return utcli::ut_command(config.value(), rest[0], std::vector<std::string>(rest.begin() + 1, rest.end()), as_json,
                             verbose);
  }
  if (rest[0] != "usim") return usage("unknown command '" + rest[0] + "'");
  if (rest.size() < 2) return usage("usim needs a subcommand: info or auth");
  if (config_path.empty()) return usage("usim commands need --config FILE");

  auto config = utcli::load_config(config_path);
  if (!config) return report(config.error(), kConfig);
  auto backend = utcli::open_backend(config.value());
  if (!backend) return config_or_runtime(backend.error());

  if (rest[1] == "info" && rest.size() == 2) return cmd_usim_info(backend.value(), as_json);
  if (rest[1] == "auth" && rest.size() == 4) return cmd_usim_auth(backend.value(), rest[2], rest[3], as_json);
  return usage("usage: usim info | usim auth RAND AUTN");
}
