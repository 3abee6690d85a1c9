#include "config.hpp"

#include "output.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "utkit/aka/apdu_usim.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/http/writer.hpp"
#include "utkit/tls/profile.hpp"
#include "utkit/posix/at_channel.hpp"
#ifdef UTKIT_HAVE_PCSC
#include "utkit/posix/pcsc_channel.hpp"
#endif

namespace utcli {

using json = nlohmann::json;
using utkit::Errc;
using utkit::Error;
using utkit::Result;

namespace {

Error bad(const std::string& key, const std::string& why) {
  return Error(Errc::config_invalid, "config key '" + key + "' " + why);
}

Result<void> only_keys(const json& obj, const std::string& where, const std::set<std::string>& allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string list;
      for (auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return bad(where.empty() ? it.key() : where + "." + it.key(), "is not known (expected one of: " + list + ")");
    }
  }
  return utkit::success();
}

Result<std::string> get_string(const json& obj, const std::string& where, const char* key, bool required) {
  if (!obj.contains(key)) {
    if (required) return Error(Errc::config_missing, "config key '" + where + "." + key + "' is required");
    return std::string();
  }
  if (!obj[key].is_string()) return bad(where + "." + key, "must be a string");
  return obj[key].get<std::string>();
}

Result<int> get_ms(const json& obj, const std::string& where, const char* key, int fallback, int min, int max) {
  if (!obj.contains(key)) return fallback;
  const json& v = obj[key];
  if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max) {
    return bad(where + "." + key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return v.get<int>();
}

// A file the configuration names must be a readable regular file now, so that
// the error names the key instead of surfacing later as a network failure.
Result<void> check_readable_file(const std::string& key, const std::string& path) {
  auto f = read_regular_file(path, 1u << 20);
  if (!f) return bad(key, "names '" + path + "', which cannot be used: " + f.error().message());
  return utkit::success();
}

}  // namespace

std::string find_config(const std::string& from_command_line) {
  if (!from_command_line.empty()) return from_command_line;
  if (const char* env = std::getenv("UTKIT_CONFIG"); env != nullptr && *env != '\0') return env;
  std::string base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/') {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    base = std::string(home) + "/.config";
  }
  if (base.empty()) return {};
  const std::string path = base + "/utkit/config.json";
  return ::access(path.c_str(), F_OK) == 0 ? path : std::string();
}

Result<Config> load_config(const std::string& path) {
  unsigned mode = 0;
  auto read = read_regular_file(path, 1u << 20, &mode);
  if (!read) return Error(Errc::config_missing, "cannot read config file: " + read.error().message());
  return parse_config(std::move(read).value(), path, mode);
}

namespace {
Result<Config> parse_config_fields(std::string text, const std::string& path, unsigned mode);
}  // namespace

// Every error of the configuration is a config error (exit 3), whatever
// helper found it (a hex or key check in the SDK reports its own module).
Result<Config> parse_config(std::string text, const std::string& path, unsigned mode) {
  auto c = parse_config_fields(std::move(text), path, mode);
  if (!c && c.error().module() != utkit::ErrorModule::config) {
    return Error(Errc::config_invalid, c.error().message());
  }
  return c;
}

