// utkit/http/parser.hpp — a sans-I/O HTTP/1.1 response parser.
//
// Feed it bytes as they arrive, in pieces of any size: feeding a response
// byte by byte gives the same result as feeding it whole. It handles the
// status line, header fields (names case-insensitive), Content-Length,
// chunked bodies with trailers, close-delimited bodies (finish() at EOF),
// no body for HEAD, 204, 304 and 2xx to CONNECT, and skips 1xx responses.
//
// It refuses, with a typed error: obsolete line folding, bare CR, NUL bytes,
// white space before a colon, malformed status lines, conflicting or
// overflowing Content-Length, Content-Length together with Transfer-Encoding,
// codings other than chunked, bad chunk sizes, and anything past its limits.
// Once it has failed it stays failed; "need more bytes" is not an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "utkit/base/result.hpp"
#include "utkit/http/message.hpp"

namespace utkit::http {

struct ParserLimits {
  std::size_t max_header_bytes = std::size_t{16} * 1024;  // status line + fields (+ trailers)
  std::size_t max_headers = 100;             // fields (+ trailer fields)
  std::size_t max_body = std::size_t{4} * 1024 * 1024;
};

class ResponseParser {
 public:
  explicit ResponseParser(ParserLimits limits = {}) : limits_(limits) {}

  // Tell the parser what request the response answers (before feeding).
  void set_request_method(std::string_view method);

  // Consumes bytes; returns how many were used. Bytes after the end of the
  // response (a pipelined next one) are not consumed.
  Result<std::size_t> feed(ByteView data);
  // The peer closed the connection: completes a close-delimited body, or
  // fails with http_truncated if the response is incomplete.
  Result<void> finish();

  bool done() const { return state_ == State::done; }
  // True until the response needs no more bytes.
  bool need_more() const { return state_ != State::done && state_ != State::failed; }
  // Whether the connection may carry another request after this response.
  bool keep_alive() const;

  const Response& response() const { return rsp_; }
  Response take() { return std::move(rsp_); }
  void reset();

 private:
  enum class State { status_line, headers, body_length, body_close, chunk_size, chunk_data, chunk_end, trailers, done, failed };

  Result<void> on_line(std::string_view line);
  Result<void> start_body();
  Error fail(Errc code, std::string message);

  ParserLimits limits_;
  State state_ = State::status_line;
  std::optional<Error> error_;
  Response rsp_;
  std::string line_;
  std::size_t header_bytes_ = 0;
  std::size_t fields_ = 0;
  std::uint64_t remaining_ = 0;
  bool head_ = false;
  bool connect_ = false;
  bool saw_cr_ = false;
};

}  // namespace utkit::http
