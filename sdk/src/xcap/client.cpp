#include "utkit/xcap/client.hpp"

#include <pugixml.hpp>

#include "xml_util.hpp"
#include "utkit/base/encoding.hpp"
#include "../base/xml_load.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "../base/text.hpp"

namespace utkit::xcap {

using namespace std::string_view_literals;

const char* mime_type_of(std::string_view auid) {
  // Two name lists in the same order (text.hpp).
  const int i = name_index(
      "resource-lists\0pres-rules\0org.openmobilealliance.pres-rules\0rls-services\0xcap-caps\0"
      "org.openmobilealliance.pres-content\0simservs.ngn.etsi.org\0",
      auid);
  const char* type = name_at(
      "application/resource-lists+xml\0application/auth-policy+xml\0application/auth-policy+xml\0"
      "application/rls-services+xml\0application/xcap-caps+xml\0application/vnd.oma.pres-content+xml\0"
      "application/simservs+xml\0",
      i);
  return type != nullptr ? type : "application/xml";
}

XcapError parse_xcap_error(std::string_view body) {
  XcapError e;
  pugi::xml_document d;
  if (body.empty() || !utkit::detail::load_untrusted_xml(d, body, "xcap-error", std::size_t{64} * 1024, Errc::xcap_bad_document)) return e;
  pugi::xml_node root = d.document_element();
  if (detail::local_name(root.name()) != "xcap-error"sv) return e;
  for (pugi::xml_node c : root.children()) {
    if (c.type() != pugi::node_element) continue;
    e.condition = detail::local_name(c.name());
    e.phrase = c.attribute("phrase").value();
    for (pugi::xml_node g : c.children()) {
      if (g.type() != pugi::node_element) continue;
      const std::string_view n = detail::local_name(g.name());
      if (n == "ancestor"sv) e.ancestor = g.text().get();
      if (n == "exists"sv) {
        e.field = g.attribute("field").value();
        for (pugi::xml_node alt : g.children()) {
          if (alt.type() == pugi::node_element && detail::local_name(alt.name()) == "alt-value"sv)
            e.alt_values.push_back(alt.text().get());
        }
      }
    }
    break;
  }
  return e;
}

XcapClient::XcapClient(http::HttpClient& http, XcapConfig config)
    : http_(http), cfg_(std::move(config)) {
  while (!cfg_.root.empty() && cfg_.root.back() == '/') cfg_.root.pop_back();
  if (cfg_.intended_identity.empty()) cfg_.intended_identity = cfg_.xui;
}

XcapUri XcapClient::uri(std::string auid, std::string document, NodeSelector node) const {
  XcapUri u;
  u.root = cfg_.root;
  u.document = DocumentSelector{std::move(auid), false, cfg_.xui, std::move(document)};
  u.node = std::move(node);
  return u;
}

std::string XcapClient::doc_key(const DocumentSelector& d) {
  return format("{}/{}/{}", {d.auid, (d.global ? std::string("global") : cat({"users/", d.xui})), d.path});
}

std::optional<std::string> XcapClient::etag(const DocumentSelector& doc) const {
  ScopedLock lock(mu_);
  const std::string* e = etags_.find(doc_key(doc));
  if (e == nullptr) return std::nullopt;
  return *e;
}

void XcapClient::forget_etag(const DocumentSelector& doc) {
  ScopedLock lock(mu_);
  etags_.erase(doc_key(doc));
}

XcapError XcapClient::last_error() const {
  ScopedLock lock(mu_);
  return last_error_;
}

Result<XcapResult> XcapClient::run(const XcapUri& uri, http::Request req) {
  UTKIT_TRY(uri.check());
  UTKIT_ASSIGN(http::Url url, http::parse_url(uri.to_string()));
  // TS 24.109 / TS 33.222: the identity the request is for, quoted.
  UTKIT_ASSIGN(std::string identity, http::quoted_string(cfg_.intended_identity, "the intended identity"sv));
  if (!cfg_.quote_intended_identity) {
    // Bare: the checks above hold (no controls); quotes and spaces would
    // change its meaning, so a bare identity may hold neither.
    if (cfg_.intended_identity.find_first_of("\" \t") != std::string::npos) {
      return Error(Errc::invalid_argument, "the intended identity cannot be sent bare: it holds quotes or spaces");
    }
    identity = cfg_.intended_identity;
  }
  req.headers.set("X-3GPP-Intended-Identity"sv, std::move(identity));
  const std::string what = cat({req.method, " ", uri.to_string()});  // before req is moved
  req.deadline = limits_.deadline;
  req.cancel = limits_.cancel;
  const bool whole_document_delete = uri.node.empty() && req.method == "DELETE";
  if (limits_.before_send != nullptr) limits_.before_send(limits_.before_send_arg);
  UTKIT_ASSIGN(http::Response rsp, http_.send(url, std::move(req)));
  XcapResult r;
  r.status = rsp.status;
  if (const std::string* e = rsp.headers.find("ETag"sv)) r.etag = *e;
  if (const std::string* ct = rsp.headers.find("Content-Type"sv)) r.content_type = *ct;
  r.body = std::move(rsp.body);  // the buffer itself: no second copy of a large document
  const std::string key = doc_key(uri.document);
  ScopedLock lock(mu_);
  if ((rsp.status >= 200 && rsp.status < 300) || rsp.status == 304) {
    if (whole_document_delete) {
      etags_.erase(key);  // the document is gone: an ETag a server sent with the DELETE describes nothing
    } else if (!r.etag.empty()) {
      etags_.set(key, r.etag);
    }
    return r;
  }
  switch (rsp.status) {
    case 403:
      return make_error(Errc::xcap_forbidden,
                        {what, ": the server does not allow this (403",
                         (r.body.empty() ? std::string(")") : cat({"): ", printable_ascii(r.body.substr(0, 200))}))});
    case 404:
      return make_error(Errc::xcap_not_found, {what, ": no such document or node (404)"});
    case 409: {
      last_error_ = parse_xcap_error(r.body);
      std::string cond = last_error_.condition.empty() ? std::string("conflict") : last_error_.condition;
      if (!last_error_.ancestor.empty()) cat_append(cond, {" (deepest existing ancestor: ", last_error_.ancestor, ")"});
      if (!last_error_.field.empty()) cat_append(cond, {" (field ", last_error_.field, ")"});
      if (!last_error_.phrase.empty()) cat_append(cond, {": ", printable_ascii(last_error_.phrase)});
      return make_error(Errc::xcap_conflict, {what, ": the server refused the change: ", cond});
    }
    case 412:
      etags_.erase(key);
      return make_error(Errc::xcap_precondition_failed, {what, ": the document changed since it was read (412)"});
    default:
      return make_error(Errc::xcap_status, "{}: unexpected {} {}", {what, Dec(rsp.status), rsp.reason});
  }
}

Result<void> XcapClient::back_off(int round, Millis base, Millis max) {
  // The jitter comes from the platform's random source, so that devices with
  // the same firmware that restart together (after an outage) do not retry
  // in step; without it, from the clock.
  std::uint8_t draw[8];
  std::uint64_t r = 0;
  if (http_.random().fill(draw, sizeof draw)) {
    for (std::uint8_t b : draw) r = (r << 8) | b;
  } else {
    r = static_cast<std::uint64_t>(http_.clock().monotonic_now().time_since_epoch().count());
  }
  const long long cap = std::min<long long>(max.count(), base.count() << std::min(std::max(round, 0), 10));
  const Millis pause(cap <= 0 ? 0 : static_cast<long long>(r % static_cast<std::uint64_t>(cap + 1)));
  // The deadline is on the platform's clock (http client); a cancel wakes
  // the pause at once.
  if (limits_.deadline && http_.clock().monotonic_now() + pause >= *limits_.deadline) {
    return make_error(
        Errc::net_timeout,
        "the operation's deadline passes before the next retry (after {} concurrent changes or missing parents)",
        {Dec(round + 1)});
  }
  if (limits_.cancel == nullptr) {
    sleep_for(pause);
  } else if (limits_.cancel->sleep_for(pause)) {
    return cancelled_error(*limits_.cancel, "waiting to retry a change");
  }
  return success();
}

Result<XcapResult> XcapClient::get(const XcapUri& uri, bool if_none_match_cached) {
  http::Request req;
  req.method = "GET";
  if (if_none_match_cached) {
    if (auto e = etag(uri.document)) req.headers.add("If-None-Match", *e);
  }
  return run(uri, std::move(req));
}

Result<XcapResult> XcapClient::get_if_none_match(const XcapUri& uri, const std::string& etag) {
  http::Request req;
  req.method = "GET";
  req.headers.add("If-None-Match", etag);
  UTKIT_ASSIGN(XcapResult r, run(uri, std::move(req)));
  if (r.status == 304 && r.etag.empty()) {
    r.etag = etag;
    ScopedLock lock(mu_);
    etags_.set(doc_key(uri.document), etag);
  }
  return r;
}

Result<XcapResult> XcapClient::put(const XcapUri& uri, std::string body, Precondition pre,
                                   const std::string& document_type) {
  http::Request req;
  req.method = "PUT";
  req.headers.add("Content-Type", !uri.node.attribute.empty() ? std::string("application/xcap-att+xml")
                                  : !uri.node.empty()         ? std::string("application/xcap-el+xml")
                                  : !document_type.empty()    ? document_type
                                                              : std::string(mime_type_of(uri.document.auid)));
  if (pre == Precondition::if_match) {
    if (auto e = etag(uri.document)) req.headers.add("If-Match", *e);
  } else if (pre == Precondition::if_none_match_any) {
    req.headers.add("If-None-Match", "*");  // bare: RFC 7232
  }
  req.body.assign(body.begin(), body.end());
  return run(uri, std::move(req));
}

Result<XcapResult> XcapClient::remove(const XcapUri& uri, Precondition pre) {
  http::Request req;
  req.method = "DELETE";
  if (pre == Precondition::if_match) {
    if (auto e = etag(uri.document)) req.headers.add("If-Match", *e);
  }
  return run(uri, std::move(req));
}

Result<XcapResult> XcapClient::caps() {
  XcapUri u;
  u.root = cfg_.root;
  u.document = DocumentSelector{"xcap-caps", true, "", "index"};
  return get(u);
}

}  // namespace utkit::xcap
