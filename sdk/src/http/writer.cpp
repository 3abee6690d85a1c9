#include "utkit/http/writer.hpp"

#include <cstring>

#include "utkit/base/encoding.hpp"
#include "../base/text.hpp"

namespace utkit::http {

using namespace std::string_view_literals;
namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

}  // namespace

Result<void> check_header(std::string_view name, std::string_view value) {
  if (name.empty()) return Error(Errc::http_bad_request, "empty header name");
  for (char c : name) {
    if (!is_tchar(c)) return make_error(Errc::http_bad_request, "header name '{}' is not a token", {name});
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return make_error(Errc::http_bad_request,
                        "value of header '{}' contains CR, LF or NUL (refused: it could split the request)", {name});
    }
  }
  return success();
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

Result<std::string> quoted_string(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return make_error(Errc::http_bad_request,
                        "{} contains a control character (0x{}), which no HTTP header can carry; refused",
                        {what, hex_number(u, 2)});
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string canonical_host(std::string_view host) {
  std::string h(host);
  for (char& c : h) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (h.size() > 1 && h.back() == '.') h.pop_back();
  return h;
}

Result<std::string> serialize(const Request& r) {
  if (r.method.empty()) return Error(Errc::http_bad_request, "empty method");
  for (char c : r.method) {
    if (!is_tchar(c)) return make_error(Errc::http_bad_request, "method '{}' is not a token", {r.method});
  }
  if (r.target.empty()) return Error(Errc::http_bad_request, "empty request target");
  for (char c : r.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Error(Errc::http_bad_request, "request target contains white space or a control character");
    }
  }
  std::string out = format("{} {} HTTP/1.1\r\n", {r.method, r.target});
  for (const auto& [name, value] : r.headers.fields()) {
    UTKIT_TRY(check_header(name, value));
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!r.headers.has("Content-Length"sv) && !r.headers.has("Transfer-Encoding"sv) &&
      (!r.body.empty() || r.method == "POST" || r.method == "PUT")) {
    cat_append(out, {"Content-Length: ", Dec(r.body.size()), "\r\n"});
  }
  out += "\r\n";
  out.append(r.body.begin(), r.body.end());
  return out;
}

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? format("[{}]", {host}) : host;
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? h : cat({h, ":", Dec(port)});
}

Result<Url> parse_url(std::string_view text) {
  Url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return make_error(Errc::http_bad_url, "URL '{}' has no scheme (expected http:// or https://)", {text});
  }
  for (char c : text.substr(0, sep)) u.scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (u.scheme != "http" && u.scheme != "https") {
    return make_error(Errc::http_bad_url, "URL scheme '{}' is not http or https", {u.scheme});
  }
  std::string_view rest = text.substr(sep + 3);
  auto hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  auto path = rest.find_first_of("/?");
  std::string_view auth = rest.substr(0, path);
  u.target = path == std::string_view::npos ? "/" : std::string(rest.substr(path));
  if (u.target[0] == '?') u.target.insert(u.target.begin(), '/');
  if (auth.find('@') != std::string_view::npos) {
    return Error(Errc::http_bad_url, "URLs with user information are not accepted (credentials go through the provider)");
  }
  std::string_view port;
  if (!auth.empty() && auth[0] == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) return Error(Errc::http_bad_url, "unterminated IPv6 address in URL");
    u.host = std::string(auth.substr(1, close - 1));
    if (close + 1 < auth.size()) {
      if (auth[close + 1] != ':') return Error(Errc::http_bad_url, "junk after IPv6 address in URL");
      port = auth.substr(close + 2);
    }
  } else {
    auto colon = auth.rfind(':');
    u.host = std::string(auth.substr(0, colon));
    if (colon != std::string_view::npos) port = auth.substr(colon + 1);
  }
  u.host = canonical_host(u.host);
  if (u.host.empty()) return make_error(Errc::http_bad_url, "URL '{}' has no host", {text});
  for (char c : u.host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '\\') {
      return Error(Errc::http_bad_url, "URL host contains an invalid character");
    }
  }
  u.port = u.tls() ? 443 : 80;
  if (!port.empty()) {
    unsigned long p = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || p > 65535) return make_error(Errc::http_bad_url, "bad port in URL '{}'", {text});
      p = p * 10 + static_cast<unsigned long>(c - '0');
    }
    if (p == 0 || p > 65535) return make_error(Errc::http_bad_url, "port out of range in URL '{}'", {text});
    u.port = static_cast<std::uint16_t>(p);
  }
  for (char c : u.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Error(Errc::http_bad_url, "URL path contains white space or a control character (percent-encode it)");
    }
  }
  return u;
}

}  // namespace utkit::http
