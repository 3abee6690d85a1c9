// utkit/xcap/resource_lists.hpp — buddy lists: the resource-lists app usage
// (RFC 4826) and the OMA default lists, and the operations an app needs.
//
// ResourceLists keeps the parsed document (pugixml), so elements and
// attributes this SDK does not know survive a round trip untouched; it reads
// entries from the DOM when asked and keeps no copies of its own.
//
// BuddyList changes one entry at a time with one request to the entry's own
// selector (bytes on the wire grow with the entry, not with the list), with
// no prior read: a PUT creates or replaces exactly that entry, so two devices
// editing one list never lose an entry. A missing document is created with
// the OMA default lists (If-None-Match: *), a missing list with an element
// PUT under the document's ETag. Reads may go through a DocumentCache.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "utkit/base/clock.hpp"
#include "utkit/base/result.hpp"
#include "utkit/base/xml_limits.hpp"
#include "utkit/xcap/client.hpp"
#include "utkit/xcap/document_cache.hpp"

namespace utkit::xcap {

inline constexpr char kResourceListsNs[] = "urn:ietf:params:xml:ns:resource-lists";

struct Entry {
  std::string uri;
  std::string display_name;
};

class ResourceLists {
 public:
  // Refuses DOCTYPEs, documents over the limits (4 MiB, 50,000 elements by
  // default), nesting deeper than 64 levels, and a root that is not
  // <resource-lists> in its namespace.
  static Result<ResourceLists> parse(std::string_view xml, const XmlLimits& limits = {});
  // The same, parsing `xml` in place: the document keeps the buffer as its
  // storage instead of copying it (a large list is held once, not twice).
  static Result<ResourceLists> parse_owned(std::string&& xml, const XmlLimits& limits = {});
  // A document with these (empty) lists.
  static ResourceLists with_lists(const std::vector<std::string>& names);

  ResourceLists(ResourceLists&&) noexcept;
  ResourceLists& operator=(ResourceLists&&) noexcept;
  ~ResourceLists();

  std::vector<std::string> list_names() const;
  bool has_list(std::string_view name) const;
  // Entries of a list (copies; for a large list prefer for_each_entry).
  Result<std::vector<Entry>> entries(std::string_view list) const;
  // Calls `fn(uri, display_name)` for each entry of a list, in document
  // order, with views into the document (valid during the call): no copy.
  Result<void> for_each_entry(std::string_view list,
                              const std::function<void(std::string_view uri, std::string_view display_name)>& fn) const;
  std::size_t entry_count(std::string_view list) const;
  // A list's <entry-ref ref="..."> and <external anchor="..."> references,
  // and its <display-name>.
  Result<std::vector<std::string>> entry_refs(std::string_view list) const;
  Result<std::vector<std::string>> externals(std::string_view list) const;
  Result<std::string> list_display_name(std::string_view list) const;
  std::optional<Entry> find(std::string_view list, std::string_view uri) const;
  std::string serialize() const;

  // The XML of one <entry> (an XCAP element body) and one empty <list>.
  static std::string entry_xml(const Entry& e);
  static std::string list_xml(std::string_view name);

 private:
  struct Impl;
  explicit ResourceLists(std::unique_ptr<Impl> impl);
  static Result<ResourceLists> check(std::unique_ptr<Impl> impl);
  Result<const void*> list_node(std::string_view name) const;  // a pugi::xml_node_struct*
  // The parsed document and, for parse_owned(), the text it was parsed in.
  // Only handles into it are kept: nothing is copied beside the DOM.
  std::unique_ptr<Impl> impl_;
};

struct BuddyConfig {
  std::string auid = "resource-lists";
  std::string document = "index";  // OMA: "index"
  std::string list = "oma_buddylist";
  // Created when the user has no document yet (OMA XDM defaults).
  std::vector<std::string> default_lists = {"oma_buddylist", "oma_grantedcontacts", "oma_blockedcontacts",
                                            "oma_allcontacts"};
  int max_retries = 16;  // rounds per change (a missing list to create, a server's 412)
  // After a 412, wait a random time up to min(backoff_max, backoff_base * 2^round)
  // before re-reading, so that two devices racing for one document do not
  // run in lockstep (one of them would otherwise keep losing).
  Millis backoff_base{4};
  Millis backoff_max{200};
  // What the user's document may cost (a larger one is refused, xcap_bad_document).
  XmlLimits document_limits;
};

class BuddyList {
 public:
  // With a cache, reads send If-None-Match with the kept copy's ETag and a
  // 304 serves the copy (no body on the wire); `cache` must outlive this.
  BuddyList(XcapClient& xcap, BuddyConfig config = {}, DocumentCache* cache = nullptr);

  // The user's document (created with the defaults when there is none).
  Result<ResourceLists> document();
  Result<std::vector<Entry>> entries(std::string list = {});
  // Calls `fn(uri, display_name)` for each entry, with views into the parsed
  // document: a 10,000-entry list is not copied (a missing list has none).
  Result<void> for_each(const std::function<void(std::string_view uri, std::string_view display_name)>& fn,
                        std::string list = {});
  // Adding, removing and renaming one buddy is one XCAP request to that
  // entry's own selector, without reading the document first and without an
  // ETag (a one-element change cannot lose another device's entries).
  // Idempotent: adding an entry that is there replaces that entry, display
  // name and any extension content of it included (the price of not reading
  // first; rename() changes only the name). Creates the list, and the
  // document with the defaults, when missing.
  Result<void> add(const Entry& entry, std::string list = {});
  // Idempotent: removing an entry that is not there succeeds.
  Result<void> remove(std::string_view uri, std::string list = {});
  // Changes the display name: one PUT of the entry's display-name (a DELETE
  // for an empty name). xcap_not_found when there is no such buddy.
  Result<void> rename(std::string_view uri, const std::string& display_name, std::string list = {});
  // Adds to `to`, then removes from `from`.
  Result<void> move(std::string_view uri, const std::string& from, const std::string& to);

  int retries() const { return retries_; }  // 412 recoveries so far

 private:
  XcapUri entry_uri(std::string_view list, std::string_view uri) const;
  Result<ResourceLists> refresh();
  Result<void> back_off(int round);
  Result<void> ensure_list(ResourceLists& doc, const std::string& list);

  XcapClient& xcap_;
  BuddyConfig cfg_;
  DocumentCache* cache_;
  int retries_ = 0;
};

}  // namespace utkit::xcap
