// utkit/aka/soft_usim.hpp — a software USIM: Milenage plus the sequence number
// management of TS 33.102 Annex C.
//
// authenticate():
//   1. AK = f5(RAND), SQN = AUTN[0..5] xor AK, XMAC = f1(SQN, RAND, AMF);
//      XMAC != MAC  ->  mac_failure (checked first; nothing else happens).
//   2. SQN = SEQ || IND (IND = the low `ind_bits` bits). Fresh when
//      SEQ > SEQ_MS(IND), and SEQ - SEQ_MS_max <= delta (wrap-around guard),
//      and, if age_limit != 0, SEQ_MS_max - SEQ < age_limit.
//      Not fresh  ->  sync_failure with AUTS = (SQN_MS xor f5*) || f1*(SQN_MS,
//      RAND, AMF=0000), SQN_MS being the highest accepted SQN.
//   3. Fresh -> the new state is persisted *before* RES/CK/IK are released, so
//      a crash or restart cannot make the same vector acceptable twice.
// Thread-safe: concurrent authenticate() calls are serialised, as a card would.
// Process-safe with a shared store: each authenticate() holds the store's
// lock on the state key (KeyValueStore::lock), re-reads the stored state and
// only ever moves it forward, so processes sharing one state file never
// accept the same challenge twice.
#pragma once

#include <memory>
#include "utkit/base/sync.hpp"
#include <string>
#include <vector>

#include "utkit/aka/milenage.hpp"
#include "utkit/aka/usim.hpp"
#include "utkit/base/kv_store.hpp"

namespace utkit::aka {

struct SoftUsimConfig {
  SecretBytes k;    // 16 bytes
  SecretBytes opc;  // 16 bytes (use Milenage::compute_opc when you have OP)

  // Identity. With an IMSI, IMPI and home domain are derived (TS 23.003)
  // unless given here.
  std::string imsi;
  int mnc_length = 0;  // 2 or 3; required with an IMSI
  std::string impi;
  std::vector<std::string> impus;
  std::string home_domain;

  // Annex C parameters.
  unsigned ind_bits = 5;                          // 0..10
  std::uint64_t delta = std::uint64_t{1} << 28;   // max jump forward of SEQ
  std::uint64_t age_limit = 0;                    // L; 0 = no age limit
  // Provisioned SQN_MS, used when no state has been persisted yet: every
  // IND slot starts at its SEQ, so no SQN with SEQ <= SEQ(initial_sqn) is fresh.
  std::uint64_t initial_sqn = 0;

  // Where the SQN state lives in the store.
  std::string state_key = "usim-sqn";
};

class SoftUsim final : public UsimBackend {
 public:
  // `store` keeps the SQN state across restarts and must outlive the USIM.
  // Passing nullptr keeps the state in memory only (a restart then accepts
  // replayed vectors: for tests and demos only). A stored state that cannot
  // be read is an error (aka_state_corrupt), never silently reset.
  static Result<std::unique_ptr<SoftUsim>> create(SoftUsimConfig config, KeyValueStore* store);

  std::string_view name() const override { return "soft"; }
  Result<UsimIdentity> identity() override;
  Result<AkaResult> authenticate(ByteView rand, ByteView autn) override;

  // Highest accepted SQN (SQN_MS).
  std::uint64_t sqn_ms() const;

 private:
  SoftUsim(SoftUsimConfig config, Milenage milenage, KeyValueStore* store);
  Result<void> load_state();
  Result<void> read_state(std::vector<std::uint64_t>& seq, std::uint64_t& max_sqn) const;
  Result<void> sync_state();
  Result<void> save_state(const std::vector<std::uint64_t>& seq, std::uint64_t max_sqn) const;

  SoftUsimConfig config_;
  Milenage milenage_;
  KeyValueStore* store_;
  mutable Mutex mu_;               // guards the SQN state
  std::vector<std::uint64_t> seq_ms_;  // SEQ_MS per IND
  std::uint64_t max_sqn_ = 0;          // SQN_MS, the highest accepted SQN
};

}  // namespace utkit::aka
