#include "utkit/xcap/resource_lists.hpp"

#include <pugixml.hpp>

#include "xml_util.hpp"
#include "../base/xml_load.hpp"

#include <cstring>
#include <sstream>
#include <thread>

namespace utkit::xcap {
namespace {

constexpr std::size_t kMaxDocument = std::size_t{4} * 1024 * 1024;
constexpr int kMaxDepth = 64;

}  // namespace

ResourceLists::ResourceLists() : doc_(std::make_unique<pugi::xml_document>()) {}
ResourceLists::ResourceLists(ResourceLists&&) noexcept = default;
ResourceLists& ResourceLists::operator=(ResourceLists&&) noexcept = default;
ResourceLists::~ResourceLists() = default;

Result<ResourceLists> ResourceLists::parse(std::string_view xml) {
  ResourceLists rl;
  UTKIT_TRY(utkit::detail::load_untrusted_xml(*rl.doc_, xml, "resource-lists document", kMaxDocument, Errc::xcap_bad_document));
  // Depth, iteratively.
  std::vector<std::pair<pugi::xml_node, int>> stack{{rl.doc_->document_element(), 1}};
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxDepth) return Error(Errc::xcap_bad_document, "resource-lists document nested too deeply");
    for (pugi::xml_node c : n.children()) {
      if (c.type() == pugi::node_element) stack.emplace_back(c, depth + 1);
    }
  }
  if (detail::local_name(rl.doc_->document_element().name()) != "resource-lists") {
    return Error(Errc::xcap_bad_document,
                 std::string("expected <resource-lists>, got <") + rl.doc_->document_element().name() + ">");
  }
  rl.index();
  return rl;
}

ResourceLists ResourceLists::with_lists(const std::vector<std::string>& names) {
  std::string xml = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<resource-lists xmlns=\"") +
                    kResourceListsNs + "\">";
  for (const auto& n : names) xml += list_xml(n);
  xml += "</resource-lists>\n";
  return parse(xml).value();
}

void ResourceLists::index() {
  lists_.clear();
  for (pugi::xml_node l : doc_->document_element().children()) {
    if (l.type() != pugi::node_element || detail::local_name(l.name()) != "list") continue;
    ListInfo info;
    info.name = l.attribute("name").value();
    for (pugi::xml_node e : l.children()) {
      if (e.type() != pugi::node_element) continue;
      const std::string n = detail::local_name(e.name());
      if (n == "display-name") {
        info.display_name = e.text().get();
      } else if (n == "entry") {
        Entry en{e.attribute("uri").value(), {}};
        for (pugi::xml_node d : e.children()) {
          if (d.type() == pugi::node_element && detail::local_name(d.name()) == "display-name") en.display_name = d.text().get();
        }
        info.entries.push_back(std::move(en));
      } else if (n == "entry-ref") {
        info.entry_refs.push_back(e.attribute("ref").value());
      } else if (n == "external") {
        info.externals.push_back(e.attribute("anchor").value());
      }
    }
    lists_.push_back(std::move(info));
  }
}

