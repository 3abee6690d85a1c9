// utkit/xcap/client.hpp — XCAP operations (RFC 4825) over the http module.
//
// GET/PUT/DELETE of documents, elements and attributes with the right
// Content-Type (the AUID's MIME type for a document, application/xcap-el+xml
// for an element, application/xcap-att+xml for an attribute; none on
// requests without a body). One ETag per document, updated from every
// response; If-Match / If-None-Match; 304 and 412; 409 bodies parsed into a
// typed XcapError. Every request carries X-3GPP-Intended-Identity.
#pragma once

#include "utkit/base/sync.hpp"
#include <optional>
#include <string>

#include "utkit/http/client.hpp"
#include "utkit/xcap/uri.hpp"

namespace utkit::xcap {

struct XcapConfig {
  std::string root;                // "https://xcap.example.net/xcap-root"
  std::string xui;                 // the user's IMPU: "sip:alice@example.net"
  std::string intended_identity;   // X-3GPP-Intended-Identity; empty: the XUI
  bool quote_intended_identity = true;  // "sip:..." (TS 24.109); false: bare, as some servers want
};

// An xcap-error body (RFC 4825 11): the condition and what it names.
struct XcapError {
  std::string condition;  // "uniqueness-failure", "no-parent", "not-well-formed", ... or "" when unreadable
  std::string ancestor;   // no-parent
  std::string field;      // uniqueness-failure <exists field="...">
  std::vector<std::string> alt_values;
  std::string phrase;
};
// Parses loosely: comments, unknown elements and missing fields are fine.
XcapError parse_xcap_error(std::string_view body);

enum class Precondition { none, if_match, if_none_match_any };

struct XcapResult {
  int status = 0;
  std::string etag;
  std::string content_type;
  std::string body;
};

const char* mime_type_of(std::string_view auid);

class XcapClient {
 public:
  XcapClient(http::HttpClient& http, XcapConfig config);

  // A URI in this user's tree.
  XcapUri uri(std::string auid, std::string document, NodeSelector node = {}) const;

  // 2xx and 304 are results; 403 -> xcap_forbidden, 404 -> xcap_not_found,
  // 409 -> xcap_conflict (the message names the condition and the server's
  // phrase; last_error() has the details), 412 ->
  // xcap_precondition_failed (the cached ETag is dropped), others -> xcap_status.
  Result<XcapResult> get(const XcapUri& uri, bool if_none_match_cached = false);
  // A conditional GET against an ETag the caller kept (a cached copy): 304
  // means the copy is current (the result then carries that ETag even when
  // the server sent none, and it becomes the document's ETag here).
  Result<XcapResult> get_if_none_match(const XcapUri& uri, const std::string& etag);
  // `document_type` overrides the AUID's MIME type for a whole-document PUT
  // (operators that want application/vnd.etsi.simservs+xml, ...).
  Result<XcapResult> put(const XcapUri& uri, std::string body, Precondition pre = Precondition::if_match,
                         const std::string& document_type = {});
  Result<XcapResult> remove(const XcapUri& uri, Precondition pre = Precondition::if_match);
  // xcap-caps (global tree).
  Result<XcapResult> caps();

  const XcapConfig& config() const { return cfg_; }

  // Limits applied to every request until changed: a deadline (on the http
  // client's clock) and a cancel token (see http::Request).
  struct Limits {
    std::optional<std::chrono::steady_clock::time_point> deadline;
    const CancelToken* cancel = nullptr;
    // Called before each request goes out, after every local check of the
    // operation has passed (UtSession starts a cold start's bootstrap here,
    // so a change refused locally sends nothing at all).
    void (*before_send)(void* arg) = nullptr;
    void* before_send_arg = nullptr;
  };
  void set_limits(Limits limits) { limits_ = limits; }
  const Limits& limits() const { return limits_; }

  // The pause before retry `round` (0-based) of a change that lost a race
  // (412) or found its parent missing (409 no-parent): a random time up to
  // min(max, base * 2^round), so that devices racing on one document
  // decorrelate. A fired cancel token ends the wait at once (cancelled),
  // and it fails (net_timeout) rather than sleep past the
  // deadline: every retry loop is bounded in time as well as in count.
  Result<void> back_off(int round, Millis base, Millis max);
  std::optional<std::string> etag(const DocumentSelector& doc) const;
  void forget_etag(const DocumentSelector& doc);
  XcapError last_error() const;

 private:
  Result<XcapResult> run(const XcapUri& uri, http::Request req);
  static std::string doc_key(const DocumentSelector& d);

  http::HttpClient& http_;
  XcapConfig cfg_;
  mutable Mutex mu_;
  StringMap<std::string> etags_;
  XcapError last_error_;
  Limits limits_;
};

}  // namespace utkit::xcap
