// libFuzzer target: the records the SDK reads back from storage, which a
// damaged disk, another program or an attacker with the user's files may have
// changed: the bootstrapping context, the software USIM's SQN state and TLS
// session records. The first byte picks the record type.
#include <cstdint>
#include <string>
#include <string_view>

#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/clock.hpp"
#include "utkit/gba/context.hpp"
#include "utkit/tls/session_cache.hpp"

using namespace utkit;

namespace {

// Answers every get() of a TLS session record with the fuzz input.
struct FuzzedStore final : KeyValueStore {
  ByteView record;
  Result<SecretBytes> get(std::string_view key) override {
    if (key.rfind("tls-session-", 0) == 0) return SecretBytes(record);
    return Error(Errc::storage_not_found, "none");
  }
  Result<void> put(std::string_view, ByteView) override { return success(); }
  Result<void> remove(std::string_view) override { return success(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView rec(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto c = gba::BootstrapContext::parse(rec);
      if (c) (void)c->valid_at(WallTime{} + std::chrono::seconds(1700000000), std::chrono::seconds(60));
      break;
    }
    case 1: {
      MemoryKeyValueStore store;
      (void)store.put("usim-sqn", rec);
      aka::SoftUsimConfig cfg;
      cfg.k = SecretBytes(ByteView::of("0123456789abcdef"));
      cfg.opc = SecretBytes(ByteView::of("fedcba9876543210"));
      cfg.impi = "user@example.test";
      auto usim = aka::SoftUsim::create(std::move(cfg), &store);
      if (usim) {
        const std::uint8_t zero[16] = {};
        (void)usim.value()->authenticate(ByteView(zero, 16), ByteView(zero, 16));
      }
      break;
    }
    default: {
      ManualClock clock(std::chrono::system_clock::time_point{} + std::chrono::seconds(1700000000));
      auto cache = tls::TlsSessionCache::create(clock);
      if (!cache) break;
      FuzzedStore store;
      store.record = rec;
      (void)cache.value()->persist_to(store, SecretBytes(ByteView::of("an integrity key of 32 bytes....")));
      (void)cache.value()->find("xcap.example.test:443:ts33141");
      break;
    }
  }
  return 0;
}
