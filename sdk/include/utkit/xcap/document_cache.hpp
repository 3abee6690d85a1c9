// utkit/xcap/document_cache.hpp — copies of XCAP documents read before, kept
// in the app's KeyValueStore and revalidated with If-None-Match, so that a
// restarted app lists an unchanged buddy list with a 304 and no body.
//
// Two records per document, keyed by a hash of its URI:
//   xcap-doc-<16 hex>       the document, as the server sent it
//   xcap-doc-<16 hex>.meta  its URI, ETag, size and SHA-256
// The body is written first and the meta record last, and a copy is used only
// when the meta record names the same URI and the body matches its size and
// hash: a torn write, a hash collision or an edited file is a cache miss, never
// a wrong document. A cached copy is never served without the server's 304,
// and it goes through the same parser checks as a document from the network.
// Documents hold no secret; the store keeps them private to the user (0600).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "utkit/base/kv_store.hpp"
#include "utkit/xcap/uri.hpp"

namespace utkit::xcap {

struct CachedDocument {
  std::string etag;
  std::string body;
};

class DocumentCache {
 public:
  // Documents over `max_bytes` are not kept (and a kept copy of one that grew
  // is dropped).
  DocumentCache(KeyValueStore& store, std::size_t max_bytes);

  // The kept copy: its ETag only (what a conditional GET needs), or the
  // whole copy. The ETag is checked again when the body is loaded, so a copy
  // replaced in between is a miss. Loading the body only after the server's
  // 304 keeps an outdated copy off the heap while a new body arrives.
  std::optional<std::string> etag(const XcapUri& document);
  std::optional<CachedDocument> load(const XcapUri& document, std::string_view expected_etag = {});
  // Keeps `body` with its ETag (an empty ETag or an oversized body drops the
  // copy instead). Failures to write are not errors: the cache is an
  // optimisation, so they only leave no copy behind.
  void save(const XcapUri& document, std::string_view etag, std::string_view body);
  void drop(const XcapUri& document);

  std::size_t max_bytes() const { return max_; }
  // Hits (304 or a valid copy served) and misses, for benchmarks and tests.
  struct Stats {
    int loads = 0, hits = 0, saves = 0;
  };
  const Stats& stats() const { return stats_; }
  void count_hit() { ++stats_.hits; }

 private:
  static std::string key_of(const std::string& uri);
  struct Meta {
    std::string key, etag, hash;
    std::uint64_t size = 0;
  };
  std::optional<Meta> meta(const XcapUri& document);

  KeyValueStore& store_;
  std::size_t max_;
  Stats stats_;
};

}  // namespace utkit::xcap
