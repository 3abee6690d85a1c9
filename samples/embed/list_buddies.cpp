// A minimal app embedding utkit: list the user's buddies over Ut.
//   list_buddies XCAP_ROOT BSF_URL CA_FILE K_HEX OPC_HEX IMSI IMPU
// (a software USIM here; a real app passes an ApduUsim on its card instead).
#include <cstdio>

#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/session.hpp"

int main(int argc, char** argv) {
  using namespace utkit;
  if (argc != 8) {
    std::fprintf(stderr, "usage: list_buddies XCAP_ROOT BSF_URL CA_FILE K OPC IMSI IMPU\n");
    return 2;
  }
  // The USIM: K and OPc in wiping buffers; IMPI and BSF derive from the IMSI.
  aka::SoftUsimConfig usim_cfg;
  usim_cfg.k = secret_from_hex(argv[4], 16, "K").value_or(SecretBytes());
  usim_cfg.opc = secret_from_hex(argv[5], 16, "OPc").value_or(SecretBytes());
  usim_cfg.imsi = argv[6];
  usim_cfg.mnc_length = 2;
  usim_cfg.impus = {argv[7]};
  auto usim = aka::SoftUsim::create(std::move(usim_cfg), nullptr);
  if (!usim) return std::fprintf(stderr, "%s\n", usim.error().describe().c_str()), 1;

  // The platform: TCP, clocks, randomness.
  posix::TcpTransportFactory tcp;
  posix::SystemClock clock;
  auto random = posix::make_system_random();
  if (!random) return std::fprintf(stderr, "%s\n", random.error().describe().c_str()), 1;

  // The session: XCAP root, BSF, trust anchors; the TS 33.141 profile by default.
  ut::UtConfig cfg;
  cfg.xcap_root = argv[1];
  cfg.gba.bsf_url = argv[2];
  cfg.tls.trust.ca_file = argv[3];
  auto session = ut::UtSession::create(std::move(cfg), *usim.value(), ut::Platform{tcp, *random.value(), clock});
  if (!session) return std::fprintf(stderr, "%s\n", session.error().describe().c_str()), 1;

  // One call: bootstrap, TLS, Digest and XCAP happen as needed.
  auto buddies = session.value()->buddies();
  if (!buddies) return std::fprintf(stderr, "%s\n", buddies.error().describe().c_str()), 1;
  for (const auto& b : buddies.value()) std::printf("%s %s\n", b.uri.c_str(), b.display_name.c_str());
  return 0;
}
