// utkit/http/message.hpp — HTTP/1.1 requests, responses and header lists.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "utkit/base/bytes.hpp"
#include "utkit/base/cancel.hpp"

namespace utkit::http {

// ASCII case-insensitive comparison (header names, tokens).
bool iequals(std::string_view a, std::string_view b);
// True when the comma-separated `list` (e.g. "auth, auth-int") holds `token`
// (ASCII case ignored, white space around items trimmed).
bool list_has_token(std::string_view list, std::string_view token);

// Header fields in order of appearance; names compare case-insensitively.
class Headers {
 public:
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every field called `name` with one.
  void set(std::string_view name, std::string value);
  void remove(std::string_view name);
  // The first value, or nullptr.
  const std::string* find(std::string_view name) const;
  std::vector<std::string_view> all(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  // True when a comma-separated field (e.g. Connection) lists `token`.
  bool has_token(std::string_view name, std::string_view token) const;

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  void clear() { fields_.clear(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method = "GET";
  std::string target = "/";  // origin-form "/path?query"; authority-form for CONNECT
  Headers headers;
  Bytes body;
  // Optional limits for this request: a deadline on the monotonic clock of the
  // client (instead of its request_timeout), and a token another thread may
  // fire to cancel it: the request then ends at once with the token's reason
  // (Errc::cancelled), whatever it is waiting for. The token must outlive the call.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  const CancelToken* cancel = nullptr;
};

struct Response {
  int version_minor = 1;  // HTTP/1.<minor>
  int status = 0;
  std::string reason;
  Headers headers;
  Headers trailers;
  // Text, not Bytes: XCAP bodies are parsed in place, and a string lets the
  // XCAP layer take the buffer without a copy (a 1 MB document is not held twice).
  std::string body;
  // The server proved it knows the Digest password for this very response:
  // its rspauth (over the body too with qop=auth-int) was present and right.
  bool rspauth_verified = false;

  const std::string& body_text() const { return body; }
  ByteView body_bytes() const { return ByteView::of(body); }
};

}  // namespace utkit::http
