#include "utkit/xcap/resource_lists.hpp"

#include <pugixml.hpp>

#include "xml_util.hpp"
#include "../base/xml_load.hpp"

#include <cstring>

#include "../base/text.hpp"

namespace utkit::xcap {

using namespace std::string_view_literals;
struct ResourceLists::Impl {
  std::string text;  // parse_owned(): the buffer the DOM was parsed in (pugixml points into it)
  pugi::xml_document doc;
};

ResourceLists::ResourceLists(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResourceLists::ResourceLists(ResourceLists&&) noexcept = default;
ResourceLists& ResourceLists::operator=(ResourceLists&&) noexcept = default;
ResourceLists::~ResourceLists() = default;

Result<ResourceLists> ResourceLists::check(std::unique_ptr<Impl> impl) {
  // (Depth and attribute counts: checked by the shared XML guard.)
  const pugi::xml_node root = impl->doc.document_element();
  if (!detail::is_element(root, kResourceListsNs, "resource-lists")) {
    return make_error(Errc::xcap_bad_document, "expected <resource-lists> in namespace {}, got <{}> in '{}'",
                      {kResourceListsNs, root.name(), detail::namespace_in_scope(root, detail::prefix_of(root.name()))});
  }
  return ResourceLists(std::move(impl));
}

Result<ResourceLists> ResourceLists::parse(std::string_view xml, const XmlLimits& limits) {
  auto impl = std::make_unique<Impl>();
  UTKIT_TRY(utkit::detail::load_untrusted_xml(impl->doc, xml, "resource-lists document", limits.max_bytes,
                                              Errc::xcap_bad_document, limits.max_elements));
  return check(std::move(impl));
}

Result<ResourceLists> ResourceLists::parse_owned(std::string&& xml, const XmlLimits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->text = std::move(xml);  // on the heap with the document: the DOM's pointers into it stay valid
  UTKIT_TRY(utkit::detail::load_untrusted_xml_in_place(impl->doc, impl->text, "resource-lists document",
                                                       limits.max_bytes, Errc::xcap_bad_document, limits.max_elements));
  return check(std::move(impl));
}

ResourceLists ResourceLists::with_lists(const std::vector<std::string>& names) {
  std::string xml =
      format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<resource-lists xmlns=\"{}\">", {kResourceListsNs});
  for (const auto& n : names) xml += list_xml(n);
  xml += "</resource-lists>\n";
  return parse(xml).value();
}

namespace {

// Elements by namespace (RFC 4826): an <x:entry> of another namespace, or
// under an undeclared prefix, is not an entry.
bool is(pugi::xml_node n, const char* local) { return detail::is_element(n, kResourceListsNs, local); }

// A child element's text, or "" (no allocation: a view into the DOM).
std::string_view child_text(pugi::xml_node n, const char* local) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (is(c, local)) return c.text().get();
  }
  return {};
}

Error no_list(std::string_view name) { return make_error(Errc::xcap_not_found, "no list named '{}'", {name}); }

}  // namespace

Result<const void*> ResourceLists::list_node(std::string_view name) const {
  for (pugi::xml_node l = impl_->doc.document_element().first_child(); l; l = l.next_sibling()) {
    if (is(l, "list") && name == l.attribute("name").value()) return static_cast<const void*>(l.internal_object());
  }
  return no_list(name);
}

namespace {
pugi::xml_node as_node(const void* p) {
  return pugi::xml_node(static_cast<pugi::xml_node_struct*>(const_cast<void*>(p)));
}
}  // namespace

std::vector<std::string> ResourceLists::list_names() const {
  std::vector<std::string> out;
  for (pugi::xml_node l = impl_->doc.document_element().first_child(); l; l = l.next_sibling()) {
    if (is(l, "list")) out.emplace_back(l.attribute("name").value());
  }
  return out;
}

bool ResourceLists::has_list(std::string_view name) const { return list_node(name).ok(); }

