// Internal: the one guard every XML document from the network goes through
// (BootstrappingInfo, resource-lists, pres-rules, rls-services, xcap-error,
// xcap-caps). Not a public header.
#pragma once

#include <pugixml.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "utkit/base/result.hpp"
#include "utkit/base/xml_limits.hpp"

namespace utkit::detail {

inline constexpr int kMaxXmlDepth = 64;        // levels, the root element included
inline constexpr int kMaxXmlAttributes = 64;   // per element
// Elements per document unless a caller says otherwise (utkit/base/xml_limits.hpp).
inline constexpr std::size_t kMaxXmlElements = XmlLimits{}.max_elements;

// Parses `xml` into `doc`, refusing (with `code`, the message naming `what`):
//   * more than `max_size` bytes;
//   * text that is not UTF-8 (RFC 3629): XML 1.0 documents here are UTF-8,
//     and invalid sequences would otherwise reach JSON output and terminals;
//   * any DOCTYPE or ENTITY declaration (no entity expansion of any kind);
//   * more than `max_elements` elements (counted before the DOM is built);
//   * a character reference to what XML 1.0 does not allow as a character
//     (&#0;, &#x1;, a surrogate, &#xFFFE;): it is not well-formed, and a NUL
//     would cut every string read from the DOM;
//   * XML that is not well-formed;
//   * elements nested deeper than kMaxXmlDepth, or with more than
//     kMaxXmlAttributes attributes.
Result<void> load_untrusted_xml(pugi::xml_document& doc, std::string_view xml, std::string_view what,
                                std::size_t max_size, Errc code, std::size_t max_elements = kMaxXmlElements);

// The same checks, then a parse in place: `buffer` becomes the document's
// storage (no copy of the text), so it must outlive `doc` and not move
// (keep it beside the document on the heap; a moved short string would
// leave the document pointing at the old one).
Result<void> load_untrusted_xml_in_place(pugi::xml_document& doc, std::string& buffer, std::string_view what,
                                         std::size_t max_size, Errc code, std::size_t max_elements = kMaxXmlElements);

// The document as text through a pugi::xml_writer (no iostreams: an
// embedded C++ runtime may have none).
std::string xml_to_string(const pugi::xml_document& doc, const char* indent,
                          unsigned flags = pugi::format_default, pugi::xml_encoding encoding = pugi::encoding_auto);

}  // namespace utkit::detail