const ResourceLists::ListInfo* ResourceLists::list(std::string_view name) const {
  for (const ListInfo& l : lists_) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

std::vector<std::string> ResourceLists::list_names() const {
  std::vector<std::string> out;
  for (const ListInfo& l : lists_) out.push_back(l.name);
  return out;
}

bool ResourceLists::has_list(std::string_view name) const { return list(name) != nullptr; }

namespace {
Error no_list(std::string_view name) {
  return Error(Errc::xcap_not_found, "no list named '" + std::string(name) + "'");
}
}  // namespace

Result<std::vector<Entry>> ResourceLists::entries(std::string_view name) const {
  if (const ListInfo* l = list(name)) return l->entries;
  return no_list(name);
}

Result<std::vector<std::string>> ResourceLists::entry_refs(std::string_view name) const {
  if (const ListInfo* l = list(name)) return l->entry_refs;
  return no_list(name);
}

Result<std::vector<std::string>> ResourceLists::externals(std::string_view name) const {
  if (const ListInfo* l = list(name)) return l->externals;
  return no_list(name);
}

Result<std::string> ResourceLists::list_display_name(std::string_view name) const {
  if (const ListInfo* l = list(name)) return l->display_name;
  return no_list(name);
}

const Entry* ResourceLists::find(std::string_view name, std::string_view uri) const {
  const ListInfo* l = list(name);
  if (l == nullptr) return nullptr;
  for (const Entry& e : l->entries) {
    if (e.uri == uri) return &e;
  }
  return nullptr;
}

std::string ResourceLists::serialize() const {
  std::ostringstream os;
  doc_->save(os, "  ");
  return os.str();
}

std::string ResourceLists::entry_xml(const Entry& e) {
  std::string x = std::string("<entry xmlns=\"") + kResourceListsNs + "\" uri=\"" + detail::xml_escape(e.uri) + "\"";
  if (e.display_name.empty()) return x + "/>";
  return x + "><display-name>" + detail::xml_escape(e.display_name) + "</display-name></entry>";
}

std::string ResourceLists::list_xml(std::string_view name) {
  return std::string("<list name=\"") + detail::xml_escape(name) + "\"/>";
}

// ---- BuddyList ----

BuddyList::BuddyList(XcapClient& xcap, BuddyConfig config) : xcap_(xcap), cfg_(std::move(config)) {}

Result<void> BuddyList::back_off(int round) { return xcap_.back_off(round, cfg_.backoff_base, cfg_.backoff_max); }

XcapUri BuddyList::entry_uri(std::string_view list, std::string_view uri) const {
  NodeSelector ns;
  ns.steps = {Step::element("resource-lists"), Step::element("list").with("name", std::string(list)),
              Step::element("entry").with("uri", std::string(uri))};
  return xcap_.uri(cfg_.auid, cfg_.document, std::move(ns));
}

Result<ResourceLists> BuddyList::refresh() {
  auto doc_uri = xcap_.uri(cfg_.auid, cfg_.document);
  for (int round = 0; round < 3; ++round) {
    auto got = xcap_.get(doc_uri);
    if (got) return ResourceLists::parse(got->body);
    if (got.error().code() != Errc::xcap_not_found) return std::move(got).error();
    // No document yet: create the defaults, unless another device just did.
    ResourceLists fresh = ResourceLists::with_lists(cfg_.default_lists);
    auto put = xcap_.put(doc_uri, fresh.serialize(), Precondition::if_none_match_any);
    if (put) return fresh;
    if (put.error().code() != Errc::xcap_precondition_failed) return std::move(put).error();
  }
  return Error(Errc::xcap_retries_exhausted, "could not read or create the buddy-list document");
}

Result<ResourceLists> BuddyList::document() { return refresh(); }

Result<std::vector<Entry>> BuddyList::entries(std::string list) {
  if (list.empty()) list = cfg_.list;
  UTKIT_ASSIGN(ResourceLists doc, refresh());
  if (!doc.has_list(list)) return std::vector<Entry>{};
  return doc.entries(list);
}

Result<void> BuddyList::ensure_list(ResourceLists& doc, const std::string& list) {
  if (doc.has_list(list)) return success();
  UTKIT_TRY(detail::check_xml_text(list, "the list name"));
  // Created under the ETag of the document just read: without one, a PUT of
  // the list could replace a list another device made in the meantime.
  if (!xcap_.etag(xcap_.uri(cfg_.auid, cfg_.document).document)) {
    return Error(Errc::xcap_status, "the XCAP server sent no ETag for the buddy-list document; cannot create list '" +
                                        list + "' without risking another device's entries");
  }
  NodeSelector ns;
  ns.steps = {Step::element("resource-lists"), Step::element("list").with("name", list)};
  // list_xml() escapes the name; the namespace goes on the element PUT's root.
  std::string body = ResourceLists::list_xml(list);
  body.insert(5, std::string(" xmlns=\"") + kResourceListsNs + "\"");
  auto r = xcap_.put(xcap_.uri(cfg_.auid, cfg_.document, ns), body);
  if (!r) return std::move(r).error();
  return success();
}

// One element PUT to the entry's own selector, list[@name]/entry[@uri]: the
// server creates the entry or replaces the one with that URI (RFC 4825 8.2.4),
// so the change needs no prior read and no ETag, cannot duplicate the entry,
// and cannot lose what another device wrote elsewhere in the document. Only a
// missing parent (a list, or the whole document, not created yet) costs more:
// it is created under the document's ETag (a list PUT without one could
// replace a list another device just made), then the entry is put again.
Result<void> BuddyList::add(const Entry& entry, std::string list) {
  if (list.empty()) list = cfg_.list;
  UTKIT_TRY(detail::check_xml_text(entry.uri, "the buddy's URI"));
  UTKIT_TRY(detail::check_xml_text(entry.display_name, "the buddy's display name"));
  UTKIT_TRY(detail::check_xml_text(list, "the list name"));
  const XcapUri target = entry_uri(list, entry.uri);
  const std::string body = ResourceLists::entry_xml(entry);
  for (int round = 0; round <= cfg_.max_retries; ++round) {
    auto r = xcap_.put(target, body, Precondition::none);
    if (r) return success();
    const Errc code = r.error().code();
    bool missing_parent = code == Errc::xcap_not_found;
    if (code == Errc::xcap_conflict) {
      const std::string cond = xcap_.last_error().condition;
      if (cond == "uniqueness-failure") return success();  // another device added the same buddy
      if (cond != "no-parent") return std::move(r).error();
      missing_parent = true;
    }
    if (!missing_parent && code != Errc::xcap_precondition_failed) return std::move(r).error();
    ++retries_;
    if (missing_parent) {
      // Read (creating the document with the defaults when there is none),
      // then create the list under the ETag just read. A parent still missing
      // after that (another device deleting it) is paced like any race.
      if (round > 0) UTKIT_TRY(back_off(round));
      UTKIT_ASSIGN(ResourceLists doc, refresh());
      auto listed = ensure_list(doc, list);
      if (listed || listed.error().code() != Errc::xcap_precondition_failed) {
        UTKIT_TRY(std::move(listed));
        continue;  // put the entry again, at once
      }
    }
    UTKIT_TRY(back_off(round));  // a race with another device: pace the next attempt
  }
  return Error(Errc::xcap_retries_exhausted, "gave up adding " + entry.uri + " after " +
                                                 std::to_string(cfg_.max_retries) +
                                                 " concurrent changes to the document");
}

// One DELETE of the entry's own selector; 404 means it is gone already.
Result<void> BuddyList::remove(std::string_view uri, std::string list) {
  if (list.empty()) list = cfg_.list;
  for (int round = 0; round <= cfg_.max_retries; ++round) {
    auto r = xcap_.remove(entry_uri(list, uri), Precondition::none);
    if (r || r.error().code() == Errc::xcap_not_found) return success();
    if (r.error().code() == Errc::xcap_conflict && xcap_.last_error().condition == "no-parent") return success();
    if (r.error().code() != Errc::xcap_precondition_failed) return std::move(r).error();
    ++retries_;
    UTKIT_TRY(back_off(round));
  }
  return Error(Errc::xcap_retries_exhausted, "gave up removing " + std::string(uri) + " after " +
                                                 std::to_string(cfg_.max_retries) + " concurrent changes");
}

// One PUT of the entry's display-name child (or a DELETE of it for an empty
// name): it never creates a buddy, and a missing one is xcap_not_found.
Result<void> BuddyList::rename(std::string_view uri, const std::string& display_name, std::string list) {
  if (list.empty()) list = cfg_.list;
  UTKIT_TRY(detail::check_xml_text(display_name, "the buddy's display name"));
  XcapUri target = entry_uri(list, uri);
  target.node.steps.push_back(Step::element("display-name"));
  Result<XcapResult> r = display_name.empty()
                             ? xcap_.remove(target, Precondition::none)
                             : xcap_.put(target,
                                         std::string("<display-name xmlns=\"") + kResourceListsNs + "\">" +
                                             detail::xml_escape(display_name) + "</display-name>",
                                         Precondition::none);
  if (r) return success();
  const bool missing = r.error().code() == Errc::xcap_not_found ||
                       (r.error().code() == Errc::xcap_conflict && xcap_.last_error().condition == "no-parent");
  if (!missing) return std::move(r).error();
  if (display_name.empty() && r.error().code() == Errc::xcap_not_found) {
    // No display-name to delete: fine if the buddy exists (one more request).
    auto exists = xcap_.get(entry_uri(list, uri));
    if (exists) return success();
  }
  return Error(Errc::xcap_not_found, "no buddy " + std::string(uri) + " in list '" + list + "'");
}

Result<void> BuddyList::move(std::string_view uri, const std::string& from, const std::string& to) {
  UTKIT_ASSIGN(ResourceLists doc, refresh());
  const Entry* e = doc.find(from, uri);
  if (e == nullptr) return Error(Errc::xcap_not_found, "no buddy " + std::string(uri) + " in list '" + from + "'");
  Entry copy = *e;
  UTKIT_TRY(add(copy, to));
  return remove(uri, from);
}

}  // namespace utkit::xcap
