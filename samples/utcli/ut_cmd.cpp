// utcli buddies / rules / xcap / ss: the Ut flow through UtSession.
#include "ut_cmd.hpp"

#include <nlohmann/json.hpp>

#include "output.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/session.hpp"

namespace utcli {

using namespace utkit;

namespace {

int usage(const std::string& why) {
  return usage_error(why,
                     "usage: utcli --config FILE buddies list [--list L] | buddies add URI [--name N] [--list L]\n"
                     "       | buddies remove URI [--list L] | rules allow|block URI | xcap get|put|delete SELECTOR [--file F]\n"
                     "       | ss show | ss cf enable|disable COND [--to URI] [--timer S] | ss cb enable|disable NAME\n"
                     "       | ss clir restricted|not-restricted | ss cw on|off\n");
}

// Takes "--opt value" out of args.
std::string take(std::vector<std::string>& args, const std::string& opt) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == opt) {
      std::string v = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return v;
    }
  }
  return {};
}

const char* on_off(bool b) { return b ? "on" : "off"; }

nlohmann::json state_json(const xcap::ServiceState& st) {
  return {{"provisioned", st.provisioned}, {"active", st.active}};
}

// The stable JSON object of `ss show` (docs/cli.md).
nlohmann::json services_json(const xcap::Simservs& s) {
  using xcap::Service;
  nlohmann::json fwd = state_json(s.state(Service::communication_diversion));
  fwd["no_reply_timer"] = s.no_reply_timer() ? nlohmann::json(*s.no_reply_timer()) : nlohmann::json(nullptr);
  fwd["rules"] = nlohmann::json::array();
  for (const auto& r : s.forwarding_rules()) {
    fwd["rules"].push_back({{"condition", xcap::to_string(r.condition)}, {"enabled", r.enabled}, {"target", r.target},
                            {"media", r.media}, {"id", r.id}});
  }
  nlohmann::json barring;
  for (bool incoming : {false, true}) {
    nlohmann::json b = state_json(s.state(incoming ? Service::incoming_barring : Service::outgoing_barring));
    b["rules"] = nlohmann::json::array();
    for (const auto& r : s.barring_rules(incoming)) {
      b["rules"].push_back({{"condition", xcap::to_string(r.condition)}, {"enabled", r.enabled}, {"media", r.media},
                            {"id", r.id}});
    }
    barring[incoming ? "incoming" : "outgoing"] = b;
  }
  auto restriction = [&](Service svc) {
    nlohmann::json j = state_json(s.state(svc));
    auto r = s.restricted(svc);
    j["restricted"] = r ? nlohmann::json(*r) : nlohmann::json(nullptr);
    return j;
  };
  return {{"forwarding", fwd},
          {"barring", barring},
          {"oip", state_json(s.state(Service::oip))},
          {"oir", restriction(Service::oir)},
          {"tip", state_json(s.state(Service::tip))},
          {"tir", restriction(Service::tir)},
          {"call_waiting", state_json(s.state(Service::communication_waiting))}};
}

