// MILENAGE, 3GPP TS 35.206 section 4.1. With E_K the AES-128 block cipher:
//
//   OPc  = OP xor E_K(OP)
//   TEMP = E_K(RAND xor OPc)
//   IN1  = SQN || AMF || SQN || AMF
//   OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc      MAC-A = OUT1[0..63],  MAC-S = OUT1[64..127]
//   OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc, i = 2..5
//          f5 = OUT2[0..47], f2 = OUT2[64..127], f3 = OUT3, f4 = OUT4, f5* = OUT5[0..47]
//   r1..r5 = 64, 0, 32, 64, 96 bits; c1..c5 = 0, 1, 2, 4, 8 (in the last bit positions)
#include "utkit/aka/milenage.hpp"

#include <mbedtls/aes.h>

#include <cstring>

#include "../base/text.hpp"

namespace utkit::aka {
namespace {

using Block = std::array<std::uint8_t, 16>;

Error bad_size(const char* what, std::size_t want, std::size_t got) {
  return make_error(Errc::aka_bad_input, "{} must be {} bytes, got {}", {what, Dec(want), Dec(got)});
}

Result<void> check(ByteView v, std::size_t want, const char* what) {
  if (v.size() != want) return bad_size(what, want, v.size());
  return success();
}

// Cyclic left rotation by r bits (r a multiple of 8).
Block rot(const Block& x, unsigned r_bits) {
  Block out;
  unsigned r = r_bits / 8;
  for (unsigned i = 0; i < 16; ++i) out[i] = x[(i + r) % 16];
  return out;
}

// Wipes a block when it leaves scope.
struct WipeOnExit {
  Block& b;
  ~WipeOnExit() { secure_wipe(b.data(), b.size()); }
};

}  // namespace

struct Milenage::Impl {
  mbedtls_aes_context aes;
  Block opc{};
  Impl() { mbedtls_aes_init(&aes); }
  ~Impl() {
    mbedtls_aes_free(&aes);  // zeroizes the key schedule
    secure_wipe(opc.data(), opc.size());
  }

  void encrypt(const Block& in, Block& out) const {
    // Cannot fail for a valid context and 16-byte blocks.
    (void)mbedtls_aes_crypt_ecb(const_cast<mbedtls_aes_context*>(&aes), MBEDTLS_AES_ENCRYPT, in.data(), out.data());
  }

  // TEMP = E_K(RAND xor OPc)
  void temp(ByteView rand, Block& t) const {
    Block in;
    for (int i = 0; i < 16; ++i) in[i] = rand[i] ^ opc[i];
    encrypt(in, t);
    secure_wipe(in.data(), in.size());
  }

