// netsim: the local test network as a process — the BSF (with its AuC) and,
// with --cert/--key, the NAF (TLS + GBA Digest) in front of the XCAP server.
// It listens on loopback, writes the ports it got to --ready-file as JSON,
// and runs until SIGINT/SIGTERM.
//
//   netsim --subscribers subs.json [--bsf-listen 127.0.0.1:0] [--bsf-host bsf.example.test]
//          [--lifetime SECONDS] [--naf-listen 127.0.0.1:0] [--naf-host naf.example.test]
//          [--cert PEM --key PEM] [--xcap-dir DIR] [--ready-file FILE]
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "bsf.hpp"
#include "naf.hpp"
#include "xcap_server.hpp"
#include "utkit/posix/system.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int usage() {
  std::fprintf(stderr,
               "usage: netsim --subscribers FILE [--bsf-listen ADDR:PORT] [--bsf-host NAME] [--lifetime S]\n"
               "              [--naf-listen ADDR:PORT] [--naf-host NAME] [--cert PEM --key PEM] [--xcap-dir DIR]\n"
               "              [--ready-file FILE]\n");
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  std::string subs, listen = "127.0.0.1:0", host = "bsf.example.test", ready;
  std::string naf_listen = "127.0.0.1:0", naf_host = "naf.example.test", cert, key, xcap_dir;
  long lifetime = 3600;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    std::string v = argv[++i];
    if (a == "--subscribers") subs = v;
    else if (a == "--bsf-listen") listen = v;
    else if (a == "--bsf-host") host = v;
    else if (a == "--lifetime") lifetime = std::atol(v.c_str());
    else if (a == "--ready-file") ready = v;
    else if (a == "--naf-listen") naf_listen = v;
    else if (a == "--naf-host") naf_host = v;
    else if (a == "--cert") cert = v;
    else if (a == "--key") key = v;
    else if (a == "--xcap-dir") xcap_dir = v;
    else return usage();
  }
  if (subs.empty()) return usage();
  std::ifstream in(subs);
  if (!in) return std::fprintf(stderr, "netsim: cannot read %s\n", subs.c_str()), 1;
  std::stringstream ss;
  ss << in.rdbuf();
  auto auc = netsim::Auc::from_json(ss.str());
  if (!auc) return std::fprintf(stderr, "netsim: %s\n", auc.error().describe().c_str()), 1;

  utkit::posix::SystemClock clock;
  auto random = utkit::posix::make_system_random();
  if (!random) return std::fprintf(stderr, "netsim: %s\n", random.error().describe().c_str()), 1;
  netsim::Bsf::Options o;
  o.host = host;
  o.lifetime = std::chrono::seconds(lifetime);
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return usage();
  o.server.bind_address = listen.substr(0, colon);
  o.server.port = static_cast<std::uint16_t>(std::atoi(listen.c_str() + colon + 1));
  auto bsf = netsim::Bsf::start(o, std::move(auc).value(), clock, *random.value());
  if (!bsf) return std::fprintf(stderr, "netsim: BSF: %s\n", bsf.error().describe().c_str()), 1;

  netsim::XcapServer xcap;
  if (!xcap_dir.empty() && !xcap.persist_to(xcap_dir)) {
    return std::fprintf(stderr, "netsim: cannot use %s for XCAP documents\n", xcap_dir.c_str()), 1;
  }
  std::unique_ptr<netsim::Naf> naf;
  if (!cert.empty()) {
    netsim::Naf::Options no;
    no.host = naf_host;
    auto nc = naf_listen.rfind(':');
    if (nc == std::string::npos) return usage();
    no.server.bind_address = naf_listen.substr(0, nc);
    no.server.port = static_cast<std::uint16_t>(std::atoi(naf_listen.c_str() + nc + 1));
    no.server.cert_file = cert;
    no.server.key_file = key;
    auto n = netsim::Naf::start(no, *bsf.value(), xcap);
    if (!n) return std::fprintf(stderr, "netsim: NAF: %s\n", n.error().describe().c_str()), 1;
    naf = std::move(n).value();
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  nlohmann::json info = {{"bsf", {{"host", host}, {"address", o.server.bind_address}, {"port", bsf.value()->port()}}}};
  if (naf) {
    info["naf"] = {{"host", naf_host}, {"port", naf->port()}, {"xcap_root", "/xcap-root"}};
    std::fprintf(stderr, "netsim: NAF %s (TLS, GBA Digest, XCAP) on port %u\n", naf_host.c_str(), naf->port());
  }
  if (!ready.empty()) {
    std::ofstream(ready + ".tmp") << info.dump() << "\n";
    std::rename((ready + ".tmp").c_str(), ready.c_str());
  }
  std::fprintf(stderr, "netsim: BSF %s on %s:%u\n", host.c_str(), o.server.bind_address.c_str(), bsf.value()->port());
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::fprintf(stderr, "netsim: stopping (%zu bootstraps, %zu resyncs, %zu XCAP changes)\n",
               bsf.value()->bootstraps(), bsf.value()->resyncs(), xcap.changes());
  return 0;
}
