#include "utkit/http/parser.hpp"

#include <cstring>

#include "../base/text.hpp"

namespace utkit::http {

using namespace std::string_view_literals;
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

void ResponseParser::set_request_method(std::string_view method) {
  head_ = method == "HEAD";
  connect_ = method == "CONNECT";
}

void ResponseParser::reset() {
  const bool head = head_, connect = connect_;
  *this = ResponseParser(limits_);
  head_ = head;
  connect_ = connect;
}

Error ResponseParser::fail(Errc code, std::string message) {
  state_ = State::failed;
  error_ = Error(code, std::move(message));
  return *error_;
}

bool ResponseParser::keep_alive() const {
  if (state_ != State::done) return false;
  if (rsp_.headers.has_token("Connection"sv, "close"sv)) return false;
  if (rsp_.version_minor == 0) return rsp_.headers.has_token("Connection"sv, "keep-alive"sv);
  return true;
}

Result<std::size_t> ResponseParser::feed(ByteView data) {
  if (state_ == State::failed) return *error_;
  std::size_t i = 0;
  while (i < data.size() && state_ != State::done) {
    if (state_ == State::failed) return *error_;
    switch (state_) {
      case State::body_length: {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - i));
        rsp_.body.insert(rsp_.body.end(), data.begin() + i, data.begin() + i + n);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::done;
        break;
      }
      case State::chunk_data: {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - i));
        rsp_.body.insert(rsp_.body.end(), data.begin() + i, data.begin() + i + n);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::chunk_end;
        break;
      }
      case State::body_close: {
        std::size_t n = data.size() - i;
        if (rsp_.body.size() + n > limits_.max_body) {
          return fail(Errc::http_body_too_large,
                      format("response body exceeds the {}-byte limit", {Dec(limits_.max_body)}));
        }
        rsp_.body.insert(rsp_.body.end(), data.begin() + i, data.end());
        i = data.size();
        break;
      }
      default: {
        // Line-oriented states: status line, headers, chunk sizes, trailers.
        const char c = static_cast<char>(data[i++]);
        if (state_ == State::status_line || state_ == State::headers || state_ == State::trailers) {
          if (++header_bytes_ > limits_.max_header_bytes) {
            return fail(Errc::http_header_too_large,
                        format("response header exceeds the {}-byte limit", {Dec(limits_.max_header_bytes)}));
          }
        } else if (line_.size() > 1024) {
          return fail(Errc::http_bad_chunk, "chunk-size line longer than 1024 bytes");
        }
        if (c == '\0') return fail(Errc::http_malformed, "NUL byte in the response header");
        if (saw_cr_ && c != '\n') return fail(Errc::http_malformed, "bare CR in the response header");
        if (c == '\r') {
          saw_cr_ = true;
          break;
        }
        saw_cr_ = false;
        if (c != '\n') {
          line_ += c;
          break;
        }
        std::string line = std::move(line_);
        line_.clear();
        auto r = on_line(line);
        if (!r) return std::move(r).error();
      }
    }
  }
  return i;
}

