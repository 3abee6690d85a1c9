#include "output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "utkit/base/encoding.hpp"

namespace utcli {

using utkit::Errc;
using utkit::ErrorModule;

const char* kExitCodesHelp =
    "exit codes (every command):\n"
    "  0 ok                      1 failed here (storage, card, I/O)\n"
    "  2 bad command line        3 bad configuration (the key is named)\n"
    "  4 network, TLS, HTTP or a server's error status (e.g. a BSF's 503)\n"
    "  5 authentication failed (credentials refused, AKA sync failure)\n"
    "  6 AKA MAC failure: the network is not authentic\n"
    "  7 XCAP error (not found, conflict, lost races)\n"
    "  8 http: the final response was a 4xx/5xx\n";

namespace {
bool g_json = false;
}

void set_json_output(bool on) { g_json = on; }
bool json_output() { return g_json; }

int exit_code_for(const utkit::Error& e) {
  switch (e.code()) {
    case Errc::gba_network_not_authentic: return kNotAuthentic;
    case Errc::gba_bsf_status: return kNetwork;  // the BSF failed, not the subscriber
    case Errc::cancelled: return kFailed;
    // The card or the modem in front of it failed: not an authentication
    // result (docs/cli.md: 1 is storage, card, I/O).
    case Errc::aka_card_io:
    case Errc::aka_card_status:
    case Errc::aka_app_not_found:
    case Errc::aka_bad_response:
    case Errc::aka_backend: return kFailed;
    default: break;
  }
  switch (e.module()) {
    case ErrorModule::config: return kConfig;
    case ErrorModule::net:
    case ErrorModule::tls:
    case ErrorModule::http: return kNetwork;
    case ErrorModule::auth:
    case ErrorModule::gba:
    case ErrorModule::aka: return kAuthFailed;
    case ErrorModule::xcap: return kXcap;
    default: return kFailed;
  }
}

void print_json(const nlohmann::json& j) {
  const std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}

std::string term(std::string_view text) { return utkit::printable_text(text); }

int fail(const utkit::Error& e, int code) {
  if (g_json) {
    print_json({{"ok", false},
                {"error", {{"code", utkit::to_string(e.code())}, {"module", utkit::to_string(e.module())}, {"message", e.message()}}},
                {"exit", code}});
  } else {
    std::fprintf(stderr, "utcli: %s\n", term(e.describe()).c_str());
  }
  return code;
}

int fail(const utkit::Error& e) { return fail(e, exit_code_for(e)); }

int usage_error(const std::string& why, const char* help) {
  if (g_json) {
    print_json({{"ok", false}, {"error", {{"code", "usage"}, {"module", "cli"}, {"message", why}}}, {"exit", kUsage}});
  } else {
    std::fprintf(stderr, "utcli: %s\n%s%s", term(why).c_str(), help ? "\n" : "", help ? help : "");
  }
  return kUsage;
}

std::optional<int> parse_count(const std::string& text, int min, int max) {
  const auto v = utkit::parse_decimal(text, static_cast<std::uint64_t>(max));
  if (!v || *v < static_cast<std::uint64_t>(min)) return std::nullopt;
  return static_cast<int>(*v);
}

utkit::Result<std::string> read_regular_file(const std::string& path, std::size_t max, unsigned* mode) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return utkit::Error(Errc::invalid_argument, "cannot read '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return utkit::Error(Errc::invalid_argument, "'" + path + "' is not a regular file");
  }
  if (static_cast<std::size_t>(st.st_size) > max) {
    ::close(fd);
    return utkit::Error(Errc::limit_exceeded, "'" + path + "' is larger than " + std::to_string(max) + " bytes");
  }
  if (mode) *mode = static_cast<unsigned>(st.st_mode & 07777);
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, &out[got], out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

}  // namespace utcli
