// utcli output: the one exit-code table, errors (human on stderr, or a JSON
// object on stdout with --json), JSON that never throws, and text from the
// network made safe for a terminal. Every command prints through these.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "utkit/base/error.hpp"
#include "utkit/base/result.hpp"

namespace utcli {

// Exit codes, the same for every command (utcli --help, docs/cli.md).
enum Exit : int {
  kOk = 0,
  kFailed = 1,         // the operation failed here: storage, card, I/O
  kUsage = 2,          // bad command line
  kConfig = 3,         // bad configuration (the message names the key)
  kNetwork = 4,        // could not connect; TLS, HTTP or a server's error status (a BSF's 503)
  kAuthFailed = 5,     // authentication failed: credentials refused, AKA sync failure, resync failed
  kNotAuthentic = 6,   // AKA MAC failure: the network is not authentic
  kXcap = 7,           // XCAP: no such document or node, a 409 conflict, lost races
  kHttpStatus = 8,     // http: the final response was a 4xx/5xx
};

extern const char* kExitCodesHelp;

int exit_code_for(const utkit::Error& e);

// Set once by main() from --json.
void set_json_output(bool on);
bool json_output();

// Prints the error (stderr, or {"error": {...}} on stdout with --json) and
// returns its exit code (exit_code_for, or `code` when given).
int fail(const utkit::Error& e);
int fail(const utkit::Error& e, int code);
// A command-line error: exit 2, with `help` after the reason (human output).
int usage_error(const std::string& why, const char* help = nullptr);

// One line of JSON on stdout; invalid UTF-8 is replaced, never thrown on.
void print_json(const nlohmann::json& j);
// Terminal-safe text (utkit::printable_text): control characters, escape
// sequences, CR/LF and bytes that are not UTF-8 are shown as \xNN.
std::string term(std::string_view text);

// A whole decimal number in [min, max]; nothing else ("-5", "10x", "" fail).
std::optional<int> parse_count(const std::string& text, int min, int max);

// The contents of a regular file of at most `max` bytes. Opened without
// blocking (a FIFO or a device is refused, never waited on). `mode`, when
// given, receives the permission bits.
utkit::Result<std::string> read_regular_file(const std::string& path, std::size_t max, unsigned* mode = nullptr);

}  // namespace utcli
