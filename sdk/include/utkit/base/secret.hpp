// utkit/base/secret.hpp — SecretBytes: key material that wipes itself.
//
// K, OPc, RES, CK, IK, Ks, Ks_NAF and passwords live in SecretBytes. The
// buffer is allocated once at its final size (it never reallocates, so no
// stale copy is left behind), is zeroized with mbedtls_platform_zeroize when
// destroyed or reassigned, cannot be copied implicitly (use clone()), and has
// no stream operator, so it cannot be printed or logged by accident.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "utkit/base/bytes.hpp"

namespace utkit {

class SecretBytes {
 public:
  SecretBytes() = default;
  // n zero bytes.
  explicit SecretBytes(std::size_t n);
  // A copy of `data`. The caller remains responsible for wiping the source.
  explicit SecretBytes(ByteView data);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // Takes the bytes of `b` and wipes `b`.
  static SecretBytes take(Bytes& b);
  // a || b
  static SecretBytes concat(ByteView a, ByteView b);

  SecretBytes clone() const { return SecretBytes(view()); }

  std::uint8_t* data() { return data_.get(); }
  const std::uint8_t* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_.get(), size_}; }

  // Wipes and releases the buffer.
  void clear();

  template <class Stream>
  friend Stream& operator<<(Stream&, const SecretBytes&) = delete;

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

// Zeroizes memory the compiler may not optimise away (mbedtls_platform_zeroize).
void secure_wipe(void* p, std::size_t n);
inline void secure_wipe(Bytes& b) { secure_wipe(b.data(), b.size()); }
void secure_wipe(std::string& s);

}  // namespace utkit
