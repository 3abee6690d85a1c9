// Links the installed SDK and runs one AKA with the software USIM: proves the
// installed headers, libraries and package config are complete.
#include <cstdio>

#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/posix/system.hpp"

int main() {
  using namespace utkit;
  auto k = secret_from_hex("465b5ce8b199b49faa5f0a2ee238a6bc", 16, "K");
  auto opc = secret_from_hex("cd63cb71954a9f4e48a5994e37a02baf", 16, "OPc");
  if (!k || !opc) return 1;
  aka::SoftUsimConfig c;
  c.k = std::move(k).value();
  c.opc = std::move(opc).value();
  c.imsi = "001010123456789";
  c.mnc_length = 2;
  c.initial_sqn = ((0xff9bb4d0b607ULL >> 5) - 1) << 5;
  auto usim = aka::SoftUsim::create(std::move(c), nullptr);
  if (!usim) {
    std::fprintf(stderr, "%s\n", usim.error().describe().c_str());
    return 1;
  }
  auto rand = from_hex("23553cbe9637a89d218ae64dae47bf35");
  auto autn = from_hex("55f328b43577b9b94a9ffac354dfafb3");
  auto r = usim.value()->authenticate(ByteView(rand.value()), ByteView(autn.value()));
  if (!r || r->status != aka::AkaStatus::success) return 1;
  auto random = posix::make_system_random();
  if (!random) return 1;
  std::printf("consumer: AKA %s, RES is %zu bytes, random ok\n", aka::to_string(r->status), r->res.size());
  return 0;
}
