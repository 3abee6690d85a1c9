#include <doctest/doctest.h>

#include <cstdlib>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/posix/system.hpp"

using namespace utkit;
using namespace utkit::aka;
using testsupport::hex;
using testsupport::hex_of;

namespace {

// TS 35.208 set 1 (vectors/milenage.txt)
const char* kK1 = "465b5ce8b199b49faa5f0a2ee238a6bc";
const char* kOpc1 = "cd63cb71954a9f4e48a5994e37a02baf";
const char* kRand1 = "23553cbe9637a89d218ae64dae47bf35";
const std::uint64_t kSqn1 = 0xff9bb4d0b607;
const char* kAmf1 = "b9b9";

SoftUsimConfig config1() {
  SoftUsimConfig c;
  c.k = SecretBytes(ByteView(hex(kK1)));
  c.opc = SecretBytes(ByteView(hex(kOpc1)));
  c.imsi = "001010123456789";
  c.mnc_length = 2;
  // Provisioned so that the set-1 SQN is the next fresh one (within delta).
  c.initial_sqn = ((kSqn1 >> 5) - 1) << 5;
  return c;
}

Milenage network1() { return Milenage::create(ByteView(hex(kK1)), ByteView(hex(kOpc1))).value(); }

Bytes autn_for(const Milenage& m, ByteView rand, std::uint64_t sqn, const char* amf = kAmf1) {
  return m.generate(rand, sqn, ByteView(hex(amf))).value().autn;
}

Bytes rand_n(int n) {
  Bytes r(16, 0);
  r[0] = static_cast<std::uint8_t>(n);
  r[15] = static_cast<std::uint8_t>(n * 3 + 1);
  return r;
}

void rm_rf(const std::string& dir) {
  const std::string cmd = "rm -rf '" + dir + "'";
  CHECK(std::system(cmd.c_str()) == 0);
}

std::unique_ptr<SoftUsim> make(SoftUsimConfig c, KeyValueStore* store) {
  auto u = SoftUsim::create(std::move(c), store);
  REQUIRE_MESSAGE(u.ok(), (u.ok() ? "" : u.error().describe()));
  return std::move(u).value();
}

// A store whose writes fail on demand.
struct FlakyStore final : KeyValueStore {
  Result<SecretBytes> get(std::string_view k) override { return inner.get(k); }
  Result<void> put(std::string_view k, ByteView v) override {
    if (fail_puts) return Error(Errc::storage_io, "disk full");
    return inner.put(k, v);
  }
  Result<void> remove(std::string_view k) override { return inner.remove(k); }
  MemoryKeyValueStore inner;
  bool fail_puts = false;
};

std::string temp_dir() {
  char tmpl[] = "/tmp/utkit-test-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}

}  // namespace

TEST_CASE("soft usim: set 1 AUTN gives the published RES, CK, IK") {
  MemoryKeyValueStore store;
  auto usim = make(config1(), &store);
  auto gba = testsupport::read_keyed("gba.txt");
  auto r = usim->authenticate(ByteView(hex(kRand1)), ByteView(hex(gba.at("autn"))));
  REQUIRE(r.ok());
  REQUIRE(r->status == AkaStatus::success);
  CHECK(hex_of(r->res.view()) == gba.at("res"));
  CHECK(hex_of(r->ck.view()) == gba.at("ck"));
  CHECK(hex_of(r->ik.view()) == gba.at("ik"));
  CHECK(r->auts.empty());
  CHECK(usim->sqn_ms() == kSqn1);
}

TEST_CASE("soft usim: a tampered MAC gives mac_failure, no RES, and consumes nothing") {
  MemoryKeyValueStore store;
  auto usim = make(config1(), &store);
  Bytes autn = hex(testsupport::read_keyed("gba.txt").at("autn"));
  for (std::size_t byte : {8u, 15u, 0u, 6u}) {  // MAC, SQN^AK and AMF are all covered by MAC-A
    Bytes bad = autn;
    bad[byte] ^= 0x01;
    auto r = usim->authenticate(ByteView(hex(kRand1)), ByteView(bad));
    REQUIRE(r.ok());
    CHECK(r->status == AkaStatus::mac_failure);
    CHECK(r->res.empty());
    CHECK(r->ck.empty());
    CHECK(r->ik.empty());
    CHECK(r->auts.empty());
  }
  // The genuine vector is still fresh.
  auto ok = usim->authenticate(ByteView(hex(kRand1)), ByteView(autn));
  REQUIRE(ok.ok());
  CHECK(ok->status == AkaStatus::success);
}

TEST_CASE("soft usim: a replayed vector gives an AUTS the network verifies") {
  MemoryKeyValueStore store;
  auto usim = make(config1(), &store);
  Milenage net = network1();
  Bytes autn = hex(testsupport::read_keyed("gba.txt").at("autn"));
  REQUIRE(usim->authenticate(ByteView(hex(kRand1)), ByteView(autn))->status == AkaStatus::success);

  auto again = usim->authenticate(ByteView(hex(kRand1)), ByteView(autn));
  REQUIRE(again.ok());
  REQUIRE(again->status == AkaStatus::sync_failure);
  CHECK(again->res.empty());
  REQUIRE(again->auts.size() == 14);
  auto sqn_ms = net.resync(ByteView(hex(kRand1)), ByteView(again->auts));
  REQUIRE(sqn_ms.ok());
  CHECK(sqn_ms.value() == kSqn1);

  // After resync the network continues above SQN_MS: accepted.
  Bytes rand = rand_n(9);
  auto next = usim->authenticate(ByteView(rand), ByteView(autn_for(net, ByteView(rand), sqn_ms.value() + 32)));
  REQUIRE(next.ok());
  CHECK(next->status == AkaStatus::success);
}

TEST_CASE("soft usim: published AUTS for SQN_MS = 0x1f (vectors/milenage.txt)") {
  SoftUsimConfig c;
  Bytes k = hex("000102030405060708090a0b0c0d0e0f");
  c.k = SecretBytes(ByteView(k));
  c.opc = SecretBytes(ByteView(k));
  c.impi = "user@ims.example.test";
  c.initial_sqn = 0x1f;
  auto usim = make(std::move(c), nullptr);
  Bytes rand(16, 0);
  // SQN 0x1f again: not fresh -> AUTS from SQN_MS 0x1f
  Milenage net = Milenage::create(ByteView(k), ByteView(k)).value();
  auto r = usim->authenticate(ByteView(rand), ByteView(autn_for(net, ByteView(rand), 0x1f, "0000")));
  REQUIRE(r.ok());
  REQUIRE(r->status == AkaStatus::sync_failure);
  CHECK(hex_of(ByteView(r->auts)) == "8711a0ec9e1637df17f80b384ee4");
  // The network's SQN 0x22 (AUTN from the vector file) is fresh.
  auto ok = usim->authenticate(ByteView(rand), ByteView(hex("ec9320c2c2120000c8b7de2a3449f1bd")));
  REQUIRE(ok.ok());
  REQUIRE(ok->status == AkaStatus::success);
  CHECK(hex_of(ok->res.view()) == "e9fc88ccc8a35381");
}

TEST_CASE("soft usim: IND slots, delta and age limit (TS 33.102 Annex C)") {
  Milenage net = network1();
  auto cfg = [] {
    SoftUsimConfig c = config1();
    c.initial_sqn = 0;
    c.delta = 1000;
    c.age_limit = 50;
    return c;
  };
  auto usim = make(cfg(), nullptr);
  auto run = [&](std::uint64_t seq, std::uint64_t ind, int n) {
    Bytes rand = rand_n(n);
    auto r = usim->authenticate(ByteView(rand), ByteView(autn_for(net, ByteView(rand), (seq << 5) | ind)));
    REQUIRE(r.ok());
    return r->status;
  };
  CHECK(run(100, 1, 1) == AkaStatus::success);
  CHECK(run(99, 2, 2) == AkaStatus::success);       // older SEQ, other slot: fine
  CHECK(run(99, 1, 3) == AkaStatus::sync_failure);  // slot 1 already at 100
  CHECK(run(100, 1, 4) == AkaStatus::sync_failure); // exact replay
  CHECK(run(40, 3, 5) == AkaStatus::sync_failure);  // 100 - 40 >= age limit 50
  CHECK(run(60, 3, 6) == AkaStatus::success);       // within the age limit
  CHECK(run(1101, 4, 7) == AkaStatus::sync_failure);  // jump of 1001 > delta
  CHECK(run(1100, 4, 8) == AkaStatus::success);     // jump of exactly delta
  CHECK(usim->sqn_ms() == ((1100u << 5) | 4u));
}

TEST_CASE("soft usim: SQN state survives a restart (file store)") {
  std::string dir = temp_dir();
  Milenage net = network1();
  Bytes autn = hex(testsupport::read_keyed("gba.txt").at("autn"));
  {
    auto store = posix::FileKeyValueStore::open(dir);
    REQUIRE(store.ok());
    auto usim = make(config1(), store->get());
    REQUIRE(usim->authenticate(ByteView(hex(kRand1)), ByteView(autn))->status == AkaStatus::success);
  }
  {
    auto store = posix::FileKeyValueStore::open(dir);
    REQUIRE(store.ok());
    auto usim = make(config1(), store->get());  // a "restarted" USIM
    CHECK(usim->sqn_ms() == kSqn1);
    auto replay = usim->authenticate(ByteView(hex(kRand1)), ByteView(autn));
    REQUIRE(replay.ok());
    CHECK(replay->status == AkaStatus::sync_failure);
  }
  rm_rf(dir);
}

// Several processes (each its own SoftUsim, as separate utcli runs would be)
// share one state file and authenticate the same challenges concurrently.
// Each challenge may be accepted at most once in all, and afterwards every one
// of them, replayed, must be refused.
TEST_CASE("soft usim: processes sharing a state file never accept a challenge twice") {
  const std::string dir = temp_dir();
  Milenage net = network1();
  const SoftUsimConfig base = config1();
  const std::uint64_t seq0 = (base.initial_sqn >> 5) + 1;
  constexpr int kChallenges = 48, kProcs = 4;
  std::vector<Bytes> rands, autns;
  std::uint64_t highest = 0;
  for (int j = 0; j < kChallenges; ++j) {
    const std::uint64_t sqn = ((seq0 + static_cast<std::uint64_t>(j)) << 5) | static_cast<std::uint64_t>(j % 32);
    highest = std::max(highest, sqn);
    rands.push_back(rand_n(j + 1));
    autns.push_back(autn_for(net, ByteView(rands.back()), sqn));
  }
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto store = posix::FileKeyValueStore::open(dir);
      if (!store.ok()) ::_exit(10);
      SoftUsimConfig c = config1();
      auto usim = SoftUsim::create(std::move(c), store->get());
      if (!usim.ok()) ::_exit(11);
      // Every process walks all challenges, each from its own starting point.
      for (int k = 0; k < kChallenges; ++k) {
        const int j = (k + p * 7) % kChallenges;
        auto r = usim.value()->authenticate(ByteView(rands[static_cast<std::size_t>(j)]),
                                            ByteView(autns[static_cast<std::size_t>(j)]));
        if (!r.ok()) ::_exit(12);
        if (r->status == AkaStatus::success) {
          const unsigned char b = static_cast<unsigned char>(j);
          if (::write(fds[1], &b, 1) != 1) ::_exit(13);
        }
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  ::close(fds[1]);
  std::vector<int> accepted(kChallenges, 0);
  unsigned char b;
  while (::read(fds[0], &b, 1) == 1) ++accepted[b];
  ::close(fds[0]);
  for (pid_t k : kids) {
    int st = 0;
    REQUIRE(::waitpid(k, &st, 0) == k);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
  }
  int total = 0;
  for (int j = 0; j < kChallenges; ++j) {
    INFO("challenge " << j);
    CHECK(accepted[static_cast<std::size_t>(j)] <= 1);
    total += accepted[static_cast<std::size_t>(j)];
  }
  CHECK(total > 0);

  // A later process: every challenge, replayed, is refused; SQN_MS is the
  // highest SQN that any process accepted.
  auto store = posix::FileKeyValueStore::open(dir);
  REQUIRE(store.ok());
  auto usim = make(config1(), store->get());
  CHECK(usim->sqn_ms() == highest);
  for (int j = 0; j < kChallenges; ++j) {
    INFO("replay of challenge " << j);
    auto r = usim->authenticate(ByteView(rands[static_cast<std::size_t>(j)]), ByteView(autns[static_cast<std::size_t>(j)]));
    REQUIRE(r.ok());
    CHECK(r->status == AkaStatus::sync_failure);
  }
  rm_rf(dir);
}

TEST_CASE("file store: lock() excludes other processes") {
  const std::string dir = temp_dir();
  auto s = posix::FileKeyValueStore::open(dir);
  REQUIRE(s.ok());
  auto held = s.value()->lock("usim-sqn");
  REQUIRE(held.ok());
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto store = posix::FileKeyValueStore::open(dir);
    if (!store.ok()) ::_exit(10);
    auto l = store.value()->lock("usim-sqn");  // waits for the parent
    const char c = l.ok() ? 'L' : 'E';
    if (::write(fds[1], &c, 1) != 1) ::_exit(11);
    ::_exit(0);
  }
  ::close(fds[1]);
  pollfd pfd{fds[0], POLLIN, 0};
  CHECK(::poll(&pfd, 1, 300) == 0);  // the child is still waiting for the lock
  held.value().reset();               // release
  char c = 0;
  CHECK(::read(fds[0], &c, 1) == 1);
  CHECK(c == 'L');
  ::close(fds[0]);
  int st = 0;
  REQUIRE(::waitpid(pid, &st, 0) == pid);
  rm_rf(dir);
}

TEST_CASE("soft usim: the state is saved before RES is released") {
  FlakyStore store;
  auto usim = make(config1(), &store);
  Bytes autn = hex(testsupport::read_keyed("gba.txt").at("autn"));
  store.fail_puts = true;
  auto r = usim->authenticate(ByteView(hex(kRand1)), ByteView(autn));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::storage_io);
  CHECK(r.error().message().find("saving USIM SQN state") != std::string::npos);
  CHECK(usim->sqn_ms() != kSqn1);  // nothing accepted
  store.fail_puts = false;
  CHECK(usim->authenticate(ByteView(hex(kRand1)), ByteView(autn))->status == AkaStatus::success);
}

