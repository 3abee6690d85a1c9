#include "utkit/aka/soft_usim.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "utkit/base/encoding.hpp"
#include "../base/lines.hpp"
#include "../base/text.hpp"

namespace utkit::aka {

using namespace std::string_view_literals;
namespace {

// State record, text:
//   utkit-usim-sqn 1
//   ind_bits <n>
//   max <SQN_MS, hex>
//   seq <SEQ_MS(0) hex> <SEQ_MS(1) hex> ... (2^ind_bits values)
constexpr std::string_view kMagic = "utkit-usim-sqn 1";

Error corrupt(const std::string& key, const std::string& why) {
  return make_error(Errc::aka_state_corrupt,
                    "USIM SQN state '{}' is unreadable ({}); refusing to run AKA rather than reset it (a reset would "
                    "accept replayed vectors). Restore it, or delete it knowingly to re-provision",
                    {key, why});
}

bool parse_hex_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 16) return false;
  out = 0;
  for (char c : s) {
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0) return false;
    out = (out << 4) | static_cast<std::uint64_t>(v);
  }
  return true;
}

std::string hex_u64(std::uint64_t v) { return hex_number(v); }

}  // namespace

Result<std::unique_ptr<SoftUsim>> SoftUsim::create(SoftUsimConfig config, KeyValueStore* store) {
  if (config.ind_bits > 10) {
    return make_error(Errc::config_invalid,
                      {"USIM ind_bits must be 0..10 (TS 33.102 Annex C uses 5), got ", Dec(config.ind_bits)});
  }
  if (config.initial_sqn > kSqnMask) return Error(Errc::config_invalid, "USIM initial_sqn must fit in 48 bits");
  if (!config.imsi.empty() && config.impi.empty()) {
    auto impi = impi_from_imsi(config.imsi, config.mnc_length);
    if (!impi) return std::move(impi).error().with_context("software USIM identity");
  }
  if (config.imsi.empty() && config.impi.empty()) {
    return Error(Errc::config_invalid, "software USIM needs an IMSI (with its MNC length) or an IMPI");
  }
  if (store != nullptr && !valid_store_key(config.state_key)) {
    return make_error(Errc::config_invalid, "USIM state_key '{}' is not a valid store key", {config.state_key});
  }
  auto m = Milenage::create(config.k.view(), config.opc.view());
  if (!m) return std::move(m).error().with_context("software USIM keys");
  std::unique_ptr<SoftUsim> usim(new SoftUsim(std::move(config), std::move(m).value(), store));
  UTKIT_TRY(usim->load_state());
  return usim;
}

SoftUsim::SoftUsim(SoftUsimConfig config, Milenage milenage, KeyValueStore* store)
    : config_(std::move(config)), milenage_(std::move(milenage)), store_(store) {}

std::uint64_t SoftUsim::sqn_ms() const {
  ScopedLock lock(mu_);
  return max_sqn_;
}

// Reads the stored state into `seq`/`max_sqn`; storage_not_found when none.
Result<void> SoftUsim::read_state(std::vector<std::uint64_t>& seq, std::uint64_t& max_sqn) const {
  const std::size_t slots = std::size_t{1} << config_.ind_bits;
  auto got = store_->get(config_.state_key);
  if (!got) return std::move(got).error();
  const std::string_view text = got->view().as_string();
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos || text.substr(0, nl) != kMagic) return corrupt(config_.state_key, "unknown format");
  detail::Words in(text.substr(nl + 1));
  std::string_view word, value;
  if (!in.next(word) || word != "ind_bits"sv || !in.next(value)) return corrupt(config_.state_key, "no ind_bits");
  const auto ind_bits = parse_decimal(value, 64);
  if (!ind_bits) return corrupt(config_.state_key, "no ind_bits");
  if (*ind_bits != config_.ind_bits) {
    return make_error(Errc::aka_state_corrupt,
                      "USIM SQN state was written with ind_bits {} but the configuration says {}",
                      {Dec(*ind_bits), Dec(config_.ind_bits)});
  }
  if (!in.next(word) || word != "max"sv || !in.next(value) || !parse_hex_u64(value, max_sqn) || max_sqn > kSqnMask) {
    return corrupt(config_.state_key, "bad 'max' line");
  }
  if (!in.next(word) || word != "seq"sv) return corrupt(config_.state_key, "no 'seq' line");
  seq.assign(slots, 0);
  for (std::size_t i = 0; i < slots; ++i) {
    if (!in.next(value) || !parse_hex_u64(value, seq[i]) || seq[i] > (kSqnMask >> config_.ind_bits)) {
      return corrupt(config_.state_key, cat({"bad SEQ value ", Dec(i)}));
    }
  }
  if (in.next(value)) return corrupt(config_.state_key, "trailing data");
  return success();
}

// Brings the in-memory state up to date with the stored one, under the
// store's lock. The state only moves forward: each SEQ_MS(i) and SQN_MS
// becomes the larger of what this process and the store have seen, so a
// process that loaded an older state can never write it back over a newer one
// (nor accept a challenge another process already used).
Result<void> SoftUsim::sync_state() {
  if (store_ == nullptr) return success();
  std::vector<std::uint64_t> seq;
  std::uint64_t max_sqn = 0;
  auto r = read_state(seq, max_sqn);
  if (!r) {
    if (r.error().code() != Errc::storage_not_found) return std::move(r).error().with_context("loading USIM SQN state");
    return save_state(seq_ms_, max_sqn_);  // first use, or removed while running: write what we know
  }
  for (std::size_t i = 0; i < seq_ms_.size(); ++i) seq_ms_[i] = std::max(seq_ms_[i], seq[i]);
  max_sqn_ = std::max(max_sqn_, max_sqn);
  return success();
}

