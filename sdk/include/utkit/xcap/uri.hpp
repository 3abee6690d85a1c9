// utkit/xcap/uri.hpp — XCAP URIs (RFC 4825 section 6): the XCAP root, the
// document selector (AUID, "users"/XUI or "global", document path) and the
// node selector after "~~" (element steps by name, position, [@attr="value"],
// both; a terminal attribute "@name" or namespace selector "namespace::*"),
// with prefixes bound in a "?xmlns(p=uri)" query. Built and parsed, and the
// two round-trip. Percent-encoding follows RFC 3986 for path segments; never
// form encoding.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "utkit/base/result.hpp"

namespace utkit::xcap {

struct Step {
  std::string name;                                          // "entry", "rl:entry", or "*"
  std::optional<std::size_t> position;                       // [n], 1-based
  std::vector<std::pair<std::string, std::string>> attributes;  // [@name="value"]

  static Step element(std::string name) { return Step{std::move(name), std::nullopt, {}}; }
  Step& with(std::string attribute, std::string value) {
    attributes.emplace_back(std::move(attribute), std::move(value));
    return *this;
  }
  Step& at(std::size_t n) {
    position = n;
    return *this;
  }
};

struct NodeSelector {
  std::vector<Step> steps;       // starts at the document's root element
  std::string attribute;         // terminal "@attribute" (empty: none)
  bool namespaces = false;       // terminal "namespace::*"
  std::vector<std::pair<std::string, std::string>> bindings;  // prefix -> namespace URI (query)

  bool empty() const { return steps.empty(); }
  // "resource-lists/list[@name=\"friends\"]/entry[@uri=\"sip:b@x\"]", unencoded.
  std::string to_string() const;
  static Result<NodeSelector> parse(std::string_view text);
};

struct DocumentSelector {
  std::string auid;          // "resource-lists"
  bool global = false;       // "global" tree instead of "users/<xui>"
  std::string xui;           // "sip:alice@example.com"
  std::string path = "index";  // document path under the user's (or global) tree
};

struct XcapUri {
  std::string root;  // "https://xcap.example.com/xcap-root" (no trailing slash)
  DocumentSelector document;
  NodeSelector node;

  // The request target's full URI, percent-encoded.
  std::string to_string() const;
  // What to_string() cannot express faithfully, refused (xcap_bad_selector):
  // an AUID, XUI, document path segment or node selector step that is "." or
  // ".." or empty (a server or proxy would resolve it to another document or
  // node, RFC 3986 5.2.4),
  // and a predicate value holding both quote characters (RFC 4825's
  // AttValue has no escape for it). Every request checks this first.
  Result<void> check() const;
  // Parses a URI under `root`.
  static Result<XcapUri> parse(std::string_view root, std::string_view uri);
};

// RFC 3986 path-segment encoding (pchar kept; '/' kept only when `keep_slash`).
std::string percent_encode(std::string_view text, bool keep_slash);
Result<std::string> percent_decode(std::string_view text);

}  // namespace utkit::xcap