Result<void> ResponseParser::on_line(std::string_view line) {
  switch (state_) {
    case State::status_line: {
      // HTTP-version SP status-code SP reason-phrase
      if (line.empty() && rsp_.status == 0 && header_bytes_ <= 2) return success();  // tolerate a leading CRLF
      if (line.size() < 12 || line.substr(0, 7) != "HTTP/1."sv || (line[7] != '0' && line[7] != '1') ||
          line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' || line[11] < '0' ||
          line[11] > '9' || (line.size() > 12 && line[12] != ' ')) {
        return fail(Errc::http_malformed, format("malformed status line '{}'", {printable(line)}));
      }
      rsp_.version_minor = line[7] - '0';
      rsp_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
      rsp_.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
      state_ = State::headers;
      return success();
    }
    case State::headers:
    case State::trailers: {
      if (line.empty()) {
        if (state_ == State::trailers) {
          state_ = State::done;
          return success();
        }
        return start_body();
      }
      if (line[0] == ' ' || line[0] == '\t') {
        return fail(Errc::http_malformed, "obsolete line folding in the response header (RFC 7230 3.2.4)");
      }
      auto colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) {
        return fail(Errc::http_malformed, format("header line without a field name: '{}'", {printable(line)}));
      }
      std::string_view name = line.substr(0, colon);
      for (char c : name) {
        if (!is_tchar(c)) {
          return fail(Errc::http_malformed, format("invalid character in header field name '{}'", {printable(name)}));
        }
      }
      if (++fields_ > limits_.max_headers) {
        return fail(Errc::http_too_many_headers,
                    format("response has more than {} header fields", {Dec(limits_.max_headers)}));
      }
      std::string_view value = trim_ows(line.substr(colon + 1));
      (state_ == State::trailers ? rsp_.trailers : rsp_.headers).add(std::string(name), std::string(value));
      return success();
    }
    case State::chunk_size: {
      std::string_view size = line.substr(0, line.find(';'));
      size = trim_ows(size);
      if (size.empty() || size.size() > 15) {
        return fail(Errc::http_bad_chunk, format("bad chunk size '{}'", {printable(line)}));
      }
      std::uint64_t v = 0;
      for (char c : size) {
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0) return fail(Errc::http_bad_chunk, format("bad chunk size '{}'", {printable(line)}));
        v = v * 16 + static_cast<std::uint64_t>(d);
      }
      if (rsp_.body.size() + v > limits_.max_body) {
        return fail(Errc::http_body_too_large,
                    format("chunked body exceeds the {}-byte limit", {Dec(limits_.max_body)}));
      }
      if (v == 0) {
        state_ = State::trailers;
      } else {
        remaining_ = v;
        state_ = State::chunk_data;
      }
      return success();
    }
    case State::chunk_end:
      if (!line.empty()) return fail(Errc::http_bad_chunk, "chunk data is longer than its declared size");
      state_ = State::chunk_size;
      return success();
    default:
      return fail(Errc::internal, "parser in an impossible state");
  }
}

Result<void> ResponseParser::start_body() {
  const int s = rsp_.status;
  if (s >= 100 && s < 200) {
    if (s == 101) return fail(Errc::http_malformed, "unexpected 101 Switching Protocols");
    // An interim response: drop it and parse the final one.
    const bool head = head_, connect = connect_;
    std::size_t used = header_bytes_;
    reset();
    head_ = head;
    connect_ = connect;
    header_bytes_ = used;
    return success();
  }
  if (head_ || s == 204 || s == 304 || (connect_ && s >= 200 && s < 300)) {
    state_ = State::done;
    return success();
  }
  const auto te = rsp_.headers.all("Transfer-Encoding"sv);
  const auto cl = rsp_.headers.all("Content-Length"sv);
  if (!te.empty()) {
    if (!cl.empty()) {
      return fail(Errc::http_bad_content_length,
                  "response has both Transfer-Encoding and Content-Length (refused: request smuggling risk)");
    }
    if (te.size() != 1 || !iequals(trim_ows(te[0]), "chunked"sv)) {
      return fail(Errc::http_malformed,
                  format("unsupported Transfer-Encoding '{}' (only chunked)", {printable(te[0])}));
    }
    state_ = State::chunk_size;
    return success();
  }
  if (!cl.empty()) {
    // Every value (and every list element) must be the same decimal number.
    std::optional<std::uint64_t> len;
    for (std::string_view v : cl) {
      while (true) {
        auto comma = v.find(',');
        std::string_view item = trim_ows(v.substr(0, comma));
        if (item.empty() || item.size() > 18) {
          return fail(Errc::http_bad_content_length, format("bad Content-Length '{}'", {printable(item)}));
        }
        std::uint64_t n = 0;
        for (char c : item) {
          if (c < '0' || c > '9')
            return fail(Errc::http_bad_content_length, format("bad Content-Length '{}'", {printable(item)}));
          n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (len && *len != n) return fail(Errc::http_bad_content_length, "conflicting Content-Length values");
        len = n;
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
      }
    }
    if (*len > limits_.max_body) {
      return fail(Errc::http_body_too_large,
                  format("Content-Length {} exceeds the {}-byte limit", {Dec(*len), Dec(limits_.max_body)}));
    }
    remaining_ = *len;
    state_ = remaining_ == 0 ? State::done : State::body_length;
    if (remaining_ != 0) rsp_.body.reserve(static_cast<std::size_t>(remaining_));
    return success();
  }
  state_ = State::body_close;
  return success();
}

Result<void> ResponseParser::finish() {
  switch (state_) {
    case State::done: return success();
    case State::failed: return *error_;
    case State::body_close: state_ = State::done; return success();
    case State::status_line:
      if (header_bytes_ == 0) return fail(Errc::http_truncated, "the connection closed before any response");
      [[fallthrough]];
    default:
      return fail(Errc::http_truncated, "the connection closed in the middle of a response");
  }
}

}  // namespace utkit::http