Result<void> ResourceLists::for_each_entry(
    std::string_view list, const std::function<void(std::string_view uri, std::string_view display_name)>& fn) const {
  UTKIT_ASSIGN(const void* l, list_node(list));
  for (pugi::xml_node e = as_node(l).first_child(); e; e = e.next_sibling()) {
    if (is(e, "entry")) fn(e.attribute("uri").value(), child_text(e, "display-name"));
  }
  return success();
}

std::size_t ResourceLists::entry_count(std::string_view list) const {
  auto l = list_node(list);
  if (!l) return 0;
  std::size_t n = 0;
  for (pugi::xml_node e = as_node(*l).first_child(); e; e = e.next_sibling()) n += is(e, "entry") ? 1 : 0;
  return n;
}

Result<std::vector<Entry>> ResourceLists::entries(std::string_view name) const {
  std::vector<Entry> out;
  out.reserve(entry_count(name));
  UTKIT_TRY(for_each_entry(name, [&](std::string_view uri, std::string_view dn) {
    out.push_back(Entry{std::string(uri), std::string(dn)});
  }));
  return out;
}

namespace {
Result<std::vector<std::string>> attributes_of(pugi::xml_node list, const char* element, const char* attribute) {
  std::vector<std::string> out;
  for (pugi::xml_node e = list.first_child(); e; e = e.next_sibling()) {
    if (is(e, element)) out.emplace_back(e.attribute(attribute).value());
  }
  return out;
}
}  // namespace

Result<std::vector<std::string>> ResourceLists::entry_refs(std::string_view name) const {
  UTKIT_ASSIGN(const void* l, list_node(name));
  return attributes_of(as_node(l), "entry-ref", "ref");
}

Result<std::vector<std::string>> ResourceLists::externals(std::string_view name) const {
  UTKIT_ASSIGN(const void* l, list_node(name));
  return attributes_of(as_node(l), "external", "anchor");
}

Result<std::string> ResourceLists::list_display_name(std::string_view name) const {
  UTKIT_ASSIGN(const void* l, list_node(name));
  return std::string(child_text(as_node(l), "display-name"));
}

std::optional<Entry> ResourceLists::find(std::string_view name, std::string_view uri) const {
  auto l = list_node(name);
  if (!l) return std::nullopt;
  for (pugi::xml_node e = as_node(*l).first_child(); e; e = e.next_sibling()) {
    if (is(e, "entry") && uri == e.attribute("uri").value()) {
      return Entry{std::string(uri), std::string(child_text(e, "display-name"))};
    }
  }
  return std::nullopt;
}

std::string ResourceLists::serialize() const {
  return utkit::detail::xml_to_string(impl_->doc, "  ");
}

std::string ResourceLists::entry_xml(const Entry& e) {
  std::string x = format("<entry xmlns=\"{}\" uri=\"{}\"", {kResourceListsNs, detail::xml_escape(e.uri)});
  if (e.display_name.empty()) return cat({x, "/>"});
  return format("{}><display-name>{}</display-name></entry>", {x, detail::xml_escape(e.display_name)});
}

std::string ResourceLists::list_xml(std::string_view name) {
  return format("<list name=\"{}\"/>", {detail::xml_escape(name)});
}

// ---- BuddyList ----

BuddyList::BuddyList(XcapClient& xcap, BuddyConfig config, DocumentCache* cache)
    : xcap_(xcap), cfg_(std::move(config)), cache_(cache) {}

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
    std::optional<std::string> kept = cache_ != nullptr ? cache_->etag(doc_uri) : std::nullopt;
    auto got = kept ? xcap_.get_if_none_match(doc_uri, *kept) : xcap_.get(doc_uri);
    if (got && got->status == 304 && kept) {
      std::optional<CachedDocument> copy = cache_->load(doc_uri, *kept);
      auto doc = copy ? ResourceLists::parse_owned(std::move(copy->body), cfg_.document_limits)
                      : Result<ResourceLists>(Error(Errc::xcap_bad_document, "the kept copy is gone"));
      if (doc) {
        cache_->count_hit();
        return doc;
      }
      cache_->drop(doc_uri);  // a copy that went away or no longer parses: read the document itself
      xcap_.forget_etag(doc_uri.document);
      continue;
    }
    if (!got && kept && got.error().code() == Errc::xcap_precondition_failed) {
      // A server that answers If-None-Match with 412: forget the copy and
      // read the document plainly, rather than fail every later listing.
      cache_->drop(doc_uri);
      continue;
    }
    if (got && got->status == 304) {
      return Error(Errc::xcap_status, "the XCAP server answered an unconditional GET of the buddy list with 304");
    }
    if (got) {
      if (cache_ != nullptr) cache_->save(doc_uri, got->etag, got->body);
      auto doc = ResourceLists::parse_owned(std::move(got->body), cfg_.document_limits);
      if (!doc && cache_ != nullptr) cache_->drop(doc_uri);
      return doc;
    }
    if (got.error().code() != Errc::xcap_not_found) return std::move(got).error();
    if (cache_ != nullptr) cache_->drop(doc_uri);
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

