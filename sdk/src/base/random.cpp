#include "utkit/base/random.hpp"

#include <mbedtls/ctr_drbg.h>

#include "text.hpp"

namespace utkit {

Result<Bytes> Random::bytes(std::size_t len) {
  Bytes out(len);
  UTKIT_TRY(fill(out.data(), out.size()));
  return out;
}

int Random::mbedtls_rng(void* self, unsigned char* out, std::size_t len) {
  auto r = static_cast<Random*>(self)->fill(out, len);
  return r.ok() ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

struct CtrDrbgRandom::Impl {
  mbedtls_ctr_drbg_context drbg;
  EntropySource* entropy = nullptr;
  Impl() { mbedtls_ctr_drbg_init(&drbg); }
  ~Impl() { mbedtls_ctr_drbg_free(&drbg); }  // zeroizes the DRBG state

  static int entropy_cb(void* p, unsigned char* out, std::size_t len) {
    auto r = static_cast<Impl*>(p)->entropy->gather(out, len);
    return r.ok() ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
  }
};

CtrDrbgRandom::CtrDrbgRandom() : impl_(new Impl) {}
CtrDrbgRandom::~CtrDrbgRandom() = default;

Result<std::unique_ptr<CtrDrbgRandom>> CtrDrbgRandom::create(EntropySource& entropy,
                                                             std::string_view personalization) {
  std::unique_ptr<CtrDrbgRandom> r(new CtrDrbgRandom);
  r->impl_->entropy = &entropy;
  int rc = mbedtls_ctr_drbg_seed(&r->impl_->drbg, &Impl::entropy_cb, r->impl_.get(),
                                 reinterpret_cast<const unsigned char*>(personalization.data()),
                                 personalization.size());
  if (rc != 0) {
    return make_error(Errc::random_failed,
                      "could not seed the random generator: the platform entropy source failed (mbedTLS error {})",
                      {Dec(rc)});
  }
  return r;
}

Result<void> CtrDrbgRandom::fill(std::uint8_t* out, std::size_t len) {
  ScopedLock lock(mu_);
  while (len > 0) {
    std::size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
    int rc = mbedtls_ctr_drbg_random(&impl_->drbg, out, n);
    if (rc != 0) {
      return make_error(Errc::random_failed,
                        "random generator failed (mbedTLS error {}): the entropy source could not reseed it",
                        {Dec(rc)});
    }
    out += n;
    len -= n;
  }
  return success();
}

}  // namespace utkit