Result<void> SoftUsim::load_state() {
  const std::size_t slots = std::size_t{1} << config_.ind_bits;
  // Provisioning: every slot starts at SEQ(initial_sqn), so nothing at or
  // below the provisioned SQN is fresh.
  max_sqn_ = config_.initial_sqn;
  seq_ms_.assign(slots, max_sqn_ >> config_.ind_bits);
  if (store_ == nullptr) return success();
  UTKIT_ASSIGN(auto held, store_->lock(config_.state_key));
  return sync_state();
}

Result<void> SoftUsim::save_state(const std::vector<std::uint64_t>& seq, std::uint64_t max_sqn) const {
  if (store_ == nullptr) return success();
  std::string s(kMagic);
  cat_append(s, {"\nind_bits ", Dec(config_.ind_bits), "\nmax ", hex_u64(max_sqn), "\nseq"});
  for (auto v : seq) cat_append(s, {" ", hex_u64(v)});
  s += "\n";
  auto r = store_->put(config_.state_key, ByteView::of(s));
  if (!r) return std::move(r).error().with_context("saving USIM SQN state");
  return success();
}

Result<UsimIdentity> SoftUsim::identity() {
  UsimIdentity id;
  id.imsi = config_.imsi;
  id.mnc_length = config_.mnc_length;
  id.impus = config_.impus;
  id.impi = config_.impi;
  id.home_domain = config_.home_domain;
  if (id.impi.empty()) {
    UTKIT_ASSIGN(id.impi, impi_from_imsi(id.imsi, id.mnc_length));
  }
  if (id.home_domain.empty()) {
    if (!id.imsi.empty()) {
      UTKIT_ASSIGN(id.home_domain, home_domain_from_imsi(id.imsi, id.mnc_length));
    } else if (auto at = id.impi.find('@'); at != std::string::npos) {
      id.home_domain = id.impi.substr(at + 1);
    }
  }
  return id;
}

Result<AkaResult> SoftUsim::authenticate(ByteView rand, ByteView autn) {
  if (rand.size() != kRandLen || autn.size() != kAutnLen) {
    return make_error(Errc::aka_bad_input, "RAND and AUTN must be 16 bytes each, got {} and {}",
                      {Dec(rand.size()), Dec(autn.size())});
  }
  ScopedLock lock(mu_);
  // Read, check and write the SQN state under the store's lock, re-reading it
  // first: another process sharing the store may have accepted SQNs since.
  std::unique_ptr<StoreLock> held;
  if (store_ != nullptr) {
    auto l = store_->lock(config_.state_key);
    if (!l) return std::move(l).error().with_context("locking the USIM SQN state");
    held = std::move(l).value();
    UTKIT_TRY(sync_state());
  }
  UTKIT_ASSIGN(MilenageKeys keys, milenage_.f2345(rand));

  // 1. Authenticity first: XMAC = f1(K, SQN, RAND, AMF) with SQN = (SQN xor AK) xor AK.
  std::uint8_t sqn_bytes[6];
  for (int i = 0; i < 6; ++i) sqn_bytes[i] = autn[i] ^ keys.ak[i];
  UTKIT_ASSIGN(MilenageMacs macs, milenage_.f1(rand, ByteView(sqn_bytes, 6), autn.sub(6, 2)));
  if (!constant_time_equal(ByteView(macs.mac_a), autn.sub(8, 8))) {
    return AkaResult::mac_failure();
  }

  // 2. Freshness (TS 33.102 C.2.2).
  const std::uint64_t sqn = get_be48(sqn_bytes);
  const std::uint64_t ind_mask = (std::uint64_t{1} << config_.ind_bits) - 1;
  const std::uint64_t seq = sqn >> config_.ind_bits;
  const std::size_t ind = static_cast<std::size_t>(sqn & ind_mask);
  const std::uint64_t seq_max = max_sqn_ >> config_.ind_bits;
  bool fresh = seq > seq_ms_[ind];
  if (fresh && seq > seq_max && seq - seq_max > config_.delta) fresh = false;
  if (fresh && config_.age_limit != 0 && seq < seq_max && seq_max - seq >= config_.age_limit) fresh = false;

  if (!fresh) {
    // AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S = f1*(K, SQN_MS, RAND, AMF = 0000)  (TS 33.102 6.3.3)
    UTKIT_ASSIGN(auto ak_star, milenage_.f5star(rand));
    std::uint8_t sqn_ms[6];
    put_be48(sqn_ms, max_sqn_);
    static const std::uint8_t kResyncAmf[2] = {0, 0};
    UTKIT_ASSIGN(MilenageMacs resync, milenage_.f1(rand, ByteView(sqn_ms, 6), ByteView(kResyncAmf, 2)));
    AkaResult r;
    r.status = AkaStatus::sync_failure;
    r.auts.resize(kAutsLen);
    for (int i = 0; i < 6; ++i) r.auts[i] = sqn_ms[i] ^ ak_star[i];
    std::memcpy(r.auts.data() + 6, resync.mac_s.data(), 8);
    return r;
  }

  // 3. Accept: persist first, then release RES/CK/IK.
  std::vector<std::uint64_t> next = seq_ms_;
  next[ind] = seq;
  const std::uint64_t next_max = std::max(max_sqn_, sqn);
  UTKIT_TRY(save_state(next, next_max));
  seq_ms_ = std::move(next);
  max_sqn_ = next_max;

  AkaResult r;
  r.status = AkaStatus::success;
  r.res = std::move(keys.res);
  r.ck = std::move(keys.ck);
  r.ik = std::move(keys.ik);
  return r;
}

}  // namespace utkit::aka
