#include "xcap_server.hpp"

#include <pugixml.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "utkit/xcap/uri.hpp"

namespace netsim {
namespace {

using utkit::xcap::NodeSelector;
using utkit::xcap::Step;
using utkit::xcap::XcapUri;

const char* mime_of(const std::string& auid) {
  if (auid == "resource-lists") return "application/resource-lists+xml";
  if (auid == "pres-rules" || auid == "org.openmobilealliance.pres-rules") return "application/auth-policy+xml";
  if (auid == "rls-services") return "application/rls-services+xml";
  if (auid == "xcap-caps") return "application/xcap-caps+xml";
  return "application/xml";
}

std::string local(const char* name) {
  const char* c = std::strchr(name, ':');
  return c ? c + 1 : name;
}

bool matches(const pugi::xml_node& n, const Step& st, bool check_attrs) {
  if (n.type() != pugi::node_element) return false;
  if (st.name != "*" && local(n.name()) != local(st.name.c_str())) return false;
  if (!check_attrs) return true;
  for (const auto& [a, v] : st.attributes) {
    pugi::xml_attribute at = n.attribute(a.c_str());
    if (!at || v != at.value()) return false;
  }
  return true;
}

// Elements under `parent` selected by one step: name, then position among the
// name matches, then attribute tests.
std::vector<pugi::xml_node> select_step(const pugi::xml_node& parent, const Step& st) {
  std::vector<pugi::xml_node> named;
  for (pugi::xml_node c : parent.children()) {
    if (matches(c, st, false)) named.push_back(c);
  }
  if (st.position) {
    if (*st.position > named.size()) return {};
    named = {named[*st.position - 1]};
  }
  std::vector<pugi::xml_node> out;
  for (auto& n : named) {
    if (matches(n, st, true)) out.push_back(n);
  }
  return out;
}

// The element(s) selected by all steps; the first step is the root element.
std::vector<pugi::xml_node> select(pugi::xml_document& doc, const std::vector<Step>& steps) {
  std::vector<pugi::xml_node> cur = select_step(doc, steps.at(0));
  for (std::size_t i = 1; i < steps.size() && !cur.empty(); ++i) {
    if (cur.size() != 1) return {};
    cur = select_step(cur[0], steps[i]);
  }
  return cur;
}

std::string xml_of(const pugi::xml_node& n) {
  std::ostringstream os;
  n.print(os, "", pugi::format_raw);
  return os.str();
}

HttpReply xcap_error(const std::string& inner) {
  HttpReply r = HttpReply::text(409, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                     "<xcap-error xmlns=\"urn:ietf:params:xml:ns:xcap-error\">" + inner + "</xcap-error>\n",
                                "application/xcap-error+xml");
  return r;
}

std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

const char* kCaps =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xcap-caps xmlns=\"urn:ietf:params:xml:ns:xcap-caps\">"
    "<auids><auid>xcap-caps</auid><auid>resource-lists</auid><auid>pres-rules</auid>"
    "<auid>org.openmobilealliance.pres-rules</auid><auid>rls-services</auid></auids>"
    "<extensions/><namespaces><namespace>urn:ietf:params:xml:ns:resource-lists</namespace>"
    "<namespace>urn:ietf:params:xml:ns:common-policy</namespace></namespaces></xcap-caps>\n";

}  // namespace

std::string XcapServer::new_etag() { return "\"e" + std::to_string(++counter_) + "\""; }

namespace {
// A document key as a file name: percent-encoded so that '/' cannot escape.
std::string file_of(const std::string& key) { return utkit::xcap::percent_encode(key, false) + ".xml"; }
}  // namespace

bool XcapServer::persist_to(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) return false;
  std::lock_guard<std::mutex> lock(mu_);
  dir_ = directory;
  for (const auto& f : fs::directory_iterator(directory, ec)) {
    const std::string name = f.path().filename().string();
    if (name.size() < 5 || name.substr(name.size() - 4) != ".xml") continue;
    auto key = utkit::xcap::percent_decode(name.substr(0, name.size() - 4));
    if (!key) continue;
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    docs_[key.value()] = Doc{ss.str(), new_etag()};
  }
  return !ec;
}

void XcapServer::save(const std::string& key, const Doc* doc) {
  if (dir_.empty()) return;
  const std::string path = dir_ + "/" + file_of(key);
  if (doc == nullptr) {
    std::remove(path.c_str());
    return;
  }
  std::ofstream(path + ".tmp", std::ios::binary) << doc->xml;
  std::rename((path + ".tmp").c_str(), path.c_str());
}

