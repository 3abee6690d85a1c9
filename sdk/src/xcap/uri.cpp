#include "utkit/xcap/uri.hpp"

#include <cstring>

#include "../base/text.hpp"

namespace utkit::xcap {
namespace {

bool pchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("-._~!$&'()*+,;=:@", c) != nullptr;
}

Error bad(const std::string& what) { return Error(Errc::xcap_bad_selector, what); }

std::string quote_value(const std::string& v) {
  return v.find('"') == std::string::npos ? format("\"{}\"", {v}) : format("'{}'", {v});
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == ':' || c == '*' || static_cast<unsigned char>(c) >= 0x80;
}

// One step: name, then any of [n] and [@attr="value"] in any order.
Result<Step> parse_step(std::string_view s) {
  Step st;
  std::size_t i = 0;
  while (i < s.size() && name_char(s[i])) ++i;
  st.name = std::string(s.substr(0, i));
  if (st.name.empty()) return bad(format("node selector step '{}' has no element name", {s}));
  while (i < s.size()) {
    if (s[i] != '[') return bad(format("unexpected '{}' in step '{}'", {s.substr(i, 1), s}));
    ++i;
    if (i < s.size() && s[i] == '@') {
      std::size_t b = ++i;
      while (i < s.size() && name_char(s[i])) ++i;
      std::string attr(s.substr(b, i - b));
      if (attr.empty() || i >= s.size() || s[i] != '=') return bad(format("bad attribute predicate in '{}'", {s}));
      ++i;
      if (i >= s.size() || (s[i] != '"' && s[i] != '\''))
        return bad(format("attribute value must be quoted in '{}'", {s}));
      const char q = s[i++];
      std::size_t e = s.find(q, i);
      if (e == std::string_view::npos) return bad(format("unterminated attribute value in '{}'", {s}));
      st.attributes.emplace_back(attr, std::string(s.substr(i, e - i)));
      i = e + 1;
    } else {
      std::size_t b = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == b || i - b > 9) return bad(format("bad position in '{}'", {s}));
      std::size_t n = std::stoul(std::string(s.substr(b, i - b)));
      if (n == 0) return bad(format("positions start at 1 in '{}'", {s}));
      st.position = n;
    }
    if (i >= s.size() || s[i] != ']') return bad(format("missing ']' in '{}'", {s}));
    ++i;
  }
  return st;
}

std::string step_text(const Step& st) {
  std::string out = st.name;
  if (st.position) cat_append(out, {"[", Dec(*st.position), "]"});
  for (const auto& [a, v] : st.attributes) cat_append(out, {"[@", a, "=", quote_value(v), "]"});
  return out;
}

}  // namespace

std::string percent_encode(std::string_view text, bool keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (pchar(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    auto val = [](char c) {
      return (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    };
    int hi = i + 1 < text.size() ? val(text[i + 1]) : -1, lo = i + 2 < text.size() ? val(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return bad(format("bad percent-encoding in '{}'", {text.substr(0, 80)}));
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return bad("percent-encoded NUL refused");
    out += c;
    i += 2;
  }
  return out;
}

std::string NodeSelector::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < steps.size(); ++i) out += (i ? "/" : "") + step_text(steps[i]);
  if (!attribute.empty()) cat_append(out, {"/@", attribute});
  if (namespaces) out += "/namespace::*";
  return out;
}

Result<NodeSelector> NodeSelector::parse(std::string_view text) {
  NodeSelector ns;
  // Split on '/' outside quotes and brackets.
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  char quote = 0;
  int depth = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : '/';
    if (quote) {
      if (c == quote) quote = 0;
      if (i == text.size()) return bad("unterminated quote in node selector");
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '[') ++depth;
    else if (c == ']') --depth;
    else if (c == '/' && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.empty() || parts[0].empty()) return bad("empty node selector");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    const bool last = i + 1 == parts.size();
    if (last && !p.empty() && p[0] == '@') {
      ns.attribute = std::string(p.substr(1));
      if (ns.attribute.empty()) return bad("empty attribute selector");
      break;
    }
    if (last && p == "namespace::*") {
      ns.namespaces = true;
      break;
    }
    UTKIT_ASSIGN(Step st, parse_step(p));
    ns.steps.push_back(std::move(st));
  }
  if (ns.steps.empty()) return bad("node selector selects no element");
  return ns;
}

