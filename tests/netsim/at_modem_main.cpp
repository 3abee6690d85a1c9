// at-modem: an emulated cellular modem as a process, for utcli's AT+CSIM
// backend. It opens a pseudo-terminal, writes its path to --ready-file, and
// answers AT commands on it from an emulated UICC (a VirtualCard whose AKA is
// a software USIM with the given K and OPc), until SIGINT/SIGTERM.
//   at-modem --k HEX --opc HEX --imsi DIGITS [--mnc-length 2] --ready-file FILE
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "at_modem.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "virtual_card.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  std::string k, opc, imsi, ready;
  int mnc_length = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--k") k = v;
    else if (a == "--opc") opc = v;
    else if (a == "--imsi") imsi = v;
    else if (a == "--mnc-length") mnc_length = std::atoi(v.c_str());
    else if (a == "--ready-file") ready = v;
  }
  if (k.empty() || opc.empty() || imsi.empty() || ready.empty()) {
    std::fprintf(stderr, "usage: at-modem --k HEX --opc HEX --imsi DIGITS [--mnc-length N] --ready-file FILE\n");
    return 2;
  }
  utkit::aka::SoftUsimConfig sc;
  auto kb = utkit::secret_from_hex(k, 16, "K");
  auto ob = utkit::secret_from_hex(opc, 16, "OPc");
  if (!kb || !ob) return std::fprintf(stderr, "at-modem: bad K or OPc\n"), 2;
  sc.k = std::move(kb).value();
  sc.opc = std::move(ob).value();
  sc.imsi = imsi;
  sc.mnc_length = mnc_length;
  auto usim = utkit::aka::SoftUsim::create(std::move(sc), nullptr);
  if (!usim) return std::fprintf(stderr, "at-modem: %s\n", usim.error().describe().c_str()), 1;
  testsupport::VirtualCard::Options co;
  co.imsi = imsi;
  co.mnc_length = mnc_length;
  testsupport::VirtualCard card(co, usim.value().get());
  testsupport::EmulatedModem modem(card);
  if (!modem.ok()) return std::fprintf(stderr, "at-modem: no pseudo-terminal\n"), 1;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  {
    std::ofstream(ready + ".tmp") << modem.path() << "\n";
    std::rename((ready + ".tmp").c_str(), ready.c_str());
  }
  std::fprintf(stderr, "at-modem: AT port %s (IMSI %s)\n", modem.path().c_str(), imsi.c_str());
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::fprintf(stderr, "at-modem: stopping after %d AT+CSIM commands\n", modem.csim_commands());
  return 0;
}
