// Internal helpers of the xcap module's XML code.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

namespace utkit::xcap::detail {

// The local part of a qualified name ("rl:entry" -> "entry").
inline std::string local_name(const char* qname) {
  const char* colon = std::strchr(qname, ':');
  return colon ? colon + 1 : qname;
}

// Text for an XML attribute value or element content.
inline std::string xml_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

}  // namespace utkit::xcap::detail
