// netsim-auc: the local network's AuC on the command line.
//   netsim-auc --db FILE vector IMPI            -> {"rand": hex, "autn": hex, "sqn": hex}
//   netsim-auc --db FILE resync IMPI RAND AUTS  -> {"sqn_ms": hex}
// The database file is updated with the new SQN after each call.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "auc.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/posix/system.hpp"

namespace {
int fail(const std::string& m) {
  std::fprintf(stderr, "netsim-auc: %s\n", m.c_str());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[1]) != "--db") {
    std::fprintf(stderr, "usage: netsim-auc --db FILE vector IMPI | resync IMPI RAND AUTS\n");
    return 2;
  }
  const std::string db = argv[2], cmd = argv[3], impi = argv[4];
  std::ifstream in(db);
  if (!in) return fail("cannot read " + db);
  std::stringstream ss;
  ss << in.rdbuf();
  auto auc = netsim::Auc::from_json(ss.str());
  if (!auc) return fail(auc.error().describe());
  std::string out;
  if (cmd == "vector") {
    auto rnd = utkit::posix::make_system_random();
    if (!rnd) return fail(rnd.error().describe());
    auto v = auc->next_vector(impi, *rnd.value());
    if (!v) return fail(v.error().describe());
    char sqn[16];
    std::snprintf(sqn, sizeof sqn, "%012" PRIx64, auc->sqn_of(impi));
    out = "{\"rand\": \"" + utkit::to_hex(utkit::ByteView(v->rand)) + "\", \"autn\": \"" +
          utkit::to_hex(utkit::ByteView(v->autn)) + "\", \"sqn\": \"" + sqn + "\"}";
  } else if (cmd == "resync" && argc == 7) {
    auto rand = utkit::from_hex(argv[5]);
    auto auts = utkit::from_hex(argv[6]);
    if (!rand || !auts) return fail("RAND and AUTS must be hex");
    auto sqn_ms = auc->resync(impi, utkit::ByteView(rand.value()), utkit::ByteView(auts.value()));
    if (!sqn_ms) return fail(sqn_ms.error().describe());
    char sqn[16];
    std::snprintf(sqn, sizeof sqn, "%012" PRIx64, sqn_ms.value());
    out = std::string("{\"sqn_ms\": \"") + sqn + "\"}";
  } else {
    return fail("unknown command '" + cmd + "'");
  }
  std::ofstream(db) << auc->to_json();
  std::printf("%s\n", out.c_str());
  return 0;
}
