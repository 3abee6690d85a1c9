// netsim::XcapServer — an XCAP server (RFC 4825) for the local test network:
// documents per user in memory; document, element and attribute
// GET/PUT/DELETE by node selector; one ETag per document, If-Match and
// If-None-Match (304, 412); 409 with xcap-error bodies (not-well-formed,
// not-xml-frag, no-parent with ancestor, cannot-insert, uniqueness-failure);
// xcap-caps; a user may only touch its own tree (the asserted identity, from
// the NAF in front, must be the document's XUI).
//
// Its node-selector evaluation matches element names by local name for the
// single-namespace documents (resource-lists, pres-rules, rls-services) and
// by namespace too for simservs (unprefixed steps in the simservs namespace,
// prefixed ones as the query's xmlns() binds them).
//
// simservs (TS 24.623) behaves like an operator's application server: every
// user's document is provisioned at first access (default_simservs(), or one
// given with provision_simservs(), e.g. without barring for an unprovisioned
// user), writes are validated (NoReplyTimer 5..180, forwarding targets
// sip:/sips:/tel:, unique rule ids: 409 with the condition and a phrase), and
// services can be locked against changes (403).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "http_server.hpp"

namespace netsim {

class XcapServer {
 public:
  explicit XcapServer(std::string root_path = "/xcap-root") : root_(std::move(root_path)) {}
  // Keeps documents in `directory` too (one file per document), loading what
  // is there now. Returns false when the directory cannot be used.
  bool persist_to(const std::string& directory);

  // Serves one request. `asserted_identity` is what the authentication proxy
  // vouches for (empty: no proxy, anything goes).
  HttpReply handle(const HttpRequest& request, const std::string& asserted_identity);

  std::size_t documents() const;
  std::size_t changes() const { return changes_; }
  // The stored text of a document, for tests ("" when absent).
  std::string document(const std::string& auid, const std::string& xui, const std::string& path) const;

  void provision_simservs(const std::string& xui, std::string xml);
  void forbid_simservs_changes(const std::string& service);  // e.g. "communication-waiting"
  static const char* default_simservs();

 private:
  struct Doc {
    std::string xml;
    std::string etag;
  };
  std::string new_etag();
  void save(const std::string& key, const Doc* doc);  // nullptr: deleted

  std::string root_;
  mutable std::mutex mu_;
  std::map<std::string, Doc> docs_;
  unsigned long counter_ = 0;
  std::size_t changes_ = 0;
  std::string dir_;
  std::map<std::string, std::string> simservs_for_;
  std::set<std::string> forbidden_;
};

}  // namespace netsim