std::string XcapUri::to_string() const {
  std::string out = format("{}/{}/", {root, percent_encode(document.auid, false)});
  out += document.global ? std::string("global") : cat({"users/", percent_encode(document.xui, false)});
  cat_append(out, {"/", percent_encode(document.path, true)});
  if (!node.empty()) {
    out += "/~~";
    for (const Step& st : node.steps) cat_append(out, {"/", percent_encode(step_text(st), false)});
    if (!node.attribute.empty()) cat_append(out, {"/", percent_encode(cat({"@", node.attribute}), false)});
    if (node.namespaces) cat_append(out, {"/", percent_encode("namespace::*", false)});
    if (!node.bindings.empty()) {
      out += "?";
      for (const auto& [prefix, uri] : node.bindings) {
        std::string binding = "xmlns(";
        binding.append(prefix).append("=").append(uri).append(")");
        out += percent_encode(binding, true);
      }
    }
  }
  return out;
}

namespace {
bool dot_segment(std::string_view s) { return s.empty() || s == "." || s == ".."; }
}  // namespace

Result<void> XcapUri::check() const {
  // Every segment a server would resolve (RFC 3986 5.2.4): the AUID, the XUI,
  // each segment of the document path, each node-selector step.
  bool dots = dot_segment(document.auid) || (!document.global && dot_segment(document.xui));
  for (std::string_view path = document.path; !dots;) {
    const auto slash = path.find('/');
    dots = dot_segment(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  for (const Step& st : node.steps) {
    dots = dots || dot_segment(st.name);
    for (const auto& [a, v] : st.attributes) {
      if (v.find('"') != std::string::npos && v.find('\'') != std::string::npos) {
        return bad(format("the value of [@{}] holds both quote characters, which an XCAP predicate cannot carry", {a}));
      }
    }
  }
  if (dots) {
    return bad(format("'{}' has an empty, '.' or '..' segment: refused (it would name another document or node)",
                      {to_string()}));
  }
  return success();
}

Result<XcapUri> XcapUri::parse(std::string_view root, std::string_view uri) {
  while (!root.empty() && root.back() == '/') root.remove_suffix(1);
  if (uri.substr(0, root.size()) != root || uri.size() <= root.size() || uri[root.size()] != '/') {
    return bad(format("'{}' is not under the XCAP root {}", {uri.substr(0, 120), root}));
  }
  for (char c : uri) {
    // A URI carries no raw white space or control characters: they come percent-encoded.
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return bad("XCAP URI contains a raw space, control or non-ASCII character (percent-encode it)");
    }
  }
  XcapUri x;
  x.root = std::string(root);
  std::string_view rest = uri.substr(root.size() + 1);
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view doc = rest, node;
  if (auto sep = rest.find("/~~/"); sep != std::string_view::npos) {
    doc = rest.substr(0, sep);
    node = rest.substr(sep + 4);
  } else if (rest.size() >= 3 && rest.substr(rest.size() - 3) == "/~~") {
    doc = rest.substr(0, rest.size() - 3);
  }
  auto slash = doc.find('/');
  if (slash == std::string_view::npos) return bad("XCAP URI has no document selector after the AUID");
  UTKIT_ASSIGN(x.document.auid, percent_decode(doc.substr(0, slash)));
  doc = doc.substr(slash + 1);
  if (doc.substr(0, 7) == "global/") {
    x.document.global = true;
    doc = doc.substr(7);
  } else if (doc.substr(0, 6) == "users/") {
    doc = doc.substr(6);
    auto s2 = doc.find('/');
    if (s2 == std::string_view::npos || s2 == 0) return bad("XCAP URI has no XUI or no document name");
    UTKIT_ASSIGN(x.document.xui, percent_decode(doc.substr(0, s2)));
    doc = doc.substr(s2 + 1);
  } else {
    return bad("XCAP document selector must continue with users/<XUI>/ or global/");
  }
  if (doc.empty()) return bad("XCAP URI names no document");
  UTKIT_ASSIGN(x.document.path, percent_decode(doc));
  if (!node.empty()) {
    UTKIT_ASSIGN(std::string decoded, percent_decode(node));
    UTKIT_ASSIGN(x.node, NodeSelector::parse(decoded));
  }
  if (!query.empty()) {
    UTKIT_ASSIGN(std::string q, percent_decode(query));
    std::string_view qs = q;
    while (!qs.empty()) {
      if (qs.substr(0, 6) != "xmlns(") return bad(format("unknown XCAP query '{}'", {qs.substr(0, 40)}));
      auto close = qs.find(')');
      auto eq = qs.find('=');
      if (close == std::string_view::npos || eq == std::string_view::npos || eq > close) return bad("bad xmlns() binding");
      x.node.bindings.emplace_back(std::string(qs.substr(6, eq - 6)), std::string(qs.substr(eq + 1, close - eq - 1)));
      qs = qs.substr(close + 1);
    }
  }
  return x;
}

}  // namespace utkit::xcap