  // OUTi for i = 2..5
  void out_i(const Block& t, unsigned r_bits, std::uint8_t c, Block& out) const {
    Block x;
    for (int i = 0; i < 16; ++i) x[i] = t[i] ^ opc[i];
    Block y = rot(x, r_bits);
    y[15] ^= c;
    encrypt(y, out);
    for (int i = 0; i < 16; ++i) out[i] ^= opc[i];
    secure_wipe(x.data(), x.size());
    secure_wipe(y.data(), y.size());
  }
};

Milenage::Milenage(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Milenage::Milenage(Milenage&&) noexcept = default;
Milenage& Milenage::operator=(Milenage&&) noexcept = default;
Milenage::~Milenage() = default;

Result<Milenage> Milenage::create(ByteView k, ByteView opc) {
  UTKIT_TRY(check(k, kKeyLen, "K"));
  UTKIT_TRY(check(opc, kKeyLen, "OPc"));
  auto impl = std::make_unique<Impl>();
  if (mbedtls_aes_setkey_enc(&impl->aes, k.data(), 128) != 0) {
    return Error(Errc::internal, "AES-128 key setup failed");
  }
  std::memcpy(impl->opc.data(), opc.data(), 16);
  return Milenage(std::move(impl));
}

Result<SecretBytes> Milenage::compute_opc(ByteView k, ByteView op) {
  UTKIT_TRY(check(op, kKeyLen, "OP"));
  Block zero{};
  UTKIT_ASSIGN(Milenage m, create(k, ByteView(zero)));
  Block in, out;
  WipeOnExit w{out};
  std::memcpy(in.data(), op.data(), 16);
  m.impl_->encrypt(in, out);
  SecretBytes opc(16);
  for (int i = 0; i < 16; ++i) opc.data()[i] = out[i] ^ op[i];
  return opc;
}

Result<MilenageMacs> Milenage::f1(ByteView rand, ByteView sqn, ByteView amf) const {
  UTKIT_TRY(check(rand, kRandLen, "RAND"));
  UTKIT_TRY(check(sqn, kSqnLen, "SQN"));
  UTKIT_TRY(check(amf, kAmfLen, "AMF"));
  const Impl& d = *impl_;
  Block t, in1, x, out;
  WipeOnExit w1{t}, w2{x}, w3{out};
  d.temp(rand, t);
  std::memcpy(in1.data(), sqn.data(), 6);
  std::memcpy(in1.data() + 6, amf.data(), 2);
  std::memcpy(in1.data() + 8, sqn.data(), 6);
  std::memcpy(in1.data() + 14, amf.data(), 2);
  for (int i = 0; i < 16; ++i) x[i] = in1[i] ^ d.opc[i];
  Block y = rot(x, 64);  // r1 = 64, c1 = 0
  for (int i = 0; i < 16; ++i) y[i] ^= t[i];
  d.encrypt(y, out);
  secure_wipe(y.data(), y.size());
  MilenageMacs macs;
  for (int i = 0; i < 8; ++i) {
    macs.mac_a[i] = out[i] ^ d.opc[i];
    macs.mac_s[i] = out[i + 8] ^ d.opc[i + 8];
  }
  return macs;
}

Result<MilenageKeys> Milenage::f2345(ByteView rand) const {
  UTKIT_TRY(check(rand, kRandLen, "RAND"));
  const Impl& d = *impl_;
  Block t, out;
  WipeOnExit w1{t}, w2{out};
  d.temp(rand, t);
  MilenageKeys keys;
  d.out_i(t, 0, 1, out);  // OUT2
  std::memcpy(keys.ak.data(), out.data(), 6);
  keys.res = SecretBytes(ByteView(out.data() + 8, 8));
  d.out_i(t, 32, 2, out);  // OUT3
  keys.ck = SecretBytes(ByteView(out));
  d.out_i(t, 64, 4, out);  // OUT4
  keys.ik = SecretBytes(ByteView(out));
  return keys;
}

Result<std::array<std::uint8_t, 6>> Milenage::f5star(ByteView rand) const {
  UTKIT_TRY(check(rand, kRandLen, "RAND"));
  Block t, out;
  WipeOnExit w1{t}, w2{out};
  impl_->temp(rand, t);
  impl_->out_i(t, 96, 8, out);  // OUT5
  std::array<std::uint8_t, 6> ak;
  std::memcpy(ak.data(), out.data(), 6);
  return ak;
}

Result<AuthVector> Milenage::generate(ByteView rand, std::uint64_t sqn, ByteView amf) const {
  UTKIT_TRY(check(amf, kAmfLen, "AMF"));
  if (sqn > kSqnMask) return Error(Errc::aka_bad_input, "SQN must fit in 48 bits");
  std::uint8_t sqn_bytes[6];
  put_be48(sqn_bytes, sqn);
  UTKIT_ASSIGN(MilenageMacs macs, f1(rand, ByteView(sqn_bytes, 6), amf));
  UTKIT_ASSIGN(MilenageKeys keys, f2345(rand));
  AuthVector v;
  v.rand = rand.to_bytes();
  v.autn.resize(kAutnLen);
  for (int i = 0; i < 6; ++i) v.autn[i] = sqn_bytes[i] ^ keys.ak[i];
  std::memcpy(v.autn.data() + 6, amf.data(), 2);
  std::memcpy(v.autn.data() + 8, macs.mac_a.data(), 8);
  v.xres = std::move(keys.res);
  v.ck = std::move(keys.ck);
  v.ik = std::move(keys.ik);
  return v;
}

Result<std::uint64_t> Milenage::resync(ByteView rand, ByteView auts) const {
  UTKIT_TRY(check(auts, kAutsLen, "AUTS"));
  UTKIT_ASSIGN(auto ak_star, f5star(rand));
  std::uint8_t sqn_ms[6];
  for (int i = 0; i < 6; ++i) sqn_ms[i] = auts[i] ^ ak_star[i];
  static const std::uint8_t kResyncAmf[2] = {0, 0};
  UTKIT_ASSIGN(MilenageMacs macs, f1(rand, ByteView(sqn_ms, 6), ByteView(kResyncAmf, 2)));
  if (!constant_time_equal(ByteView(macs.mac_s), auts.sub(6, 8))) {
    return Error(Errc::aka_bad_response, "AUTS has a wrong MAC-S: it was not made by this subscriber's USIM");
  }
  return get_be48(sqn_ms);
}

}  // namespace utkit::aka
