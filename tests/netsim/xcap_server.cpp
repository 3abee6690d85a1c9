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

constexpr char kSimservsAuid[] = "simservs.ngn.etsi.org";

const char* mime_of(const std::string& auid) {
  if (auid == "resource-lists") return "application/resource-lists+xml";
  if (auid == "pres-rules" || auid == "org.openmobilealliance.pres-rules") return "application/auth-policy+xml";
  if (auid == "rls-services") return "application/rls-services+xml";
  if (auid == "xcap-caps") return "application/xcap-caps+xml";
  if (auid == kSimservsAuid) return "application/simservs+xml";
  return "application/xml";
}

// Document PUTs accept the AUID's type; simservs also the ETSI vendor type
// some operators use.
bool acceptable_type(const std::string& auid, const std::string& ct) {
  if (ct.rfind(mime_of(auid), 0) == 0) return true;
  return auid == kSimservsAuid && ct.rfind("application/vnd.etsi.simservs+xml", 0) == 0;
}

constexpr char kSsNs[] = "http://uri.etsi.org/ngn/params/xml/simservs/xcap";
constexpr char kCpNs[] = "urn:ietf:params:xml:ns:common-policy";

// The namespace of an element, from the declarations in scope.
std::string namespace_of(const pugi::xml_node& n) {
  const char* colon = std::strchr(n.name(), ':');
  const std::string attr = colon ? "xmlns:" + std::string(n.name(), static_cast<std::size_t>(colon - n.name())) : "xmlns";
  for (pugi::xml_node a = n; a && a.type() == pugi::node_element; a = a.parent()) {
    if (pugi::xml_attribute d = a.attribute(attr.c_str())) return d.value();
  }
  return {};
}

std::string local(const char* name) {
  const char* c = std::strchr(name, ':');
  return c ? c + 1 : name;
}

// What an operator's simservs application server checks on every write
// (TS 24.604 / 24.611 and the schema): the empty string when the document is
// acceptable, else the xcap-error condition to answer 409 with.
std::string check_simservs(pugi::xml_node root) {
  if (local(root.name()) != "simservs" || namespace_of(root) != kSsNs) {
    return "<schema-validation-error phrase=\"the root must be simservs in " + std::string(kSsNs) + "\"/>";
  }
  struct Walk : pugi::xml_tree_walker {
    std::string error;
    bool for_each(pugi::xml_node& n) override {
      if (n.type() != pugi::node_element) return true;
      const std::string name = local(n.name());
      const std::string ns = namespace_of(n);
      if (name == "NoReplyTimer" && ns == kSsNs) {
        const std::string v = n.text().get();
        const int t = v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos ? -1 : std::stoi(v);
        if (t < 5 || t > 180) error = "<constraint-failure phrase=\"NoReplyTimer must be 5 to 180 seconds\"/>";
      }
      if (name == "ruleset" && ns == kCpNs) {
        std::vector<std::string> ids;
        for (pugi::xml_node r : n.children()) {
          if (r.type() != pugi::node_element) continue;
          const std::string id = r.attribute("id").value();
          if (id.empty()) error = "<schema-validation-error phrase=\"a rule needs an id\"/>";
          for (const auto& seen : ids) {
            if (seen == id) error = "<uniqueness-failure><exists field=\"@id\"/></uniqueness-failure>";
          }
          ids.push_back(id);
          bool deactivated = false;
          for (pugi::xml_node conds : r.children()) {
            if (local(conds.name()) != "conditions") continue;
            for (pugi::xml_node c : conds.children()) {
              if (local(c.name()) == "rule-deactivated") deactivated = true;
            }
          }
          if (deactivated) continue;
          struct Targets : pugi::xml_tree_walker {
            bool bad = false;
            bool for_each(pugi::xml_node& t) override {
              if (t.type() == pugi::node_element && local(t.name()) == "target" && namespace_of(t) == kSsNs) {
                const std::string v = t.text().get();
                if (v.rfind("sip:", 0) != 0 && v.rfind("sips:", 0) != 0 && v.rfind("tel:", 0) != 0) bad = true;
              }
              return !bad;
            }
          } targets;
          r.traverse(targets);
          if (targets.bad) error = "<constraint-failure phrase=\"a forwarding target must be a sip:, sips: or tel: URI\"/>";
        }
      }
      return error.empty();
    }
  } walk;
  root.traverse(walk);
  return walk.error;
}

