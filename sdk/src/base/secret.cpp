#include "utkit/base/secret.hpp"

#include <mbedtls/platform_util.h>

#include <string>

namespace utkit {

void secure_wipe(void* p, std::size_t n) {
  if (p != nullptr && n != 0) mbedtls_platform_zeroize(p, n);
}

void secure_wipe(std::string& s) {
  // Wipe the whole capacity: a shorter string may have left bytes past size().
  s.resize(s.capacity());
  secure_wipe(s.data(), s.size());
  s.clear();
}

bool constant_time_equal(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

SecretBytes::SecretBytes(std::size_t n) : data_(n ? new std::uint8_t[n]() : nullptr), size_(n) {}

SecretBytes::SecretBytes(ByteView data) : SecretBytes(data.size()) {
  if (size_) std::memcpy(data_.get(), data.data(), size_);
}

SecretBytes::~SecretBytes() { clear(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    clear();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes SecretBytes::take(Bytes& b) {
  SecretBytes s{ByteView(b)};
  secure_wipe(b);
  b.clear();
  return s;
}

SecretBytes SecretBytes::concat(ByteView a, ByteView b) {
  SecretBytes s(a.size() + b.size());
  if (!a.empty()) std::memcpy(s.data(), a.data(), a.size());
  if (!b.empty()) std::memcpy(s.data() + a.size(), b.data(), b.size());
  return s;
}

void SecretBytes::clear() {
  secure_wipe(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

}  // namespace utkit
