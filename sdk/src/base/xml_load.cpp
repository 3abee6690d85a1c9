#include "xml_load.hpp"

#include <cstring>
#include <string>

#include "utkit/base/encoding.hpp"
#include "text.hpp"

namespace utkit::detail {

namespace {

// XML 1.0 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
bool xml_char(unsigned long c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// Whether the character reference at xml[i] ("&#...;") names a character
// XML allows. Up to 8 digits: pugixml reads the value into 32 bits, and a
// longer one is no character anyway.
bool good_ref(std::string_view xml, std::size_t i) {
  std::size_t j = i + 2;
  const bool hex = j < xml.size() && xml[j] == 'x';
  if (hex) ++j;
  unsigned long value = 0;
  std::size_t digits = 0;
  for (; j < xml.size() && xml[j] != ';'; ++j, ++digits) {
    const char c = xml[j];
    int d = c >= '0' && c <= '9' ? c - '0' : -1;
    if (hex && d < 0 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) d = (c | 0x20) - 'a' + 10;
    if (d < 0 || digits >= 8) return false;
    value = value * (hex ? 16 : 10) + static_cast<unsigned long>(d);
  }
  return digits != 0 && j < xml.size() && xml_char(value);
}

// One pass over the text, before any DOM is built: elements counted ('<'
// before a name), nesting depth followed (a start tag opens a level, "</"
// and "/>" close one), attributes counted per start tag ('=' outside quotes,
// so one element cannot carry a million of them into the DOM), every
// character reference checked (in text and in attribute values). Comments,
// CDATA sections and processing instructions are skipped whole.
enum class Refusal { none, reference, attributes, depth };

Refusal scan(std::string_view xml, std::size_t& elements, std::size_t& at) {
  elements = 0;
  bool in_tag = false;
  char quote = 0;
  int attributes = 0;
  int depth = 0;
  for (std::size_t i = 0; i < xml.size(); ++i) {
    const char c = xml[i];
    at = i;
    // A raw C0 control other than tab, LF and CR is no XML character either
    // (pugixml would keep it, and write it back as a reference we refuse).
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') return Refusal::reference;
    if (c == '&' && i + 1 < xml.size() && xml[i + 1] == '#' && (quote != 0 || !in_tag)) {
      if (!good_ref(xml, i)) return Refusal::reference;
      continue;
    }
    if (in_tag) {
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '=') {
        if (++attributes > kMaxXmlAttributes) return Refusal::attributes;
      } else if (c == '>') {
        in_tag = false;
        if (xml[i - 1] == '/' && depth > 0) --depth;  // an empty-element tag closes what it opened
      }
      continue;
    }
    if (c == '<' && i + 1 < xml.size()) {
      const char n = xml[i + 1];
      if (n == '!' || n == '?') {
        // A comment, CDATA section or processing instruction: its text is
        // not markup (no element, level or reference in it).
        const std::string_view rest = xml.substr(i);
        const std::string_view end = rest.substr(0, 4) == "<!--"        ? "-->"
                                     : rest.substr(0, 9) == "<![CDATA[" ? "]]>"
                                     : n == '?'                         ? "?>"
                                                                        : ">";
        const std::size_t e = rest.find(end, 2);
        if (e == std::string_view::npos) break;  // unterminated: pugixml refuses it
        i += e + end.size() - 1;
      } else if (n == '/') {
        if (depth > 0) --depth;
      } else {
        ++elements;
        in_tag = true;
        attributes = 0;
        if (++depth > kMaxXmlDepth) return Refusal::depth;
      }
    }
  }
  return Refusal::none;
}

Result<void> check_untrusted_xml(std::string_view xml, const std::string& name, std::size_t max_size, Errc code,
                                 std::size_t max_elements) {
  if (xml.size() > max_size) {
    return make_error(code, "{} larger than {} KiB refused", {name, Dec(max_size / 1024)});
  }
  if (!valid_utf8(xml)) return make_error(code, {name, " is not valid UTF-8; refused"});
  if (xml.find("<!DOCTYPE") != std::string_view::npos || xml.find("<!ENTITY") != std::string_view::npos) {
    return make_error(code, {name, " with a DOCTYPE or ENTITY declaration refused"});
  }
  std::size_t elements = 0, at = 0;
  switch (scan(xml, elements, at)) {
    case Refusal::none: break;
    case Refusal::reference:
      return make_error(code, "{} has a character XML does not allow (a control character, or a reference such as "
                              "&#0;) at offset {}; refused",
                        {name, Dec(at)});
    case Refusal::attributes:
      return make_error(code, "{} with an element of more than {} attributes refused", {name, Dec(kMaxXmlAttributes)});
    case Refusal::depth: return make_error(code, "{} nested deeper than {} levels", {name, Dec(kMaxXmlDepth)});
  }
  if (elements > max_elements) {
    return make_error(code, "{} has more than {} elements; refused", {name, Dec(max_elements)});
  }
  return success();
}

Result<void> parse_result(const pugi::xml_parse_result& r, const std::string& name, Errc code) {
  if (!r) {
    return make_error(code, "{} is not well-formed XML: {} at offset {}", {name, r.description(), Dec(r.offset)});
  }
  return success();
}

}  // namespace

Result<void> load_untrusted_xml(pugi::xml_document& doc, std::string_view xml, std::string_view what,
                                std::size_t max_size, Errc code, std::size_t max_elements) {
  const std::string name(what);
  UTKIT_TRY(check_untrusted_xml(xml, name, max_size, code, max_elements));
  // Default options: no DOCTYPE processing, only the five predefined entities.
  return parse_result(doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8), name,
                      code);
}

Result<void> load_untrusted_xml_in_place(pugi::xml_document& doc, std::string& buffer, std::string_view what,
                                         std::size_t max_size, Errc code, std::size_t max_elements) {
  const std::string name(what);
  UTKIT_TRY(check_untrusted_xml(buffer, name, max_size, code, max_elements));
  return parse_result(doc.load_buffer_inplace(buffer.data(), buffer.size(), pugi::parse_default, pugi::encoding_utf8),
                      name, code);
}

namespace {
class StringWriter final : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string& out) : out_(out) {}
  void write(const void* data, size_t size) override { out_.append(static_cast<const char*>(data), size); }

 private:
  std::string& out_;
};
}  // namespace

std::string xml_to_string(const pugi::xml_document& doc, const char* indent, unsigned flags,
                          pugi::xml_encoding encoding) {
  std::string out;
  StringWriter w(out);
  doc.save(w, indent, flags, encoding);
  return out;
}

}  // namespace utkit::detail
