// utcli — the utkit command-line client. See docs/cli.md.
#include <nlohmann/json.hpp>

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "config.hpp"
#include "output.hpp"
#include "gba_cmd.hpp"
#include "ut_cmd.hpp"
#include "http_cmd.hpp"
#include "tls_probe.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/version.h"
#include "utkit/base/encoding.hpp"

namespace {

using namespace utcli;

const char* kHelp =
    "usage: utcli [--config FILE] [--json] [-v] COMMAND ...\n"
    "\n"
    "commands (utcli COMMAND --help for each):\n"
    "  bootstrap [--force]    GBA bootstrap on Ub (or reuse the stored context);\n"
    "                         prints the B-TID and its expiry, never a key\n"
    "  buddies list|add|remove             the buddy list over Ut\n"
    "  rules allow|block URI  let a watcher see your presence, or not\n"
    "  xcap get|put|delete SELECTOR        raw XCAP on your tree\n"
    "  ss show|cf|cb|clir|cw  supplementary services: forwarding, barring,\n"
    "                         caller ID restriction, call waiting\n"
    "  usim info | usim auth RAND AUTN     the USIM/ISIM backend\n"
    "  tls-probe HOST:PORT    TLS handshake with the TS 33.141 client\n"
    "  http METHOD URL        one HTTP(S) request with Digest authentication\n"
    "\n"
    "options:\n"
    "  --config FILE          JSON configuration (docs/cli.md); without it,\n"
    "                         $UTKIT_CONFIG, then $XDG_CONFIG_HOME/utkit/config.json\n"
    "                         (~/.config/utkit/config.json)\n"
    "  --json                 machine-readable output, errors included (docs/cli.md)\n"
    "  -v                     log the flow step by step on stderr (secrets redacted)\n"
    "  --version              the utkit version\n"
    "  -h, --help             this text\n"
    "\n";

const char* kBootstrapHelp =
    "usage: utcli [--config FILE] [--json] [-v] bootstrap [--force]\n"
    "  Runs the GBA bootstrap on Ub (HTTP Digest AKA against the BSF), or reuses\n"
    "  the stored bootstrapping context while it is valid. Prints the B-TID, its\n"
    "  expiry, the IMPI and the BSF; never a key.\n"
    "  --force                bootstrap again even with a valid context\n";
const char* kBuddiesHelp =
    "usage: utcli [--config FILE] [--json] [-v] buddies list [--list L]\n"
    "       utcli [--config FILE] buddies add URI [--name N] [--list L]\n"
    "       utcli [--config FILE] buddies remove URI [--list L]\n"
    "  The buddy list (resource-lists) over Ut: TLS, GBA Digest, XCAP. The list\n"
    "  defaults to xcap.list (oma_buddylist).\n";
const char* kRulesHelp =
    "usage: utcli [--config FILE] [--json] [-v] rules allow|block URI\n"
    "  Presence rules (pres-rules): let the watcher URI see your presence, or block it.\n";
const char* kXcapHelp =
    "usage: utcli [--config FILE] [--json] [-v] xcap get|put|delete SELECTOR [--file F]\n"
    "  Raw XCAP on your own tree. SELECTOR is AUID/DOCUMENT[/~~/NODE], e.g.\n"
    "  resource-lists/index or resource-lists/index/~~/resource-lists/list%5b@name=%22a%22%5d.\n"
    "  --file F               put: the XML to store (a document or one element)\n";
const char* kSsHelp =
    "usage: utcli [--config FILE] [--json] [-v] ss show\n"
    "       utcli [--config FILE] ss cf enable  COND --to URI [--timer SECONDS]\n"
    "       utcli [--config FILE] ss cf disable COND\n"
    "       utcli [--config FILE] ss cb enable|disable NAME\n"
    "       utcli [--config FILE] ss clir restricted|not-restricted\n"
    "       utcli [--config FILE] ss cw on|off\n"
    "  MMTel supplementary services over Ut (the simservs document, TS 24.623).\n"
    "  COND: unconditional, busy, no-reply, not-reachable, not-registered\n"
    "        (--timer, 5-180 s, with no-reply only; --to is a sip:, sips: or tel: URI)\n"
    "  NAME: all-outgoing, outgoing-international, outgoing-international-exhc,\n"
    "        all-incoming, incoming-roaming, anonymous\n"
    "  Each change edits the operator's own rule for that condition, one XCAP element\n"
    "  at a time; a refused change exits non-zero with the server's reason.\n";

const char* kUsimHelp =
    "usage: utcli [--config FILE] [--json] usim info\n"
    "       utcli [--config FILE] [--json] usim auth RAND AUTN\n"
    "  info: the backend's identity (IMPI, IMSI, home domain, IMPUs; SQN_MS for the soft USIM).\n"
    "  auth: runs AKA on a challenge (32 hex digits each); prints the outcome, never\n"
    "  RES/CK/IK; on a sync failure prints AUTS (exit 5), on a MAC failure exits 6.\n";

int usage(const std::string& why) { return usage_error(why, kHelp); }

int cmd_usim_info(utcli::Backend& b, bool as_json) {
  auto id = b.usim->identity();
  if (!id) return fail(id.error());
  auto* soft = dynamic_cast<utkit::aka::SoftUsim*>(b.usim.get());
  if (as_json) {
    nlohmann::json j = {{"backend", std::string(b.usim->name())},
                        {"impi", id->impi},
                        {"imsi", id->imsi},
                        {"home_domain", id->home_domain},
                        {"impus", id->impus},
                        {"from_isim", id->from_isim}};
    if (soft) j["sqn_ms"] = soft->sqn_ms();
    print_json(j);
    return kOk;
  }
  std::printf("backend      %s\n", std::string(b.usim->name()).c_str());
  std::printf("IMPI         %s%s\n", term(id->impi).c_str(), id->from_isim ? " (from the ISIM)" : "");
  if (!id->imsi.empty()) std::printf("IMSI         %s (MNC length %d)\n", term(id->imsi).c_str(), id->mnc_length);
  std::printf("home domain  %s\n", term(id->home_domain).c_str());
  for (auto& u : id->impus) std::printf("IMPU         %s\n", term(u).c_str());
  if (soft) std::printf("SQN_MS       %012" PRIx64 "\n", soft->sqn_ms());
  return kOk;
}

int cmd_usim_auth(utcli::Backend& b, const std::string& rand_hex, const std::string& autn_hex, bool as_json) {
  auto rand = utkit::from_hex(rand_hex);
  auto autn = utkit::from_hex(autn_hex);
  if (!rand || rand->size() != 16) return usage("RAND must be 32 hex digits");
  if (!autn || autn->size() != 16) return usage("AUTN must be 32 hex digits");
  auto r = b.usim->authenticate(utkit::ByteView(rand.value()), utkit::ByteView(autn.value()));
  if (!r) return fail(r.error());
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
      code = kAuthFailed;
      break;
    case AkaStatus::mac_failure:
      text = "AKA MAC failure: the challenge was not made with this subscriber's key; the network is not "
             "authentic and no response is sent";
      code = kNotAuthentic;
      break;
  }
  if (as_json) {
    print_json(j);
  } else {
    std::printf("%s\n", text.c_str());
  }
  return code;
}



