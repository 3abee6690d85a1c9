// utkit/base/log.hpp — levels, the LogSink interface, and redaction.
//
// SDK code never prints: it logs through a Logger, which forwards to the
// application's LogSink. Before a message reaches the sink the Logger's
// Redactor removes:
//   * every secret registered with protect() (K, RES, CK, IK, Ks, Ks_NAF,
//     passwords), wherever it appears as lower/upper-case hex or base64;
//   * the values of credential parameters (response=, auts=, password=),
//     wherever they appear, quoted or not.
// The Redactor stores only hashes of what it protects, never the secret.
// A Logger is safe to use from several threads.
#pragma once

#include <cstdint>
#include "utkit/base/sync.hpp"
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "utkit/base/bytes.hpp"
#include "utkit/build_config.h"

namespace utkit {

enum class LogLevel : std::uint8_t { trace = 0, debug, info, warn, error, off };

const char* to_string(LogLevel level);

class LogSink {
 public:
  virtual ~LogSink() = default;
  // Called with an already-redacted message. `component` is the module
  // ("aka", "tls", ...). May be called from several threads.
  virtual void write(LogLevel level, std::string_view component, std::string_view message) = 0;
};

class Redactor {
 public:
  // Registers a secret: its hex (both cases) and base64 forms are masked in
  // every later message. Secrets shorter than 4 bytes are ignored (too short
  // to mask without masking ordinary text).
  void protect(ByteView secret);
  // Masks protected secrets and credential parameters in place.
  void redact(std::string& message) const;
  std::size_t protected_forms() const;

 private:
  void add_form(std::string_view text);

  mutable Mutex mu_;
  // length of a form -> rolling hashes of the forms of that length
  std::unordered_map<std::size_t, std::unordered_set<std::uint64_t>> rolling_;
  // SHA-256 of every form, to confirm a rolling-hash hit
  std::unordered_set<std::string> digests_;
};

class Logger {
 public:
  // A Logger with no sink drops everything (and still registers secrets,
  // for a sink set later).
  Logger() : emit_(&Logger::emit), protect_(&Logger::protect_secret) {}
  Logger(LogSink* sink, LogLevel min_level) : Logger() {
    sink_ = sink;
    min_ = min_level;
  }

  void set_sink(LogSink* sink, LogLevel min_level) { sink_ = sink; min_ = min_level; }
  bool enabled(LogLevel level) const { return sink_ != nullptr && level >= min_ && level != LogLevel::off; }

  // Registers a secret for redaction (const: it changes what is masked, not
  // where messages go, so holders of a const Logger can protect their keys).
  void protect(ByteView secret) const { protect_(*this, secret); }
  void log(LogLevel level, std::string_view component, std::string message) const {
    if (enabled(level)) emit_(*this, level, component, message);
  }

  void trace(std::string_view c, std::string m) const { log(LogLevel::trace, c, std::move(m)); }
  void debug(std::string_view c, std::string m) const { log(LogLevel::debug, c, std::move(m)); }
  void info(std::string_view c, std::string m) const { log(LogLevel::info, c, std::move(m)); }
  void warn(std::string_view c, std::string m) const { log(LogLevel::warn, c, std::move(m)); }
  void error(std::string_view c, std::string m) const { log(LogLevel::error, c, std::move(m)); }

  const Redactor& redactor() const { return redactor_; }

 private:
  // Redaction and output are reached through pointers that only the
  // constructors take, so a program that never makes a Logger (a firmware
  // passing none to the SDK) does not link them.
  static void emit(const Logger& logger, LogLevel level, std::string_view component, std::string& message);
  static void protect_secret(const Logger& logger, ByteView secret);

  LogSink* sink_ = nullptr;
  LogLevel min_ = LogLevel::info;
  void (*emit_)(const Logger&, LogLevel, std::string_view, std::string&);
  void (*protect_)(const Logger&, ByteView);
  mutable Redactor redactor_;
};

// Whether to log through `log`: `if (logs(log_)) log_->debug("http", ...)`.
// Every log call in the SDK goes through it; in a build with UTKIT_LOGGING=0
// it is constant false and the calls, with their messages, compile away.
inline bool logs(const Logger* log) { return UTKIT_LOGGING != 0 && log != nullptr; }

}  // namespace utkit
