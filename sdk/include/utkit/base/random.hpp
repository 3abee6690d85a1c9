// utkit/base/random.hpp — Random and EntropySource platform interfaces, and
// a CTR_DRBG (mbedTLS) seeded from an EntropySource.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include "utkit/base/sync.hpp"
#include <string_view>

#include "utkit/base/bytes.hpp"
#include "utkit/base/result.hpp"

namespace utkit {

// Where true randomness comes from: getrandom() on POSIX, a TRNG peripheral
// on a microcontroller.
class EntropySource {
 public:
  virtual ~EntropySource() = default;
  virtual Result<void> gather(std::uint8_t* out, std::size_t len) = 0;
};

// Cryptographically secure random bytes for nonces, cnonces, RAND, TLS.
class Random {
 public:
  virtual ~Random() = default;
  virtual Result<void> fill(std::uint8_t* out, std::size_t len) = 0;

  Result<Bytes> bytes(std::size_t len);

  // An mbedTLS f_rng callback; `self` is a Random*.
  static int mbedtls_rng(void* self, unsigned char* out, std::size_t len);
};

// mbedTLS CTR_DRBG (AES-256), reseeded from the EntropySource as mbedTLS
// decides (prediction resistance off). Thread-safe.
class CtrDrbgRandom final : public Random {
 public:
  // `entropy` must outlive the returned object.
  static Result<std::unique_ptr<CtrDrbgRandom>> create(EntropySource& entropy,
                                                       std::string_view personalization = "utkit");
  ~CtrDrbgRandom() override;
  Result<void> fill(std::uint8_t* out, std::size_t len) override;

 private:
  CtrDrbgRandom();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Mutex mu_;
};

}  // namespace utkit