// A core file of this process would hold K, OPc, CK, IK, Ks and Ks_NAF:
// none is written, and other processes of the user cannot attach to it.
void keep_secrets_out_of_core_files() {
  struct rlimit none {0, 0};
  (void)::setrlimit(RLIMIT_CORE, &none);
#ifdef __linux__
  (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

void on_result_misuse(const char* what, const char* error) {
  std::fprintf(stderr, "utcli: internal error: %s%s%s\n", what, *error ? ": " : "", utkit::printable_text(error).c_str());
}

const char* help_for(const std::string& command) {
  if (command == "bootstrap") return kBootstrapHelp;
  if (command == "buddies") return kBuddiesHelp;
  if (command == "rules") return kRulesHelp;
  if (command == "xcap") return kXcapHelp;
  if (command == "ss") return kSsHelp;
  if (command == "usim") return kUsimHelp;
  if (command == "http") return utcli::kHttpHelp;
  if (command == "tls-probe") return utcli::kTlsProbeHelp;
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  keep_secrets_out_of_core_files();
  utkit::set_result_misuse_handler(&on_result_misuse);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string config_flag;
  bool as_json = false;
  bool verbose = false;
  // Options before the command; the first other word is the command, and
  // nothing after it is ever taken for a command (`buddies add http` adds a
  // buddy called "http").
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::printf("%s%s", kHelp, kExitCodesHelp);
      return kOk;
    } else if (a == "--version") {
      std::printf("utcli (utkit) %s\n", UTKIT_VERSION_STRING);
      return kOk;
    } else if (a == "--config") {
      if (i + 1 >= args.size()) return usage("--config needs a file");
      config_flag = args[++i];
    } else if (a == "--json") {
      as_json = true;
    } else if (a == "-v") {
      verbose = true;
    } else if (!a.empty() && a[0] == '-') {
      set_json_output(as_json);
      return usage("unknown option '" + a + "'");
    } else {
      break;
    }
  }
  set_json_output(as_json);
  if (i >= args.size()) return usage("no command given");
  const std::string command = args[i];
  std::vector<std::string> rest(args.begin() + static_cast<long>(i) + 1, args.end());
  const char* help = help_for(command);
  if (help == nullptr) return usage("unknown command '" + command + "'");

  // tls-probe and http take their own options (no configuration file).
  if (command == "tls-probe" || command == "http") {
    for (auto it = rest.begin(); it != rest.end();) {
      if (*it == "--json") {
        as_json = true;
        it = rest.erase(it);
      } else if (*it == "-h" || *it == "--help") {
        std::printf("%s", help);
        return kOk;
      } else {
        ++it;
      }
    }
    set_json_output(as_json);
    return command == "http" ? utcli::http_command(rest, as_json) : utcli::tls_probe(rest, as_json);
  }

  // The other commands also take the global options after the command word.
  std::vector<std::string> sub;
  for (std::size_t j = 0; j < rest.size(); ++j) {
    const std::string& a = rest[j];
    const bool takes_value = a == "--list" || a == "--name" || a == "--file" || a == "--to" || a == "--timer";
    if (a == "-h" || a == "--help") {
      std::printf("%s", help);
      return kOk;
    } else if (a == "--json") {
      as_json = true;
    } else if (a == "-v") {
      verbose = true;
    } else if (a == "--config") {
      if (j + 1 >= rest.size()) return usage("--config needs a file");
      config_flag = rest[++j];
    } else if (takes_value || a == "--force") {
      sub.push_back(a);
      if (takes_value) {
        if (j + 1 >= rest.size()) return usage_error(a + " needs a value", help);
        sub.push_back(rest[++j]);
      }
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return usage_error("unknown option '" + a + "' for " + command, help);
    } else {
      sub.push_back(a);
    }
  }
  set_json_output(as_json);
  if (command == "usim") {
    if (sub.empty()) return usage_error("usim needs a subcommand: info or auth", help);
    if (!((sub[0] == "info" && sub.size() == 1) || (sub[0] == "auth" && sub.size() == 3))) {
      return usage_error("usage: usim info | usim auth RAND AUTN", help);
    }
  }
  const std::string config_path = utcli::find_config(config_flag);
  if (config_path.empty()) {
    return usage_error(command + " needs a configuration: --config FILE, $UTKIT_CONFIG, or ~/.config/utkit/config.json",
                       help);
  }
  auto config = utcli::load_config(config_path);
  if (!config) return fail(config.error(), kConfig);
  if (command == "bootstrap") return utcli::bootstrap_command(config.value(), sub, as_json, verbose);
  if (command == "buddies" || command == "rules" || command == "xcap" || command == "ss") {
    return utcli::ut_command(config.value(), command, sub, as_json, verbose);
  }
  auto backend = utcli::open_backend(config.value());
  if (!backend) return fail(backend.error());
  if (sub[0] == "info") return cmd_usim_info(backend.value(), as_json);
  return cmd_usim_auth(backend.value(), sub[1], sub[2], as_json);
}
