// utkit/base/string_map.hpp — a small map from strings to values.
//
// The SDK's maps hold a handful of entries (a connection per origin, a
// Digest protection space per origin, an ETag per document, a TLS session
// per server): a vector searched from the front is as fast as a tree at that
// size, and one instantiation of it is a fraction of std::map's code (which
// a microcontroller image pays for once per value type). Entries are in no
// particular order: erase moves the last entry into the gap.
//
// A pointer from find() or set() stays valid until the next set() of a new
// key, erase() or clear() on the same map.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace utkit {

template <class V>
class StringMap {
 public:
  V* find(std::string_view key) {
    for (auto& e : items_) {
      if (e.first == key) return &e.second;
    }
    return nullptr;
  }
  const V* find(std::string_view key) const { return const_cast<StringMap*>(this)->find(key); }

  // Inserts or replaces; returns the stored value.
  V& set(std::string_view key, V value) {
    if (V* v = find(key)) {
      *v = std::move(value);
      return *v;
    }
    items_.emplace_back(std::string(key), std::move(value));
    return items_.back().second;
  }

  // Returns whether the key was there.
  bool erase(std::string_view key) {
    for (auto& e : items_) {
      if (e.first == key) {
        if (&e != &items_.back()) e = std::move(items_.back());
        items_.pop_back();
        return true;
      }
    }
    return false;
  }

  void clear() { items_.clear(); }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<std::pair<std::string, V>> items_;
};

}  // namespace utkit
