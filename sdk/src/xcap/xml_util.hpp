// Internal helpers of the xcap module's XML code.
#pragma once

#include <pugixml.hpp>

#include <cstring>
#include <string>
#include <string_view>

#include "utkit/base/encoding.hpp"
#include "utkit/base/result.hpp"
#include "../base/text.hpp"

namespace utkit::xcap::detail {

// The local part of a qualified name ("rl:entry" -> "entry"), a view into it.
inline std::string_view local_name(const char* qname) {
  const char* colon = std::strchr(qname, ':');
  return colon ? colon + 1 : qname;
}

// The prefix of a qualified name ("rl:entry" -> "rl", "entry" -> "").
inline std::string_view prefix_of(const char* qname) {
  const char* colon = std::strchr(qname, ':');
  return colon != nullptr ? std::string_view(qname, static_cast<std::size_t>(colon - qname)) : std::string_view();
}

// The namespace URI bound to `prefix` ("" = the default namespace) where
// `n` is, from the declarations in scope (pugixml does not resolve them);
// empty when unbound. (The shared XML guard bounds depth and attributes.)
inline std::string_view namespace_in_scope(pugi::xml_node n, std::string_view prefix) {
  char attr[72] = "xmlns";  // "xmlns" or "xmlns:<prefix>"
  if (!prefix.empty()) {
    if (prefix.size() > sizeof attr - 7) return {};  // no declaration has such a prefix here
    attr[5] = ':';
    std::memcpy(attr + 6, prefix.data(), prefix.size());
    attr[6 + prefix.size()] = '\0';
  }
  for (pugi::xml_node a = n; a && a.type() == pugi::node_element; a = a.parent()) {
    if (pugi::xml_attribute d = a.attribute(attr)) return d.value();
  }
  return {};
}

// Whether `n` is the element {ns}local: the way every reader in the xcap
// module matches elements (a prefix means what its declaration says; an
// undeclared prefix or another namespace is not a match).
inline bool is_element(pugi::xml_node n, const char* ns, std::string_view local) {
  // (":entry", an empty prefix pugixml lets through, names no namespace.)
  if (n.type() != pugi::node_element || n.name()[0] == ':' || local_name(n.name()) != local) return false;
  return namespace_in_scope(n, prefix_of(n.name())) == ns;
}

// The first child {ns}local of `parent`, or a null node.
inline pugi::xml_node child_element(pugi::xml_node parent, const char* ns, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (is_element(c, ns, local)) return c;
  }
  return {};
}

// Text for an XML attribute value or element content: the one escaping
// function of every XML writer in the xcap module. Tab, CR and LF become
// character references so that attribute-value normalisation (XML 1.0 3.3.3)
// cannot turn them into spaces. The other C0 controls cannot appear in XML 1.0
// at all: check_xml_text() refuses them before anything is built.
inline std::string xml_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      case '\t': o += "&#9;"; break;
      case '\n': o += "&#10;"; break;
      case '\r': o += "&#13;"; break;
      default: o += c;
    }
  }
  return o;
}

// Whether `s` can be written into an XML 1.0 document at all: valid UTF-8 and
// no C0 control other than tab, CR and LF. `what` names it in the error.
inline Result<void> check_xml_text(std::string_view s, std::string_view what) {
  if (!valid_utf8(s)) return make_error(Errc::invalid_argument, {what, " is not valid UTF-8"});
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return make_error(Errc::invalid_argument, "{} contains a control character (0x{}) that XML cannot carry",
                        {what, hex_number(u, 2)});
    }
  }
  return success();
}

}  // namespace utkit::xcap::detail