void print_services(const xcap::Simservs& s) {
  using xcap::Service;
  auto head = [&](const char* what, Service svc) {
    const auto st = s.state(svc);
    std::printf("%s: %s\n", what, !st.provisioned ? "not provisioned" : st.active ? "active" : "inactive");
    return st.provisioned;
  };
  if (head("call forwarding", Service::communication_diversion)) {
    if (auto t = s.no_reply_timer()) std::printf("  no-reply timer   %d s\n", *t);
    for (auto c : {xcap::ForwardCondition::unconditional, xcap::ForwardCondition::busy, xcap::ForwardCondition::no_reply,
                   xcap::ForwardCondition::not_reachable, xcap::ForwardCondition::not_registered}) {
      auto r = s.forwarding(c);
      if (!r) {
        std::printf("  %-16s off (no rule)\n", xcap::to_string(c));
      } else {
        std::printf("  %-16s %s%s\n", xcap::to_string(c), on_off(r->enabled),
                    r->target.empty() ? "" : (" -> " + term(r->target)).c_str());
      }
    }
  }
  for (bool incoming : {false, true}) {
    if (!head(incoming ? "incoming call barring" : "outgoing call barring",
              incoming ? Service::incoming_barring : Service::outgoing_barring)) {
      continue;
    }
    const auto all = incoming ? std::vector<xcap::BarringCondition>{xcap::BarringCondition::all_incoming,
                                                                      xcap::BarringCondition::incoming_roaming,
                                                                      xcap::BarringCondition::anonymous}
                              : std::vector<xcap::BarringCondition>{xcap::BarringCondition::all_outgoing,
                                                                      xcap::BarringCondition::outgoing_international,
                                                                      xcap::BarringCondition::outgoing_international_exhc};
    for (auto c : all) {
      auto r = s.barring(c);
      std::printf("  %-28s %s\n", xcap::to_string(c), !r ? "off (no rule)" : on_off(r->enabled));
    }
  }
  if (head("caller ID presentation (OIP)", Service::oip)) {}
  if (head("caller ID restriction (OIR)", Service::oir)) {
    auto r = s.restricted(Service::oir);
    std::printf("  default          %s\n", !r ? "not set" : *r ? "restricted" : "not restricted");
  }
  if (head("connected line presentation (TIP)", Service::tip)) {}
  if (head("connected line restriction (TIR)", Service::tir)) {}
  if (head("call waiting", Service::communication_waiting)) {}
}

}  // namespace