// How step names meet element names: by local name, or (for simservs, whose
// documents mix namespaces) by namespace too: an unprefixed step is in the
// application usage's namespace, a prefixed one in what the query binds.
struct Names {
  std::string default_ns;  // empty: compare local names only
  const std::vector<std::pair<std::string, std::string>>* bindings = nullptr;
};
bool matches(const pugi::xml_node& n, const Step& st, bool check_attrs, const Names& names) {
  if (n.type() != pugi::node_element) return false;
  if (st.name != "*" && local(n.name()) != local(st.name.c_str())) return false;
  if (st.name != "*" && !names.default_ns.empty()) {
    const auto colon = st.name.find(':');
    std::string want = names.default_ns;
    if (colon != std::string::npos) {
      want.clear();
      const std::string prefix = st.name.substr(0, colon);
      if (names.bindings != nullptr) {
        for (const auto& [p, u] : *names.bindings) {
          if (p == prefix) want = u;
        }
      }
    }
    if (namespace_of(n) != want) return false;
  }
  if (!check_attrs) return true;
  for (const auto& [a, v] : st.attributes) {
    pugi::xml_attribute at = n.attribute(a.c_str());
    if (!at || v != at.value()) return false;
  }
  return true;
}

// Elements under `parent` selected by one step: name, then position among the
// name matches, then attribute tests.
std::vector<pugi::xml_node> select_step(const pugi::xml_node& parent, const Step& st, const Names& names) {
  std::vector<pugi::xml_node> named;
  for (pugi::xml_node c : parent.children()) {
    if (matches(c, st, false, names)) named.push_back(c);
  }
  if (st.position) {
    if (*st.position > named.size()) return {};
    named = {named[*st.position - 1]};
  }
  std::vector<pugi::xml_node> out;
  for (auto& n : named) {
    if (matches(n, st, true, names)) out.push_back(n);
  }
  return out;
}

