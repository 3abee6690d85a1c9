// netsim::Auc — the network's authentication centre for the local test
// network: a subscriber database (JSON), Milenage vectors with fresh RANDs,
// SQN management (SEQ increments, IND cycles over 32 slots) and
// resynchronisation from an AUTS (TS 33.102 6.3.5). The BSF of tests/netsim
// uses it; `netsim-auc` exposes it on the command line.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "utkit/aka/milenage.hpp"
#include "utkit/base/random.hpp"

namespace netsim {

struct Subscriber {
  std::string impi;
  std::string imsi;
  utkit::SecretBytes k;
  utkit::SecretBytes opc;
  utkit::Bytes amf;        // 2 bytes
  std::uint64_t sqn = 0;   // last SQN handed out
};

class Auc {
 public:
  // {"subscribers": [{"impi", "imsi"?, "k", "opc" | "op", "amf"?, "sqn"?}]}
  static utkit::Result<Auc> from_json(const std::string& text);
  std::string to_json() const;

  Auc() = default;
  Auc(Auc&& o) noexcept : subs_(std::move(o.subs_)) {}

  bool has(const std::string& impi) const;
  // A fresh vector: new RAND, SQN = (SEQ+1) || (IND+1 mod 32).
  utkit::Result<utkit::aka::AuthVector> next_vector(const std::string& impi, utkit::Random& random);
  // Verifies MAC-S and moves the subscriber's SQN to SQN_MS, so the next
  // vector is fresh for the USIM. Returns SQN_MS.
  utkit::Result<std::uint64_t> resync(const std::string& impi, utkit::ByteView rand, utkit::ByteView auts);
  std::uint64_t sqn_of(const std::string& impi) const;
  // Fault injection: the next vector for `impi` reuses an old SQN (the
  // network lost its SQN state), so the USIM reports a sync failure.
  void rewind(const std::string& impi);

 private:
  Subscriber* find(const std::string& impi);
  const Subscriber* find(const std::string& impi) const;
  std::vector<Subscriber> subs_;
  mutable std::mutex mu_;
};

}  // namespace netsim
