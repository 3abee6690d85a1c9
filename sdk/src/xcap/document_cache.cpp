#include "utkit/xcap/document_cache.hpp"

#include "../base/lines.hpp"

#include <mbedtls/sha256.h>


#include "utkit/base/encoding.hpp"
#include "../base/text.hpp"

namespace utkit::xcap {
namespace {

constexpr char kMagic[] = "utkit-xcap-document 1";

std::string sha256_hex(std::string_view data) {
  unsigned char d[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d, 0);
  return to_hex(ByteView(d, sizeof d));
}

// The URI of the document an XCAP URI is in (its node selector dropped).
std::string document_of(const XcapUri& uri) {
  XcapUri doc = uri;
  doc.node = {};
  return doc.to_string();
}

// An entity tag as RFC 9110 8.8.3 writes it, visible ASCII only: it goes on
// a line of the meta record and back into an If-None-Match header.
bool storable_etag(std::string_view etag) {
  if (etag.size() < 2 || etag.size() > 256) return false;
  for (char c : etag) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

DocumentCache::DocumentCache(KeyValueStore& store, std::size_t max_bytes) : store_(store), max_(max_bytes) {}

std::string DocumentCache::key_of(const std::string& uri) { return cat({"xcap-doc-", sha256_hex(uri).substr(0, 16)}); }

std::optional<DocumentCache::Meta> DocumentCache::meta(const XcapUri& document) {
  const std::string uri = document_of(document);
  Meta m;
  m.key = key_of(uri);
  auto rec = store_.get(cat({m.key, ".meta"}));
  if (!rec || rec->size() > 8192) return std::nullopt;  // ours hold a URI, an ETag and two numbers
  detail::Lines lines(rec->view().as_string());
  std::string_view line;
  std::string stored_uri;
  std::optional<std::uint64_t> size;
  if (!lines.next(line) || line != kMagic) return std::nullopt;
  while (lines.next(line)) {
    const auto sp = line.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    const std::string_view k = line.substr(0, sp), v = line.substr(sp + 1);
    if (k == "uri") stored_uri = v;
    else if (k == "etag") m.etag = v;
    else if (k == "size") size = parse_decimal(v, max_);
    else if (k == "sha256") m.hash = v;
    else return std::nullopt;  // not a record we wrote
  }
  if (stored_uri != uri || !storable_etag(m.etag) || !size || m.hash.size() != 64) return std::nullopt;
  m.size = *size;
  return m;
}

std::optional<std::string> DocumentCache::etag(const XcapUri& document) {
  ++stats_.loads;
  auto m = meta(document);
  if (!m) return std::nullopt;
  return std::move(m->etag);
}

std::optional<CachedDocument> DocumentCache::load(const XcapUri& document, std::string_view expected_etag) {
  auto m = meta(document);
  if (!m || (!expected_etag.empty() && m->etag != expected_etag)) return std::nullopt;
  auto body = store_.get_text(m->key);
  if (!body || body->size() != m->size || sha256_hex(*body) != m->hash) return std::nullopt;
  return CachedDocument{std::move(m->etag), std::move(*body)};
}

void DocumentCache::save(const XcapUri& document, std::string_view etag, std::string_view body) {
  if (etag.empty() || body.size() > max_ || !storable_etag(etag)) {
    drop(document);
    return;
  }
  const std::string uri = document_of(document);
  if (uri.find('\n') != std::string::npos || uri.find('\r') != std::string::npos) return;
  const std::string key = key_of(uri);
  const std::string meta =
      format("{}\nuri {}\netag {}\nsize {}\nsha256 {}\n", {kMagic, uri, etag, Dec(body.size()), sha256_hex(body)});
  // Meta last: until it is written, a reader finds the old meta record, which
  // no longer matches the new body, and misses.
  if (!store_.put(key, ByteView::of(body))) {
    drop(document);
    return;
  }
  if (store_.put(cat({key, ".meta"}), ByteView::of(meta))) ++stats_.saves;
}

void DocumentCache::drop(const XcapUri& document) {
  const std::string key = key_of(document_of(document));
  (void)store_.remove(cat({key, ".meta"}));
  (void)store_.remove(key);
}

}  // namespace utkit::xcap