// The element(s) selected by all steps; the first step is the root element.
std::vector<pugi::xml_node> select(pugi::xml_document& doc, const std::vector<Step>& steps, const Names& names) {
  std::vector<pugi::xml_node> cur = select_step(doc, steps.at(0), names);
  for (std::size_t i = 1; i < steps.size() && !cur.empty(); ++i) {
    if (cur.size() != 1) return {};
    cur = select_step(cur[0], steps[i], names);
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

void XcapServer::provision_simservs(const std::string& xui, std::string xml) {
  std::lock_guard<std::mutex> lock(mu_);
  simservs_for_[xui] = std::move(xml);
}

void XcapServer::forbid_simservs_changes(const std::string& service) {
  std::lock_guard<std::mutex> lock(mu_);
  forbidden_.insert(service);
}

const char* XcapServer::default_simservs() {
  // Like an operator's MTAS: its own prefixes and rule ids, every forwarding
  // and barring rule present but deactivated, an extension element in a
  // namespace of its own.
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<ss:simservs xmlns:ss=\"http://uri.etsi.org/ngn/params/xml/simservs/xcap\" "
         "xmlns:cp=\"urn:ietf:params:xml:ns:common-policy\" xmlns:mtas=\"urn:example:netsim:mtas\">"
         "<ss:originating-identity-presentation active=\"true\"/>"
         "<ss:originating-identity-presentation-restriction active=\"true\">"
         "<ss:default-behaviour>presentation-not-restricted</ss:default-behaviour>"
         "</ss:originating-identity-presentation-restriction>"
         "<ss:terminating-identity-presentation active=\"true\"/>"
         "<ss:communication-waiting active=\"true\"/>"
         "<ss:communication-diversion active=\"true\"><ss:NoReplyTimer>20</ss:NoReplyTimer><cp:ruleset>"
         "<cp:rule id=\"mtas-cfu\"><cp:conditions><ss:rule-deactivated/></cp:conditions>"
         "<cp:actions><ss:forward-to><ss:target/><ss:notify-caller>true</ss:notify-caller></ss:forward-to></cp:actions></cp:rule>"
         "<cp:rule id=\"mtas-cfb\"><cp:conditions><ss:busy/><ss:rule-deactivated/></cp:conditions>"
         "<cp:actions><ss:forward-to><ss:target/></ss:forward-to></cp:actions></cp:rule>"
         "<cp:rule id=\"mtas-cfnr\"><cp:conditions><ss:no-answer/><ss:rule-deactivated/></cp:conditions>"
         "<cp:actions><ss:forward-to><ss:target/></ss:forward-to></cp:actions></cp:rule>"
         "<cp:rule id=\"mtas-cfnrc\"><cp:conditions><ss:not-reachable/><ss:rule-deactivated/></cp:conditions>"
         "<cp:actions><ss:forward-to><ss:target/></ss:forward-to></cp:actions></cp:rule>"
         "</cp:ruleset></ss:communication-diversion>"
         "<ss:outgoing-communication-barring active=\"true\"><cp:ruleset>"
         "<cp:rule id=\"mtas-baoc\"><cp:conditions><ss:rule-deactivated/></cp:conditions>"
         "<cp:actions><ss:allow>false</ss:allow></cp:actions></cp:rule>"
         "<cp:rule id=\"mtas-boic\"><cp:conditions><ss:international/><ss:rule-deactivated/></cp:conditions>"
         "<cp:actions><ss:allow>false</ss:allow></cp:actions></cp:rule>"
         "</cp:ruleset></ss:outgoing-communication-barring>"
         "<ss:incoming-communication-barring active=\"true\"><cp:ruleset/></ss:incoming-communication-barring>"
         "<mtas:service-profile tier=\"standard\"/>"
         "</ss:simservs>\n";
}

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
  if (it == docs_.end() && ds.auid == kSimservsAuid && !ds.global && ds.path == "simservs.xml") {
    // The operator provisions every subscriber's services: the document
    // exists before the user ever writes it.
    auto own = simservs_for_.find(ds.xui);
    docs_[key] = Doc{own != simservs_for_.end() ? own->second : default_simservs(), new_etag()};
    save(key, &docs_[key]);
    it = docs_.find(key);
  }
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
      if (!ct || !acceptable_type(ds.auid, *ct)) {
        return HttpReply::text(415, std::string("a ") + ds.auid + " document is " + mime_of(ds.auid) + "\n");
      }
      pugi::xml_document d;
      if (!d.load_buffer(req.body.data(), req.body.size())) return xcap_error("<not-well-formed/>");
      if (ds.auid == kSimservsAuid) {
        const std::string bad = check_simservs(d.document_element());
        if (!bad.empty()) return xcap_error(bad);
      }
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
  const bool simservs = ds.auid == kSimservsAuid;
  if (simservs && req.method != "GET" && node.steps.size() >= 2 && forbidden_.count(local(node.steps[1].name.c_str())) != 0) {
    return HttpReply::text(403, "the subscription does not allow changing " + node.steps[1].name + "\n");
  }
  pugi::xml_document d;
  if (!d.load_string(it->second.xml.c_str())) return HttpReply::text(500, "stored document is broken\n");
  const Names names{ds.auid == kSimservsAuid ? kSsNs : "", &node.bindings};
  std::vector<pugi::xml_node> found = select(d, node.steps, names);
  if (found.size() > 1) return HttpReply::text(404, "the node selector matches more than one element\n");
  auto store = [&](int status) {
    if (simservs) {
      const std::string bad = check_simservs(d.document_element());
      if (!bad.empty()) return xcap_error(bad);  // the stored document is unchanged
    }
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
      // An XML AttValue (RFC 4825: quoted, as the SDK sends it); a bare
      // value is taken too, as servers in the field do. No markup either way.
      std::string b = req.body;
      if (b.size() >= 2 && (b.front() == '"' || b.front() == '\'') && b.back() == b.front()) b = b.substr(1, b.size() - 2);
      if (b.find_first_of("<&\"") != std::string::npos) return xcap_error("<not-xml-att-value/>");
      if (!at) at = found[0].append_attribute(node.attribute.c_str());
      at.set_value(b.c_str());
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
  if (!matches(element, last, true, names)) return xcap_error("<cannot-insert/>");
  if (!found.empty()) {
    pugi::xml_node target = found[0];
    pugi::xml_node copy = target.parent().insert_copy_after(element, target);
    target.parent().remove_child(target);
    (void)copy;
    return store(200);
  }
  std::vector<Step> parent_steps(node.steps.begin(), node.steps.end() - 1);
  std::vector<pugi::xml_node> parent = parent_steps.empty() ? std::vector<pugi::xml_node>{} : select(d, parent_steps, names);
  if (parent.size() != 1) {
    // Name the deepest ancestor that exists.
    std::string ancestor = uri->root + "/" + ds.auid + "/users/" + ds.xui + "/" + ds.path;
    for (std::size_t n = parent_steps.size(); n > 0; --n) {
      std::vector<Step> prefix(parent_steps.begin(), parent_steps.begin() + static_cast<long>(n) - 1);
      if (prefix.empty() || select(d, prefix, names).size() == 1) {
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