namespace {
Result<Config> parse_config_fields(std::string text, const std::string& path, unsigned mode) {
  json doc = json::parse(text, nullptr, false);
  utkit::secure_wipe(text);
  if (doc.is_discarded()) return Error(Errc::config_invalid, "config file '" + path + "' is not valid JSON");
  if (!doc.is_object()) return Error(Errc::config_invalid, "config file '" + path + "' must hold a JSON object");
  UTKIT_TRY(only_keys(doc, "", {"identity", "usim", "bsf", "resolve", "storage_dir", "tls", "xcap", "timeouts", "operator"}));
  if (doc.contains("usim") && doc["usim"].is_object() &&
      (doc["usim"].contains("k") || doc["usim"].contains("opc") || doc["usim"].contains("op")) && (mode & 0077) != 0) {
    char m[16];
    std::snprintf(m, sizeof m, "%04o", mode & 07777u);
    return Error(Errc::config_invalid, "config file '" + path + "' holds the subscriber key (usim.k/opc/op) but other "
                                       "users may read it (mode " + m + "); run: chmod 600 '" + path + "'");
  }

  Config c;
  c.path = path;
  if (doc.contains("operator")) {
    UTKIT_ASSIGN(std::string op, get_string(doc, "", "operator", true));
    const bool file = op.find('/') != std::string::npos || (op.size() > 5 && op.substr(op.size() - 5) == ".json");
    if (file) {
      // Relative to the configuration file's directory.
      if (op.front() != '/') {
        const auto slash = path.rfind('/');
        if (slash != std::string::npos) op = path.substr(0, slash + 1) + op;
      }
      auto p = load_operator_profile(op);
      if (!p) return Error(Errc::config_invalid, "config key 'operator': " + p.error().message());
      c.profile = std::move(p).value();
    } else {
      auto p = utkit::ut::OperatorProfile::preset(op);
      if (!p) return Error(Errc::config_invalid, "config key 'operator': " + p.error().message());
      c.profile = std::move(p).value();
    }
  }
  if (!doc.contains("identity") || !doc["identity"].is_object()) {
    return Error(Errc::config_missing, "config key 'identity' (an object with impi or imsi) is required");
  }
  const json& id = doc["identity"];
  UTKIT_TRY(only_keys(id, "identity", {"impi", "imsi", "impu", "mnc_length"}));
  UTKIT_ASSIGN(c.impi, get_string(id, "identity", "impi", false));
  UTKIT_ASSIGN(c.imsi, get_string(id, "identity", "imsi", false));
  UTKIT_ASSIGN(c.impu, get_string(id, "identity", "impu", false));
  if (id.contains("mnc_length")) {
    if (!id["mnc_length"].is_number_integer() || (id["mnc_length"] != 2 && id["mnc_length"] != 3)) {
      return bad("identity.mnc_length", "must be 2 or 3");
    }
    c.mnc_length = id["mnc_length"].get<int>();
  }
  if (!c.imsi.empty() && c.impi.empty() && c.mnc_length == 0) {
    // TS 23.003: the MNC length comes from EF_AD and cannot be inferred from the IMSI.
    return bad("identity.mnc_length", "is required with identity.imsi (2 or 3, from the SIM's EF_AD)");
  }

  if (!doc.contains("usim") || !doc["usim"].is_object()) {
    return Error(Errc::config_missing, "config key 'usim' (an object) is required");
  }
  const json& u = doc["usim"];
  UTKIT_TRY(only_keys(u, "usim", {"backend", "k", "opc", "op", "amf", "state_file", "sqn", "reader", "app", "device",
                                  "baud", "at_timeout_ms"}));
  UTKIT_ASSIGN(std::string backend, get_string(u, "usim", "backend", false));
  if (!backend.empty()) c.usim.backend = backend;
  if (c.usim.backend == "soft") {
    if (c.impi.empty() && c.imsi.empty()) return bad("identity", "needs impi or imsi for the soft USIM");
    UTKIT_ASSIGN(std::string k_hex, get_string(u, "usim", "k", true));
    auto k = utkit::secret_from_hex(k_hex, 16, "config key 'usim.k'");
    utkit::secure_wipe(k_hex);
    if (!k) return std::move(k).error();
    c.usim.k = std::move(k).value();
    UTKIT_ASSIGN(std::string opc_hex, get_string(u, "usim", "opc", false));
    UTKIT_ASSIGN(std::string op_hex, get_string(u, "usim", "op", false));
    if (opc_hex.empty() == op_hex.empty()) return bad("usim.opc", "or 'usim.op' is required (exactly one of them)");
    if (!opc_hex.empty()) {
      auto opc = utkit::secret_from_hex(opc_hex, 16, "config key 'usim.opc'");
      utkit::secure_wipe(opc_hex);
      if (!opc) return std::move(opc).error();
      c.usim.opc = std::move(opc).value();
    } else {
      auto op = utkit::secret_from_hex(op_hex, 16, "config key 'usim.op'");
      utkit::secure_wipe(op_hex);
      if (!op) return std::move(op).error();
      UTKIT_ASSIGN(c.usim.opc, utkit::aka::Milenage::compute_opc(c.usim.k.view(), op->view()));
    }
    UTKIT_ASSIGN(std::string amf, get_string(u, "usim", "amf", false));
    if (!amf.empty()) {
      auto a = utkit::from_hex(amf);
      if (!a || a->size() != 2) return bad("usim.amf", "must be 4 hex digits");
      c.usim.amf = amf;
    }
    UTKIT_ASSIGN(c.usim.state_file, get_string(u, "usim", "state_file", true));
    UTKIT_ASSIGN(std::string sqn, get_string(u, "usim", "sqn", false));
    if (!sqn.empty()) {
      auto s = utkit::from_hex(sqn);
      if (!s || s->size() != 6) return bad("usim.sqn", "must be 12 hex digits (the provisioned SQN_MS)");
      c.usim.initial_sqn = utkit::get_be48(s->data());
    }
  } else if (c.usim.backend == "pcsc" || c.usim.backend == "at") {
    if (c.usim.backend == "pcsc") {
      UTKIT_ASSIGN(c.usim.reader, get_string(u, "usim", "reader", false));
    } else {
      UTKIT_ASSIGN(c.usim.device, get_string(u, "usim", "device", true));
      UTKIT_ASSIGN(c.usim.baud, get_ms(u, "usim", "baud", c.usim.baud, 1200, 4000000));
      UTKIT_ASSIGN(c.usim.at_timeout_ms, get_ms(u, "usim", "at_timeout_ms", c.usim.at_timeout_ms, 100, 120000));
    }
    UTKIT_ASSIGN(std::string app, get_string(u, "usim", "app", false));
    if (!app.empty() && app != "usim" && app != "isim") return bad("usim.app", "must be \"usim\" or \"isim\"");
    if (!app.empty()) c.usim.app = app;
  } else {
    return bad("usim.backend", "must be \"soft\", \"pcsc\" or \"at\", not \"" + c.usim.backend + "\"");
  }
  if (doc.contains("bsf")) {
    const json& b = doc["bsf"];
    if (!b.is_object()) return bad("bsf", "must be an object");
    UTKIT_TRY(only_keys(b, "bsf", {"url", "gba_u", "require_rspauth", "allow_qop_auth", "expiry_margin_s"}));
    UTKIT_ASSIGN(c.bsf_url, get_string(b, "bsf", "url", false));
    if (!c.bsf_url.empty() && !utkit::http::parse_url(c.bsf_url)) {
      return bad("bsf.url", "must be an http:// or https:// URL, e.g. http://bsf.example.net/, not '" + c.bsf_url + "'");
    }
    for (const char* flag : {"gba_u", "require_rspauth", "allow_qop_auth"}) {
      if (!b.contains(flag)) continue;
      if (!b[flag].is_boolean()) return bad(std::string("bsf.") + flag, "must be true or false");
      const bool on = b[flag].get<bool>();
      if (std::string(flag) == "gba_u") {
        c.gba_u = on;
      } else if (std::string(flag) == "require_rspauth") {
        c.require_rspauth = on;
      } else {
        c.allow_qop_auth = on;
      }
    }
    UTKIT_ASSIGN(c.expiry_margin_s, get_ms(b, "bsf", "expiry_margin_s", c.expiry_margin_s, 0, 86400));
  }
  if (doc.contains("resolve")) {
    const json& r = doc["resolve"];
    if (!r.is_object()) return bad("resolve", "must be an object of \"host:port\": \"address\"");
    for (auto it = r.begin(); it != r.end(); ++it) {
      if (!it.value().is_string()) return bad("resolve." + it.key(), "must be a string (an IP address)");
      c.resolve.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  if (doc.contains("storage_dir")) {
    if (!doc["storage_dir"].is_string()) return bad("storage_dir", "must be a string (a directory)");
    c.storage_dir = doc["storage_dir"].get<std::string>();
  }
  if (doc.contains("xcap")) {
    const json& x = doc["xcap"];
    if (!x.is_object()) return bad("xcap", "must be an object");
    UTKIT_TRY(only_keys(x, "xcap", {"root", "profile", "document", "list", "intended_identity", "cache_max_kib"}));
    UTKIT_ASSIGN(c.cache_max_kib, get_ms(x, "xcap", "cache_max_kib", c.cache_max_kib, 0, 1024));
    UTKIT_ASSIGN(c.xcap_root, get_string(x, "xcap", "root", false));
    if (!c.xcap_root.empty() && !utkit::http::parse_url(c.xcap_root)) {
      return bad("xcap.root", "must be an http:// or https:// URL, e.g. https://xcap.example.net/xcap-root");
    }
    UTKIT_ASSIGN(std::string profile, get_string(x, "xcap", "profile", false));
    if (!profile.empty()) {
      if (profile != "oma" && profile != "ietf") return bad("xcap.profile", "must be \"oma\" or \"ietf\"");
      c.xcap_profile = profile;
    }
    UTKIT_ASSIGN(std::string document, get_string(x, "xcap", "document", false));
    if (!document.empty()) c.buddy_document = document;
    UTKIT_ASSIGN(std::string list, get_string(x, "xcap", "list", false));
    if (!list.empty()) c.buddy_list = list;
    UTKIT_ASSIGN(c.intended_identity, get_string(x, "xcap", "intended_identity", false));
  }
  if (doc.contains("tls")) {
    const json& t = doc["tls"];
    if (!t.is_object()) return bad("tls", "must be an object");
    UTKIT_TRY(only_keys(t, "tls", {"ca_file", "profile", "max_fragment"}));
    UTKIT_ASSIGN(c.max_fragment, get_ms(t, "tls", "max_fragment", c.max_fragment, 0, 4096));
    if (c.max_fragment != 0 && c.max_fragment != 512 && c.max_fragment != 1024 && c.max_fragment != 2048 &&
        c.max_fragment != 4096) {
      return bad("tls.max_fragment", "must be 0 (no limit), 512, 1024, 2048 or 4096");
    }
    UTKIT_ASSIGN(c.ca_file, get_string(t, "tls", "ca_file", false));
    if (!c.ca_file.empty()) UTKIT_TRY(check_readable_file("tls.ca_file", c.ca_file));
    UTKIT_ASSIGN(std::string profile, get_string(t, "tls", "profile", false));
    if (!profile.empty()) {
      if (!utkit::tls::TlsProfile::named(profile)) return bad("tls.profile", "must be \"ts33141\" or \"modern\"");
      c.tls_profile = profile;
    }
  }
  if (doc.contains("timeouts")) {
    const json& t = doc["timeouts"];
    if (!t.is_object()) return bad("timeouts", "must be an object");
    UTKIT_TRY(only_keys(t, "timeouts", {"connect_ms", "io_ms", "request_ms", "bootstrap_ms"}));
    UTKIT_ASSIGN(c.connect_ms, get_ms(t, "timeouts", "connect_ms", c.connect_ms, 1, 600000));
    UTKIT_ASSIGN(c.io_ms, get_ms(t, "timeouts", "io_ms", c.io_ms, 1, 600000));
    UTKIT_ASSIGN(c.request_ms, get_ms(t, "timeouts", "request_ms", c.request_ms, 1, 3600000));
    UTKIT_ASSIGN(c.bootstrap_ms, get_ms(t, "timeouts", "bootstrap_ms", c.bootstrap_ms, 1, 3600000));
  }
  return c;
}
}  // namespace

Result<std::unique_ptr<Runtime>> open_runtime(Config& config, bool verbose) {
  auto rt = std::make_unique<Runtime>();
  rt->log.set_sink(verbose ? &rt->sink : nullptr, utkit::LogLevel::debug);
  UTKIT_ASSIGN(rt->random, utkit::posix::make_system_random());
  for (const auto& [hp, addr] : config.resolve) {
    auto r = rt->resolve.add(hp, addr);
    if (!r) return std::move(r).error().with_context("config key 'resolve." + hp + "'");
  }
  rt->tcp = std::make_unique<utkit::posix::TcpTransportFactory>(&rt->resolve);
  UTKIT_ASSIGN(rt->backend, open_backend(config));
  if (!config.storage_dir.empty()) {
    auto s = utkit::posix::FileKeyValueStore::open(config.storage_dir);
    if (!s) return std::move(s).error().with_context("config key 'storage_dir'");
    rt->store = std::move(s).value();
  }
  return rt;
}

Result<Backend> open_backend(Config& c) {
  Backend b;
  if (c.usim.backend == "soft") {
    const std::string& f = c.usim.state_file;
    auto slash = f.rfind('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : f.substr(0, slash));
    std::string key = slash == std::string::npos ? f : f.substr(slash + 1);
    if (!utkit::valid_store_key(key)) {
      return bad("usim.state_file", "must end in a file name of [A-Za-z0-9._-] characters, not '" + key + "'");
    }
    auto store = utkit::posix::FileKeyValueStore::open(dir);
    if (!store) return std::move(store).error().with_context("usim.state_file");
    b.store = std::move(store).value();
    utkit::aka::SoftUsimConfig sc;
    sc.k = std::move(c.usim.k);
    sc.opc = std::move(c.usim.opc);
    sc.imsi = c.imsi;
    sc.mnc_length = c.mnc_length;
    sc.impi = c.impi;
    if (!c.impu.empty()) sc.impus.push_back(c.impu);
    sc.initial_sqn = c.usim.initial_sqn;
    sc.state_key = key;
    UTKIT_ASSIGN(b.usim, utkit::aka::SoftUsim::create(std::move(sc), b.store.get()));
    return b;
  }
  if (c.usim.backend == "at") {
    utkit::posix::AtCsimChannel::Options ao;
    ao.device = c.usim.device;
    ao.baud = c.usim.baud;
    ao.command_timeout = utkit::Millis(c.usim.at_timeout_ms);
    UTKIT_ASSIGN(auto at, utkit::posix::AtCsimChannel::open(ao));
    utkit::aka::ApduUsim::Options o;
    o.auth_app = c.usim.app == "isim" ? utkit::aka::ApduUsim::AuthApp::isim : utkit::aka::ApduUsim::AuthApp::usim;
    UTKIT_ASSIGN(b.usim, utkit::aka::ApduUsim::open(*at, o));
    b.channel = std::move(at);
    return b;
  }
#ifdef UTKIT_HAVE_PCSC
  UTKIT_ASSIGN(auto channel, utkit::posix::PcscChannel::open(c.usim.reader));
  utkit::aka::ApduUsim::Options o;
  o.auth_app = c.usim.app == "isim" ? utkit::aka::ApduUsim::AuthApp::isim : utkit::aka::ApduUsim::AuthApp::usim;
  UTKIT_ASSIGN(b.usim, utkit::aka::ApduUsim::open(*channel, o));
  b.channel = std::move(channel);
  return b;
#else
  return Error(Errc::not_supported, "this utcli was built without PC/SC (install libpcsclite-dev and rebuild)");
#endif
}

}  // namespace utcli

namespace utcli {
namespace {

// One of a few named values: `target` keeps its value when the key is absent.
template <class T>
Result<void> get_choice(const json& obj, const std::string& where, const char* key,
                        std::initializer_list<std::pair<const char*, T>> choices, T& target) {
  if (!obj.contains(key)) return utkit::success();
  UTKIT_ASSIGN(std::string v, get_string(obj, where, key, true));
  std::string names;
  for (const auto& [name, value] : choices) {
    if (v == name) {
      target = value;
      return utkit::success();
    }
    names += std::string(names.empty() ? "" : ", ") + "\"" + name + "\"";
  }
  return bad(where + "." + key, "must be one of " + names);
}

Result<bool> get_bool(const json& obj, const std::string& where, const char* key, bool fallback) {
  if (!obj.contains(key)) return fallback;
  if (!obj[key].is_boolean()) return bad(where + "." + key, "must be true or false");
  return obj[key].get<bool>();
}

}  // namespace

Result<utkit::ut::OperatorProfile> load_operator_profile(const std::string& path) {
  UTKIT_ASSIGN(std::string text, read_regular_file(path, 64u * 1024));
  return parse_operator_profile(text, path);
}

Result<utkit::ut::OperatorProfile> parse_operator_profile(const std::string& text, const std::string& path) {
  using utkit::ut::OperatorProfile;
  json doc = json::parse(text, nullptr, false);
  const std::string in = "operator profile '" + path + "'";
  if (doc.is_discarded() || !doc.is_object()) return Error(Errc::config_invalid, in + " is not a JSON object");
  auto wrap = [&](Result<void> r) -> Result<void> {
    if (!r) return Error(Errc::config_invalid, in + ": " + r.error().message());
    return r;
  };
  UTKIT_TRY(wrap(only_keys(doc, "", {"base", "name", "xcap", "gba_u", "user_agent", "headers", "intended_identity", "simservs"})));
  OperatorProfile p;
  if (doc.contains("base")) {
    auto base = get_string(doc, "", "base", true);
    if (!base) return Error(Errc::config_invalid, in + ": " + base.error().message());
    auto preset = OperatorProfile::preset(base.value());
    if (!preset) return Error(Errc::config_invalid, in + ": key 'base': " + preset.error().message());
    p = std::move(preset).value();
  }
  auto fail_in = [&](const Error& e) { return Error(Errc::config_invalid, in + ": " + e.message()); };
#define UTCLI_GET(target, expr)        \
  do {                                 \
    auto got_ = (expr);                \
    if (!got_) return fail_in(got_.error()); \
    target = std::move(got_).value();  \
  } while (0)
  if (doc.contains("name")) UTCLI_GET(p.name, get_string(doc, "", "name", true));
  if (doc.contains("xcap")) {
    const json& x = doc["xcap"];
    if (!x.is_object()) return fail_in(bad("xcap", "must be an object"));
    UTKIT_TRY(wrap(only_keys(x, "xcap", {"root", "tls", "port", "path", "auid_prefix"})));
    if (x.contains("root")) UTCLI_GET(p.xcap_root, get_string(x, "xcap", "root", true));
    if (!p.xcap_root.empty() && !utkit::http::parse_url(p.xcap_root)) {
      return fail_in(bad("xcap.root", "must be an http:// or https:// URL"));
    }
    UTCLI_GET(p.xcap_tls, get_bool(x, "xcap", "tls", p.xcap_tls));
    UTCLI_GET(p.xcap_port, get_ms(x, "xcap", "port", p.xcap_port, 0, 65535));
    if (x.contains("path")) UTCLI_GET(p.xcap_path, get_string(x, "xcap", "path", true));
    if (x.contains("auid_prefix")) UTCLI_GET(p.auid_prefix, get_string(x, "xcap", "auid_prefix", true));
  }
  UTCLI_GET(p.gba_u, get_bool(doc, "", "gba_u", p.gba_u));
  if (doc.contains("user_agent")) UTCLI_GET(p.user_agent, get_string(doc, "", "user_agent", true));
  if (doc.contains("headers")) {
    const json& h = doc["headers"];
    if (!h.is_object()) return fail_in(bad("headers", "must be an object of name: value"));
    p.headers.clear();
    for (const auto& [name, value] : h.items()) {
      if (!value.is_string()) return fail_in(bad("headers." + name, "must be a string"));
      auto ok = utkit::http::check_header(name, value.get<std::string>());
      if (!ok) return fail_in(bad("headers." + name, ok.error().message()));
      p.headers.emplace_back(name, value.get<std::string>());
    }
  }
  if (doc.contains("intended_identity")) {
    const json& i = doc["intended_identity"];
    if (!i.is_object()) return fail_in(bad("intended_identity", "must be an object"));
    UTKIT_TRY(wrap(only_keys(i, "intended_identity", {"quoted", "scheme"})));
    UTCLI_GET(p.quote_intended_identity, get_bool(i, "intended_identity", "quoted", p.quote_intended_identity));
    using utkit::ut::IdentityScheme;
    UTKIT_TRY(wrap(get_choice<IdentityScheme>(i, "intended_identity", "scheme",
                                              {{"configured", IdentityScheme::configured}, {"sip", IdentityScheme::sip},
                                               {"tel", IdentityScheme::tel}},
                                              p.identity)));
  }
  if (doc.contains("simservs")) {
    const json& ss = doc["simservs"];
    if (!ss.is_object()) return fail_in(bad("simservs", "must be an object"));
    UTKIT_TRY(wrap(only_keys(ss, "simservs", {"writes", "document_type", "disable", "numbers", "number_domain", "auid", "document"})));
    UTKIT_TRY(wrap(get_choice<bool>(ss, "simservs", "writes", {{"element", true}, {"document", false}},
                                    p.simservs.element_writes)));
    if (ss.contains("document_type")) UTCLI_GET(p.simservs.document_type, get_string(ss, "simservs", "document_type", true));
    using utkit::xcap::DisableMethod;
    using utkit::xcap::NumberFormat;
    UTKIT_TRY(wrap(get_choice<DisableMethod>(ss, "simservs", "disable",
                                             {{"rule-deactivated", DisableMethod::rule_deactivated},
                                              {"delete-rule", DisableMethod::delete_rule},
                                              {"flip-allow", DisableMethod::flip_allow}},
                                             p.simservs.disable)));
    UTKIT_TRY(wrap(get_choice<NumberFormat>(ss, "simservs", "numbers",
                                            {{"as-given", NumberFormat::as_given}, {"e164-tel", NumberFormat::e164_tel},
                                             {"sip-user-phone", NumberFormat::sip_user_phone}},
                                            p.simservs.numbers)));
    if (ss.contains("number_domain")) UTCLI_GET(p.simservs.number_domain, get_string(ss, "simservs", "number_domain", true));
    if (ss.contains("auid")) UTCLI_GET(p.simservs.auid, get_string(ss, "simservs", "auid", true));
    if (ss.contains("document")) UTCLI_GET(p.simservs.document, get_string(ss, "simservs", "document", true));
  }
#undef UTCLI_GET
  return p;
}

}  // namespace utcli
