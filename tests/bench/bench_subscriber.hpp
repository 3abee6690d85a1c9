// The benchmarks' test subscriber, once: the AuC record netsim's BSF is
// given and the handset's software USIM with the same K and OPc.
#pragma once

#include <memory>

#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"

namespace bench {

inline constexpr const char* kAuc = R"({"subscribers":[{"impi":"001010000000001@ims.mnc001.mcc001.3gppnetwork.org",
  "k":"465b5ce8b199b49faa5f0a2ee238a6bc","opc":"cd63cb71954a9f4e48a5994e37a02baf","amf":"8000"}]})";

inline std::unique_ptr<utkit::aka::SoftUsim> make_usim() {
  utkit::aka::SoftUsimConfig uc;
  uc.k = utkit::secret_from_hex("465b5ce8b199b49faa5f0a2ee238a6bc").value();
  uc.opc = utkit::secret_from_hex("cd63cb71954a9f4e48a5994e37a02baf").value();
  uc.imsi = "001010000000001";
  uc.mnc_length = 2;
  uc.impus = {"sip:alice@example.test"};
  return utkit::aka::SoftUsim::create(std::move(uc), nullptr).value();
}

}  // namespace bench
