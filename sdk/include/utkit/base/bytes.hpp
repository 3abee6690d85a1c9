// utkit/base/bytes.hpp — owned byte buffers and non-owning views.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace utkit {

using Bytes = std::vector<std::uint8_t>;

// A non-owning view of bytes (C++17 has no std::span). The caller keeps the
// underlying buffer alive while the view is in use.
class ByteView {
 public:
  constexpr ByteView() = default;
  constexpr ByteView(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  ByteView(const Bytes& b) : data_(b.data()), size_(b.size()) {}
  template <std::size_t N>
  constexpr ByteView(const std::array<std::uint8_t, N>& a) : data_(a.data()), size_(N) {}

  // The bytes of a string (no terminator).
  static ByteView of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }

  constexpr const std::uint8_t* data() const { return data_; }
  constexpr std::size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const std::uint8_t* begin() const { return data_; }
  constexpr const std::uint8_t* end() const { return data_ + size_; }
  constexpr std::uint8_t operator[](std::size_t i) const { return data_[i]; }

  // Bytes [pos, pos+len), clamped to the view.
  ByteView sub(std::size_t pos, std::size_t len = SIZE_MAX) const {
    if (pos > size_) pos = size_;
    if (len > size_ - pos) len = size_ - pos;
    return {data_ + pos, len};
  }
  Bytes to_bytes() const { return Bytes(begin(), end()); }
  std::string_view as_string() const { return {reinterpret_cast<const char*>(data_), size_}; }

  friend bool operator==(ByteView a, ByteView b) {
    return a.size_ == b.size_ && (a.size_ == 0 || std::memcmp(a.data_, b.data_, a.size_) == 0);
  }
  friend bool operator!=(ByteView a, ByteView b) { return !(a == b); }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// Comparison whose time does not depend on where the inputs differ (for MACs,
// RES, rspauth). Different lengths compare unequal.
bool constant_time_equal(ByteView a, ByteView b);

// Appends b to a.
inline void append(Bytes& a, ByteView b) { a.insert(a.end(), b.begin(), b.end()); }

// Big-endian helpers for protocol fields.
inline void put_be16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
inline std::uint64_t get_be48(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 6; ++i) v = (v << 8) | p[i];
  return v;
}
inline void put_be48(std::uint8_t* p, std::uint64_t v) {
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace utkit