Result<void> BuddyList::for_each(const std::function<void(std::string_view, std::string_view)>& fn,
                                 std::string list) {
  if (list.empty()) list = cfg_.list;
  UTKIT_ASSIGN(ResourceLists doc, refresh());
  if (!doc.has_list(list)) return success();
  return doc.for_each_entry(list, fn);
}

Result<void> BuddyList::ensure_list(ResourceLists& doc, const std::string& list) {
  if (doc.has_list(list)) return success();
  UTKIT_TRY(detail::check_xml_text(list, "the list name"sv));
  // Created under the ETag of the document just read: without one, a PUT of
  // the list could replace a list another device made in the meantime.
  if (!xcap_.etag(xcap_.uri(cfg_.auid, cfg_.document).document)) {
    return make_error(Errc::xcap_status,
                      "the XCAP server sent no ETag for the buddy-list document; cannot create list '{}' without "
                      "risking another device's entries",
                      {list});
  }
  NodeSelector ns;
  ns.steps = {Step::element("resource-lists"), Step::element("list").with("name", list)};
  // list_xml() escapes the name; the namespace goes on the element PUT's root.
  std::string body = ResourceLists::list_xml(list);
  body.insert(5, format(" xmlns=\"{}\"", {kResourceListsNs}));
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
  UTKIT_TRY(detail::check_xml_text(entry.uri, "the buddy's URI"sv));
  UTKIT_TRY(detail::check_xml_text(entry.display_name, "the buddy's display name"sv));
  UTKIT_TRY(detail::check_xml_text(list, "the list name"sv));
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
  return make_error(Errc::xcap_retries_exhausted, "gave up adding {} after {} concurrent changes to the document",
                    {entry.uri, Dec(cfg_.max_retries)});
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
  return make_error(Errc::xcap_retries_exhausted, "gave up removing {} after {} concurrent changes",
                    {uri, Dec(cfg_.max_retries)});
}

// One PUT of the entry's display-name child (or a DELETE of it for an empty
// name): it never creates a buddy, and a missing one is xcap_not_found.
Result<void> BuddyList::rename(std::string_view uri, const std::string& display_name, std::string list) {
  if (list.empty()) list = cfg_.list;
  UTKIT_TRY(detail::check_xml_text(display_name, "the buddy's display name"sv));
  XcapUri target = entry_uri(list, uri);
  target.node.steps.push_back(Step::element("display-name"));
  Result<XcapResult> r = display_name.empty() ? xcap_.remove(target, Precondition::none)
                                              : xcap_.put(target,
                                                          format("<display-name xmlns=\"{}\">{}</display-name>",
                                                                 {kResourceListsNs, detail::xml_escape(display_name)}),
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
  return make_error(Errc::xcap_not_found, "no buddy {} in list '{}'", {uri, list});
}

Result<void> BuddyList::move(std::string_view uri, const std::string& from, const std::string& to) {
  UTKIT_ASSIGN(ResourceLists doc, refresh());
  std::optional<Entry> e = doc.find(from, uri);
  if (!e) return make_error(Errc::xcap_not_found, "no buddy {} in list '{}'", {uri, from});
  Entry copy = *e;
  UTKIT_TRY(add(copy, to));
  return remove(uri, from);
}

}  // namespace utkit::xcap
