// utkit/xcap/resource_lists.hpp — buddy lists: the resource-lists app usage
// (RFC 4826) and the OMA default lists, and the operations an app needs.
//
// ResourceLists keeps the parsed document (pugixml), so elements and
// attributes this SDK does not know survive a round trip untouched.
//
// BuddyList changes one entry at a time with an element PUT or DELETE
// (bytes on the wire grow with the entry, not with the list), guarded by the
// document ETag (If-Match). On 412 it re-reads the document and applies the
// change again (bounded), so two devices editing one list never lose an
// entry. A missing document is created with the OMA default lists
// (If-None-Match: *), a missing list with an element PUT.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "utkit/base/clock.hpp"
#include "utkit/base/result.hpp"
#include "utkit/xcap/client.hpp"

namespace pugi {
class xml_document;
}

namespace utkit::xcap {

inline constexpr char kResourceListsNs[] = "urn:ietf:params:xml:ns:resource-lists";

struct Entry {
  std::string uri;
  std::string display_name;
};

class ResourceLists {
 public:
  // Refuses DOCTYPEs, documents over 4 MiB, nesting deeper than 64 levels,
  // and a root that is not <resource-lists>.
  static Result<ResourceLists> parse(std::string_view xml);
  // A document with these (empty) lists.
  static ResourceLists with_lists(const std::vector<std::string>& names);

  ResourceLists(ResourceLists&&) noexcept;
  ResourceLists& operator=(ResourceLists&&) noexcept;
  ~ResourceLists();

  std::vector<std::string> list_names() const;
  bool has_list(std::string_view name) const;
  // Entries of a list.
  Result<std::vector<Entry>> entries(std::string_view list) const;
  // A list's <entry-ref ref="..."> and <external anchor="..."> references,
  // and its <display-name>.
  Result<std::vector<std::string>> entry_refs(std::string_view list) const;
  Result<std::vector<std::string>> externals(std::string_view list) const;
  Result<std::string> list_display_name(std::string_view list) const;
  const Entry* find(std::string_view list, std::string_view uri) const;
  std::string serialize() const;

  // The XML of one <entry> (an XCAP element body) and one empty <list>.
  static std::string entry_xml(const Entry& e);
  static std::string list_xml(std::string_view name);

 private:
  ResourceLists();
  void index();
  std::unique_ptr<pugi::xml_document> doc_;
  struct ListInfo {
    std::string name, display_name;
    std::vector<Entry> entries;
    std::vector<std::string> entry_refs, externals;
  };
  const ListInfo* list(std::string_view name) const;
  std::vector<ListInfo> lists_;
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
};

class BuddyList {
 public:
  BuddyList(XcapClient& xcap, BuddyConfig config = {});

  // The user's document (created with the defaults when there is none).
  Result<ResourceLists> document();
  Result<std::vector<Entry>> entries(std::string list = {});
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
  int retries_ = 0;
};

}  // namespace utkit::xcap