TEST_CASE("soft usim: unreadable state is refused, never reset") {
  MemoryKeyValueStore store;
  REQUIRE(store.put("usim-sqn", ByteView::of("garbage")).ok());
  auto u = SoftUsim::create(config1(), &store);
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().code() == Errc::aka_state_corrupt);
  CHECK(u.error().message().find("refusing") != std::string::npos);

  REQUIRE(store.put("usim-sqn", ByteView::of("utkit-usim-sqn 1\nind_bits 4\nmax 0\nseq")).ok());
  auto u2 = SoftUsim::create(config1(), &store);
  REQUIRE_FALSE(u2.ok());
  CHECK(u2.error().message().find("ind_bits 4") != std::string::npos);

  std::string truncated = "utkit-usim-sqn 1\nind_bits 5\nmax 1f\nseq 0 0 0";
  REQUIRE(store.put("usim-sqn", ByteView::of(truncated)).ok());
  CHECK(SoftUsim::create(config1(), &store).error().code() == Errc::aka_state_corrupt);
}

TEST_CASE("soft usim: configuration errors") {
  SoftUsimConfig c = config1();
  c.ind_bits = 11;
  CHECK(SoftUsim::create(std::move(c), nullptr).error().code() == Errc::config_invalid);
  SoftUsimConfig c2 = config1();
  c2.k = SecretBytes(ByteView(hex("0011")));
  auto r2 = SoftUsim::create(std::move(c2), nullptr);
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().message().find("K must be 16 bytes") != std::string::npos);
  SoftUsimConfig c3 = config1();
  c3.mnc_length = 0;
  auto r3 = SoftUsim::create(std::move(c3), nullptr);
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.error().message().find("MNC length") != std::string::npos);
  SoftUsimConfig c4 = config1();
  c4.imsi.clear();
  CHECK(SoftUsim::create(std::move(c4), nullptr).error().code() == Errc::config_invalid);
  auto usim = make(config1(), nullptr);
  auto bad = usim->authenticate(ByteView(Bytes(16)), ByteView(Bytes(15)));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == Errc::aka_bad_input);
}

TEST_CASE("identity: IMPI and home domain from the IMSI (TS 23.003)") {
  auto usim = make(config1(), nullptr);
  auto id = usim->identity();
  REQUIRE(id.ok());
  CHECK(id->impi == testsupport::read_keyed("gba.txt").at("impi"));
  CHECK(id->home_domain == "ims.mnc001.mcc001.3gppnetwork.org");
  CHECK(impi_from_imsi("310150123456789", 3).value() == "310150123456789@ims.mnc150.mcc310.3gppnetwork.org");
  CHECK(impi_from_imsi("234150999999999", 2).value() == "234150999999999@ims.mnc015.mcc234.3gppnetwork.org");
  CHECK(impi_from_imsi("23415099999999x", 2).error().code() == Errc::aka_no_identity);
  CHECK(impi_from_imsi("12345", 2).error().code() == Errc::aka_no_identity);
  CHECK(impi_from_imsi("234150999999999", 0).error().code() == Errc::aka_no_identity);
}