int ut_command(Config& config, const std::string& command, const std::vector<std::string>& in, bool as_json,
               bool verbose) {
  std::vector<std::string> args = in;
  if (args.empty()) return usage(command + " needs a subcommand");
  const std::string sub = args[0];
  args.erase(args.begin());
  const std::string list = take(args, "--list");
  const std::string name = take(args, "--name");
  const std::string file = take(args, "--file");
  const std::string to = take(args, "--to");
  const std::string timer_text = take(args, "--timer");
  // The command line first: usage errors before any configuration or network.
  std::optional<int> timer;
  xcap::ForwardingChange cf;
  xcap::BarringCondition cb = xcap::BarringCondition::all_outgoing;
  bool enable = false;
  if (command == "ss") {
    const std::string verb = args.empty() ? "" : args[0];
    if (sub == "show") {
      if (!args.empty()) return usage("ss show takes no argument");
    } else if (sub == "cf" || sub == "cb") {
      if (args.size() != 2 || (verb != "enable" && verb != "disable")) {
        return usage("ss " + sub + " needs enable|disable and a condition, e.g. ss " + sub +
                     (sub == "cf" ? " enable no-reply --to tel:+15550100" : " enable all-incoming"));
      }
      enable = verb == "enable";
      if (sub == "cf") {
        auto c = xcap::forward_condition_named(args[1]);
        if (!c) return usage("ss cf: unknown condition '" + args[1] + "' (unconditional, busy, no-reply, not-reachable, not-registered)");
        cf.condition = *c;
        cf.enable = enable;
        if (enable && to.empty()) return usage("ss cf enable needs --to URI (sip:, sips: or tel:)");
        if (!enable && !to.empty()) return usage("ss cf disable takes no --to");
        cf.target = to;
        if (!timer_text.empty()) {
          if (!enable || cf.condition != xcap::ForwardCondition::no_reply) return usage("--timer goes with ss cf enable no-reply");
          timer = parse_count(timer_text, 5, 180);
          if (!timer) return usage("--timer takes 5 to 180 seconds");
          cf.no_reply_timer = timer;
        }
      } else {
        auto c = xcap::barring_condition_named(args[1]);
        if (!c) {
          return usage("ss cb: unknown barring '" + args[1] +
                       "' (all-outgoing, outgoing-international, outgoing-international-exhc, all-incoming, "
                       "incoming-roaming, anonymous)");
        }
        cb = *c;
      }
    } else if (sub == "clir") {
      if (args.size() != 1 || (verb != "restricted" && verb != "not-restricted")) return usage("ss clir restricted|not-restricted");
      enable = verb == "restricted";
    } else if (sub == "cw") {
      if (args.size() != 1 || (verb != "on" && verb != "off")) return usage("ss cw on|off");
      enable = verb == "on";
    } else {
      return usage("unknown command 'ss " + sub + "' (show, cf, cb, clir, cw)");
    }
    if (sub != "cf" && (!to.empty() || !timer_text.empty())) return usage("--to and --timer go with ss cf enable");
  }
  const bool list_cmd = command == "buddies" && sub == "list";
  const bool known = command == "ss" || list_cmd || (command == "buddies" && (sub == "add" || sub == "remove")) ||
                     (command == "rules" && (sub == "allow" || sub == "block")) ||
                     (command == "xcap" && (sub == "get" || sub == "put" || sub == "delete"));
  if (!known) return usage("unknown command '" + command + " " + sub + "'");
  if (command != "ss" && (list_cmd ? !args.empty() : args.size() != 1)) {
    return usage(command + " " + sub + (list_cmd ? " takes no argument" : command == "xcap" ? " needs one SELECTOR" : " needs one URI"));
  }
  if (command == "xcap" && sub == "put" && file.empty()) return usage("xcap put needs --file F with the XML to store");
  if (config.xcap_root.empty() && !config.profile) {
    return fail(Error(Errc::config_missing, "config key 'xcap.root' (or an 'operator' profile) is required for " + command));
  }

  auto rt = open_runtime(config, verbose);
  if (!rt) return fail(rt.error());
  Runtime& env = *rt.value();
  ut::UtConfig uc;
  uc.xcap_root = config.xcap_root;
  uc.xui = config.impu;
  uc.intended_identity = config.intended_identity;
  uc.gba.bsf_url = config.bsf_url;
  uc.gba.impi = config.impi;
  uc.gba.gba_u = config.gba_u.value_or(false);
  uc.gba.require_rspauth = config.require_rspauth;
  uc.gba.allow_qop_auth = config.allow_qop_auth;
  uc.gba.expiry_margin = std::chrono::seconds(config.expiry_margin_s);
  uc.gba.timeout = Millis(config.bootstrap_ms);
  uc.http.connect_timeout = Millis(config.connect_ms);
  uc.http.io_timeout = Millis(config.io_ms);
  uc.http.request_timeout = Millis(config.request_ms);
  uc.tls.profile = tls::TlsProfile::named(config.tls_profile).value();
  uc.tls.max_fragment = static_cast<tls::MaxFragment>(config.max_fragment);  // checked by the config parser
  if (!config.ca_file.empty()) uc.tls.trust.ca_file = config.ca_file;
  uc.document_cache_max = static_cast<std::size_t>(config.cache_max_kib) * 1024;
  uc.profile = xcap::XcapProfile::named(config.xcap_profile).value();
  uc.profile.resource_lists_doc = config.buddy_document;
  uc.buddies.list = config.buddy_list;
  if (config.profile) {
    // The operator's profile first; what the configuration names itself wins.
    auto id = env.backend.usim->identity();
    if (!id) return fail(id.error());
    // (apply() keeps an XCAP root already set, adding the profile's AUID prefix.)
    const ut::UtConfig explicit_keys = uc;
    auto applied = ut::apply(*config.profile, id.value(), uc);
    if (!applied) return fail(Error(Errc::config_invalid, "config key 'operator': " + applied.error().message()));
    if (!explicit_keys.intended_identity.empty()) uc.intended_identity = explicit_keys.intended_identity;
    if (!explicit_keys.xui.empty()) uc.xui = explicit_keys.xui;
    if (config.gba_u) uc.gba.gba_u = *config.gba_u;  // an explicit bsf.gba_u, true or false, wins
  }
  if (env.store) {
    // TLS sessions survive between utcli runs: the HMAC key lives beside them
    // (this guards against corrupt or swapped records; an app keeps its key
    // in the platform keystore instead).
    auto key = env.store->get("tls-session-key");
    if (!key && key.error().code() == Errc::storage_not_found) {
      auto fresh = env.random->bytes(32);
      if (!fresh) return fail(fresh.error());
      auto put = env.store->put("tls-session-key", ByteView(fresh.value()));
      if (!put) return fail(put.error());
      key = SecretBytes::take(fresh.value());
    }
    if (!key) return fail(key.error());
    if (key->size() != 32) {
      return fail(Error(Errc::storage_corrupt, "'" + config.storage_dir + "/tls-session-key' is not a 32-byte key (" +
                                                   std::to_string(key->size()) +
                                                   " bytes); delete it: the stored TLS sessions are then made anew"));
    }
    uc.tls_session_key = std::make_shared<const SecretBytes>(std::move(key).value());
  }
  if (uc.xcap_root.rfind("https:", 0) == 0 && config.ca_file.empty()) {
    return fail(Error(Errc::config_missing, "config key 'tls.ca_file' is required for an https XCAP root"));
  }
  auto session = ut::UtSession::create(std::move(uc), *env.backend.usim,
                                       ut::Platform{*env.tcp, *env.random, env.clock, env.store.get(), &env.log});
  if (!session) return fail(session.error());
  auto& ut = *session.value();
  const auto t0 = std::chrono::steady_clock::now();
  int code = 0;
  nlohmann::json out;

  if (command == "buddies" && sub == "list") {
    const std::string l = list.empty() ? config.buddy_list : list;
    auto entries = ut.buddies(l);
    if (!entries) return fail(entries.error());
    if (as_json) {
      out = {{"list", l}, {"entries", nlohmann::json::array()}};
      for (const auto& e : entries.value()) out["entries"].push_back({{"uri", e.uri}, {"display_name", e.display_name}});
    } else {
      std::printf("%s: %zu buddies\n", term(l).c_str(), entries->size());
      for (const auto& e : entries.value()) {
        std::printf("  %s%s\n", term(e.uri).c_str(),
                    e.display_name.empty() ? "" : ("  \"" + term(e.display_name) + "\"").c_str());
      }
    }
  } else if (command == "buddies" && (sub == "add" || sub == "remove")) {
    if (args.size() != 1) return usage("buddies " + sub + " needs one URI");
    auto r = sub == "add" ? ut.add_buddy({args[0], name}, list) : ut.remove_buddy(args[0], list);
    if (!r) return fail(r.error());
    const std::string l = list.empty() ? config.buddy_list : list;
    out = {{"ok", true}, {"action", sub}, {"uri", args[0]}, {"list", l}};
    if (!as_json) std::printf("%s %s %s\n", sub == "add" ? "added" : "removed", term(args[0]).c_str(),
                              term(sub == "add" ? "to " + l : "from " + l).c_str());
  } else if (command == "rules" && (sub == "allow" || sub == "block")) {
    if (args.size() != 1) return usage("rules " + sub + " needs one URI");
    auto r = sub == "allow" ? ut.allow(args[0]) : ut.block(args[0]);
    if (!r) return fail(r.error());
    out = {{"ok", true}, {"action", sub}, {"uri", args[0]}, {"profile", config.xcap_profile}};
    if (!as_json) std::printf("%s watcher %s (%s rules)\n", sub == "allow" ? "allowed" : "blocked", term(args[0]).c_str(),
                              config.xcap_profile.c_str());
  } else if (command == "xcap" && (sub == "get" || sub == "put" || sub == "delete")) {
    if (args.size() != 1) return usage("xcap " + sub + " needs one SELECTOR");
    Result<xcap::XcapResult> r = Error(Errc::internal, "");
    if (sub == "get") {
      r = ut.xcap_get(args[0]);
    } else if (sub == "delete") {
      r = ut.xcap_delete(args[0]);
    } else {
      if (file.empty()) return usage("xcap put needs --file F with the XML to store");
      auto body = read_regular_file(file, 4u << 20);
      if (!body) return fail(std::move(body).error().with_context("--file"), kUsage);
      r = ut.xcap_put(args[0], std::move(body).value());
    }
    if (!r) return fail(r.error());
    out = {{"status", r->status}, {"etag", r->etag}, {"content_type", r->content_type}, {"body", r->body}};
    if (!as_json) {
      if (!r->body.empty()) {
        // Documents are multi-line: keep their line breaks, escape everything else.
        std::string shown;
        std::size_t from = 0;
        while (from < r->body.size()) {
          std::size_t nl = r->body.find('\n', from);
          const std::size_t end = nl == std::string::npos ? r->body.size() : nl;
          shown += term(std::string_view(r->body).substr(from, end - from)) + "\n";
          from = end + 1;
        }
        std::printf("%s", shown.c_str());
      }
      std::fprintf(stderr, "-- %d %s\n", r->status, r->etag.empty() ? "" : ("ETag " + term(r->etag)).c_str());
    }
  } else if (command == "ss") {
    Result<xcap::Simservs> r = Error(Errc::internal, "");
    std::string done;
    if (sub == "show") {
      r = ut.supplementary_services();
    } else if (sub == "cf") {
      r = ut.set_call_forwarding(cf);
      done = std::string("call forwarding ") + xcap::to_string(cf.condition) + ": " + on_off(enable) +
             (enable ? " -> " + term(cf.target) : std::string()) +
             (timer ? " (no-reply timer " + std::to_string(*timer) + " s)" : std::string());
    } else if (sub == "cb") {
      r = ut.set_call_barring(cb, enable);
      done = std::string("call barring ") + xcap::to_string(cb) + ": " + on_off(enable);
    } else if (sub == "clir") {
      r = ut.set_caller_id_restriction(enable);
      done = std::string("caller ID: ") + (enable ? "restricted" : "not restricted") + " by default";
    } else {
      r = ut.set_call_waiting(enable);
      done = std::string("call waiting: ") + on_off(enable);
    }
    if (!r) return fail(r.error());
    out = {{"services", services_json(r.value())}};
    if (!done.empty()) {
      out["ok"] = true;
      out["change"] = sub;
    }
    if (!as_json) {
      if (done.empty()) {
        print_services(r.value());
      } else {
        std::printf("%s\n", done.c_str());
      }
    }
  } else {
    return usage("unknown command '" + command + " " + sub + "'");
  }

  const auto st = ut.stats();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (as_json) {
    out["stats"] = {{"round_trips", st.naf.round_trips()}, {"tcp_connects", st.naf.tcp_connects},
                    {"tls_full", st.naf.tls_full}, {"tls_resumed", st.naf.tls_resumed},
                    {"exchanges", st.naf.exchanges}, {"bytes_sent", st.naf.bytes_sent},
                    {"bytes_received", st.naf.bytes_received}, {"bootstraps", st.gba.bootstraps},
                    {"wall_ms", ms}};
    print_json(out);
  } else if (verbose) {
    std::fprintf(stderr,
                 "-- %.1f ms; NAF: %d round trips (%d TCP, %d TLS full, %d TLS resumed, %d HTTP), %llu bytes sent, "
                 "%llu received; %d bootstrap(s) on Ub\n",
                 ms, st.naf.round_trips(), st.naf.tcp_connects, st.naf.tls_full, st.naf.tls_resumed, st.naf.exchanges,
                 static_cast<unsigned long long>(st.naf.bytes_sent),
                 static_cast<unsigned long long>(st.naf.bytes_received), st.gba.bootstraps);
  }
  return code;
}

}  // namespace utcli
