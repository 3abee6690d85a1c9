// utcli configuration: a JSON file (docs/cli.md). Every error names the key
// at fault and says why.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "utkit/aka/apdu.hpp"
#include "utkit/aka/usim.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/base/log.hpp"
#include "utkit/base/secret.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/operator_profile.hpp"

namespace utcli {

struct UsimConfig {
  std::string backend = "soft";  // "soft" | "pcsc" | "at"
  utkit::SecretBytes k, opc;     // soft
  std::string amf = "8000";
  std::string state_file;        // soft: where the SQN state is kept
  std::uint64_t initial_sqn = 0;
  std::string reader;            // pcsc: reader name (empty: first with a card)
  std::string app = "usim";      // pcsc, at: "usim" | "isim" runs AKA
  std::string device;            // at: the modem's AT port ("/dev/ttyUSB2")
  int baud = 115200;             // at
  int at_timeout_ms = 5000;      // at: one AT command
};

struct Config {
  std::string impi, imsi, impu;
  int mnc_length = 0;
  UsimConfig usim;
  std::string bsf_url;                              // bsf.url; empty: derived (TS 23.003)
  std::optional<bool> gba_u;                        // bsf.gba_u (unset: the operator profile's, else false)
  std::vector<std::pair<std::string, std::string>> resolve;  // "host:port" -> address
  std::string storage_dir;                          // bootstrapping context, TLS sessions
  std::string ca_file;                              // tls.ca_file
  std::string tls_profile = "ts33141";              // tls.profile
  int max_fragment = 0;                             // tls.max_fragment: 0 (none), 512, 1024, 2048, 4096
  int cache_max_kib = 1024;                         // xcap.cache_max_kib: 0 disables the document cache
  std::string xcap_root;                            // xcap.root
  std::string xcap_profile = "oma";                 // xcap.profile: oma | ietf
  std::string buddy_document = "index";             // xcap.document
  std::string buddy_list = "oma_buddylist";         // xcap.list
  std::string intended_identity;                    // xcap.intended_identity
  bool require_rspauth = true;                      // bsf.require_rspauth
  bool allow_qop_auth = false;                      // bsf.allow_qop_auth
  int expiry_margin_s = 60;                         // bsf.expiry_margin_s
  // timeouts.*: milliseconds
  int connect_ms = 10000, io_ms = 15000, request_ms = 30000, bootstrap_ms = 20000;
  std::string path;                                 // where the configuration was read from
  // "operator": a built-in profile's name or a profile file (docs/operator-profiles.md).
  std::optional<utkit::ut::OperatorProfile> profile;
};

// An operator profile file (JSON, docs/operator-profiles.md); errors name
// the file and the key.
utkit::Result<utkit::ut::OperatorProfile> load_operator_profile(const std::string& path);
utkit::Result<utkit::ut::OperatorProfile> parse_operator_profile(const std::string& text, const std::string& path);

// Reads and checks the configuration. A file that holds usim.k, usim.opc or
// usim.op and that other users may read is refused (chmod 600).
utkit::Result<Config> load_config(const std::string& path);
// The same from the file's text; `mode` is the file's permission bits.
utkit::Result<Config> parse_config(std::string text, const std::string& path, unsigned mode);

// --config, else $UTKIT_CONFIG, else $XDG_CONFIG_HOME/utkit/config.json
// (~/.config/utkit/config.json) when it exists; empty when none.
std::string find_config(const std::string& from_command_line);

// The configured backend, and what it needs to stay alive.
struct Backend {
  std::unique_ptr<utkit::KeyValueStore> store;
  std::unique_ptr<utkit::aka::ApduChannel> channel;
  std::unique_ptr<utkit::aka::UsimBackend> usim;
};
utkit::Result<Backend> open_backend(Config& config);

// What a networked command needs, built from the configuration: logging
// (-v), clock, randomness, TCP with the resolve pins, the USIM backend and
// the private store. Everything lives as long as the Runtime.
struct Runtime {
  utkit::posix::StderrLogSink sink;
  utkit::Logger log;
  utkit::posix::SystemClock clock;
  std::unique_ptr<utkit::Random> random;
  utkit::posix::ResolveOverrides resolve;
  std::unique_ptr<utkit::posix::TcpTransportFactory> tcp;
  Backend backend;
  std::unique_ptr<utkit::KeyValueStore> store;  // null without storage_dir
};
utkit::Result<std::unique_ptr<Runtime>> open_runtime(Config& config, bool verbose);

}  // namespace utcli
