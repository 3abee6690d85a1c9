// utkit/http/writer.hpp — request serialisation and the URLs the client takes.
//
// Nothing that came from a document, a URI or a server can split a request:
// the method must be a token, the target must be free of white space and
// control characters, and header names and values must be free of CR, LF and
// NUL, or the request is refused (http_bad_request).
#pragma once

#include <cstdint>
#include <string>

#include "utkit/base/result.hpp"
#include "utkit/http/message.hpp"

namespace utkit::http {

Result<void> check_header(std::string_view name, std::string_view value);

// RFC 9110 5.6.2: a token (1*tchar).
bool is_token(std::string_view s);
// RFC 9110 5.6.4: `s` as a quoted-string, '"' and '\' escaped. Every
// quoted header parameter the SDK writes (Digest username, realm, uri,
// X-3GPP-Intended-Identity, ...) goes through this. Refuses (http_bad_request,
// naming `what`) control characters other than HTAB, which no quoted-string
// can carry.
Result<std::string> quoted_string(std::string_view s, std::string_view what);

// A host name as utkit compares, keys and derives from it: ASCII letters in
// lower case, no trailing dot ("XCAP.Example.NET." -> "xcap.example.net").
// parse_url() returns hosts in this form; GBA's NAF_Id uses it (TS 33.220:
// the NAF's FQDN, which DNS treats case-insensitively).
std::string canonical_host(std::string_view host);
// "METHOD target HTTP/1.1\r\n" + headers + "\r\n" + body. Adds Content-Length
// when the request has a body (or is a POST/PUT) and none is set.
Result<std::string> serialize(const Request& request);

struct Url {
  std::string scheme;  // "http" | "https"
  std::string host;    // without brackets for IPv6
  std::uint16_t port = 0;
  std::string target;  // path + query, at least "/"

  // "host" or "host:port" (port omitted when it is the scheme's default),
  // IPv6 in brackets: the Host header value.
  std::string authority() const;
  std::string origin() const { return scheme + "://" + authority(); }
  bool tls() const { return scheme == "https"; }
};

// Absolute http(s) URLs only. No user info; fragments are dropped. The host
// comes back in canonical_host() form.
Result<Url> parse_url(std::string_view text);

}  // namespace utkit::http