std::size_t XcapServer::documents() const {
  std::lock_guard<std::mutex> lock(mu_);
  return docs_.size();
}

std::string XcapServer::document(const std::string& auid, const std::string& xui, const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = docs_.find(auid + "/users/" + xui + "/" + path);
  return it == docs_.end() ? std::string() : it->second.xml;
}

HttpReply XcapServer::handle(const HttpRequest& req, const std::string& asserted) {
  auto uri = XcapUri::parse(root_, req.target);
  if (!uri) return HttpReply::text(404, uri.error().message() + "\n");
  const auto& ds = uri->document;
  if (ds.global && ds.auid == "xcap-caps" && ds.path == "index") {
    if (req.method != "GET") return HttpReply::text(405, "xcap-caps is read-only\n");
    return HttpReply::text(200, kCaps, "application/xcap-caps+xml");
  }
  if (!ds.global && !asserted.empty() && ds.xui != asserted) {
    return HttpReply::text(403, "identity " + asserted + " may not access the documents of " + ds.xui + "\n");
  }
  const std::string key = ds.auid + "/" + (ds.global ? std::string("global") : "users/" + ds.xui) + "/" + ds.path;
  const NodeSelector& node = uri->node;
  const std::string* if_match = req.headers.find("If-Match");
  const std::string* if_none = req.headers.find("If-None-Match");

  std::lock_guard<std::mutex> lock(mu_);
  auto it = docs_.find(key);
  const bool exists = it != docs_.end();
  // Conditional requests (RFC 4825 7.11): one ETag covers the whole document.
  if (if_match && ((*if_match == "*" && !exists) || (*if_match != "*" && (!exists || *if_match != it->second.etag)))) {
    return HttpReply::text(412, "the document has changed\n");
  }
  if (if_none && ((*if_none == "*" && exists) || (exists && *if_none == it->second.etag))) {
    if (req.method == "GET" && *if_none != "*") {
      HttpReply r;
      r.status = 304;
      r.headers.add("ETag", it->second.etag);
      return r;
    }
    return HttpReply::text(412, "the document exists\n");
  }
  // No DTDs (billion laughs), no giant bodies.
  if ((req.method == "PUT") && (req.body.find("<!DOCTYPE") != std::string::npos || req.body.size() > (4u << 20))) {
    return xcap_error("<not-well-formed/>");
  }
  auto reply_with_etag = [&](int status, const std::string& etag) {
    HttpReply r;
    r.status = status;
    r.headers.add("ETag", etag);
    return r;
  };

  if (node.empty()) {
    // Document operations.
    if (req.method == "GET") {
      if (!exists) return HttpReply::text(404, "no such document\n");
      HttpReply r = HttpReply::text(200, it->second.xml, mime_of(ds.auid));
      r.headers.add("ETag", it->second.etag);
      return r;
    }
    if (req.method == "PUT") {
      const std::string* ct = req.headers.find("Content-Type");
      if (!ct || ct->rfind(mime_of(ds.auid), 0) != 0) {
        return HttpReply::text(415, std::string("a ") + ds.auid + " document is " + mime_of(ds.auid) + "\n");
      }
      pugi::xml_document d;
      if (!d.load_buffer(req.body.data(), req.body.size())) return xcap_error("<not-well-formed/>");
      const std::string etag = new_etag();
      const int status = exists ? 200 : 201;
      docs_[key] = Doc{req.body, etag};
      save(key, &docs_[key]);
      ++changes_;
      return reply_with_etag(status, etag);
    }
    if (req.method == "DELETE") {
      if (!exists) return HttpReply::text(404, "no such document\n");
      docs_.erase(it);
      save(key, nullptr);
      ++changes_;
      return HttpReply::text(200, "");
    }
    return HttpReply::text(405, "method not allowed\n");
  }

  // Element and attribute operations work on a parsed copy of the document.
  if (!exists) return HttpReply::text(404, "no such document\n");
  pugi::xml_document d;
  if (!d.load_string(it->second.xml.c_str())) return HttpReply::text(500, "stored document is broken\n");
  std::vector<pugi::xml_node> found = select(d, node.steps);
  if (found.size() > 1) return HttpReply::text(404, "the node selector matches more than one element\n");
  auto store = [&](int status) {
    it->second.xml = xml_of(d);
    it->second.etag = new_etag();
    save(key, &it->second);
    ++changes_;
    return reply_with_etag(status, it->second.etag);
  };

  if (!node.attribute.empty()) {
    if (found.empty()) return HttpReply::text(404, "no such element\n");
    pugi::xml_attribute at = found[0].attribute(node.attribute.c_str());
    if (req.method == "GET") {
      if (!at) return HttpReply::text(404, "no such attribute\n");
      HttpReply r = HttpReply::text(200, at.value(), "application/xcap-att+xml");
      r.headers.add("ETag", it->second.etag);
      return r;
    }
    if (req.method == "PUT") {
      const std::string* ct = req.headers.find("Content-Type");
      if (!ct || *ct != "application/xcap-att+xml") return HttpReply::text(415, "attributes are application/xcap-att+xml\n");
      const bool created = !at;
      if (!at) at = found[0].append_attribute(node.attribute.c_str());
      at.set_value(req.body.c_str());
      return store(created ? 201 : 200);
    }
    if (req.method == "DELETE") {
      if (!at) return HttpReply::text(404, "no such attribute\n");
      found[0].remove_attribute(at);
      return store(200);
    }
    return HttpReply::text(405, "method not allowed\n");
  }

  if (req.method == "GET") {
    if (found.empty()) return HttpReply::text(404, "no such element\n");
    HttpReply r = HttpReply::text(200, xml_of(found[0]), "application/xcap-el+xml");
    r.headers.add("ETag", it->second.etag);
    return r;
  }
  if (req.method == "DELETE") {
    if (found.empty()) return HttpReply::text(404, "no such element\n");
    found[0].parent().remove_child(found[0]);
    return store(200);
  }
  if (req.method != "PUT") return HttpReply::text(405, "method not allowed\n");
  const std::string* ct = req.headers.find("Content-Type");
  if (!ct || *ct != "application/xcap-el+xml") return HttpReply::text(415, "elements are application/xcap-el+xml\n");
  pugi::xml_document frag;
  if (!frag.load_buffer(req.body.data(), req.body.size(), pugi::parse_default | pugi::parse_fragment)) {
    return xcap_error("<not-well-formed/>");
  }
  std::vector<pugi::xml_node> elements;
  for (pugi::xml_node c : frag.children()) {
    if (c.type() == pugi::node_element) elements.push_back(c);
    else if (c.type() == pugi::node_pcdata && std::string(c.value()).find_first_not_of(" \r\n\t") != std::string::npos)
      return xcap_error("<not-xml-frag/>");
  }
  if (elements.size() != 1) return xcap_error("<not-xml-frag/>");
  pugi::xml_node element = elements[0];
  // The new element must be what the last step selects (RFC 4825 8.2.3).
  Step last = node.steps.back();
  last.position.reset();
  if (!matches(element, last, true)) return xcap_error("<cannot-insert/>");
  if (!found.empty()) {
    pugi::xml_node target = found[0];
    pugi::xml_node copy = target.parent().insert_copy_after(element, target);
    target.parent().remove_child(target);
    (void)copy;
    return store(200);
  }
  std::vector<Step> parent_steps(node.steps.begin(), node.steps.end() - 1);
  std::vector<pugi::xml_node> parent = parent_steps.empty() ? std::vector<pugi::xml_node>{} : select(d, parent_steps);
  if (parent.size() != 1) {
    // Name the deepest ancestor that exists.
    std::string ancestor = uri->root + "/" + ds.auid + "/users/" + ds.xui + "/" + ds.path;
    for (std::size_t n = parent_steps.size(); n > 0; --n) {
      std::vector<Step> prefix(parent_steps.begin(), parent_steps.begin() + static_cast<long>(n) - 1);
      if (prefix.empty() || select(d, prefix).size() == 1) {
        NodeSelector ns;
        ns.steps = prefix;
        if (!prefix.empty()) ancestor += "/~~/" + ns.to_string();
        break;
      }
    }
    return xcap_error("<no-parent><ancestor>" + escape(ancestor) + "</ancestor></no-parent>");
  }
  // resource-lists: an entry's uri is unique within its list (RFC 4826 3.4).
  if (local(element.name()) == "entry" && element.attribute("uri")) {
    for (pugi::xml_node sib : parent[0].children()) {
      if (local(sib.name()) == "entry" && std::string(sib.attribute("uri").value()) == element.attribute("uri").value()) {
        return xcap_error("<uniqueness-failure><exists field=\"@uri\"/></uniqueness-failure>");
      }
    }
  }
  parent[0].append_copy(element);
  return store(201);
}

}  // namespace netsim
