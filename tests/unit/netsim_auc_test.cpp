// The local network's AuC against the software USIM: the two sides of AKA,
// written independently, must agree over many runs, resyncs included.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "auc.hpp"
#include "http_server.hpp"
#include "utkit/http/digest.hpp"
#include "support.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/posix/system.hpp"

using namespace utkit;
using namespace utkit::aka;
using testsupport::hex;

namespace {
const char* kDb = R"({"subscribers": [
  {"impi": "001010000000001@ims.mnc001.mcc001.3gppnetwork.org", "imsi": "001010000000001",
   "k": "465b5ce8b199b49faa5f0a2ee238a6bc", "op": "cdc202d5123e20f62b6d676ac72cb318", "amf": "8000"}]})";
const std::string kImpi = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";

std::unique_ptr<SoftUsim> usim(std::uint64_t initial_sqn, KeyValueStore* store) {
  SoftUsimConfig c;
  c.k = SecretBytes(ByteView(hex("465b5ce8b199b49faa5f0a2ee238a6bc")));
  c.opc = SecretBytes(ByteView(hex("cd63cb71954a9f4e48a5994e37a02baf")));  // OPc of set 1's OP
  c.imsi = "001010000000001";
  c.mnc_length = 2;
  c.initial_sqn = initial_sqn;
  return SoftUsim::create(std::move(c), store).value();
}
}  // namespace

TEST_CASE("netsim auc + soft usim: 100 authentications in a row agree") {
  auto auc = netsim::Auc::from_json(kDb);
  REQUIRE_MESSAGE(auc.ok(), auc.error().describe());
  auto rnd = posix::make_system_random().value();
  MemoryKeyValueStore store;
  auto u = usim(0, &store);
  for (int i = 0; i < 100; ++i) {
    auto v = auc->next_vector(kImpi, *rnd);
    REQUIRE(v.ok());
    auto r = u->authenticate(ByteView(v->rand), ByteView(v->autn));
    REQUIRE(r.ok());
    REQUIRE(r->status == AkaStatus::success);
    CHECK(constant_time_equal(r->res.view(), v->xres.view()));
    CHECK(constant_time_equal(r->ck.view(), v->ck.view()));
    CHECK(constant_time_equal(r->ik.view(), v->ik.view()));
  }
  CHECK(u->sqn_ms() == auc->sqn_of(kImpi));
}

TEST_CASE("netsim auc + soft usim: a USIM ahead of the network resynchronises once") {
  auto auc = netsim::Auc::from_json(kDb);
  REQUIRE(auc.ok());
  auto rnd = posix::make_system_random().value();
  auto u = usim(std::uint64_t{5000} << 5, nullptr);  // the USIM has seen far newer vectors
  auto v = auc->next_vector(kImpi, *rnd);
  auto r = u->authenticate(ByteView(v->rand), ByteView(v->autn));
  REQUIRE(r->status == AkaStatus::sync_failure);
  auto sqn_ms = auc->resync(kImpi, ByteView(v->rand), ByteView(r->auts));
  REQUIRE(sqn_ms.ok());
  CHECK(sqn_ms.value() == (std::uint64_t{5000} << 5));
  auto v2 = auc->next_vector(kImpi, *rnd);
  auto r2 = u->authenticate(ByteView(v2->rand), ByteView(v2->autn));
  REQUIRE(r2->status == AkaStatus::success);
  CHECK(constant_time_equal(r2->res.view(), v2->xres.view()));

  // An AUTS with a wrong MAC-S does not move the network's SQN.
  Bytes bad = r->auts;
  bad[13] ^= 1;
  auto before = auc->sqn_of(kImpi);
  CHECK_FALSE(auc->resync(kImpi, ByteView(v->rand), ByteView(bad)).ok());
  CHECK(auc->sqn_of(kImpi) == before);
}

TEST_CASE("netsim auc: database round trip and errors") {
  auto auc = netsim::Auc::from_json(kDb);
  REQUIRE(auc.ok());
  auto rnd = posix::make_system_random().value();
  REQUIRE(auc->next_vector(kImpi, *rnd).ok());
  auto again = netsim::Auc::from_json(auc->to_json());
  REQUIRE(again.ok());
  CHECK(again->sqn_of(kImpi) == auc->sqn_of(kImpi));
  CHECK_FALSE(auc->next_vector("nobody@example.test", *rnd).ok());
  CHECK(netsim::Auc::from_json("{").error().code() == Errc::config_invalid);
  auto e = netsim::Auc::from_json(R"({"subscribers":[{"impi":"a","k":"00"}]})");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message().find("subscribers[0].k") != std::string::npos);
}

// netsim's Digest guard is as strict as a real server: one answer per nonce
// count, however many arrive at once, and the same count written another
// way is the same count.
TEST_CASE("netsim digest guard: a nonce count is accepted once, from six threads at once or spelled differently") {
  netsim::DigestGuard guard({"netsim", "MD5", "auth", false, true, false, ""});
  auto challenge = guard.challenge();
  auto chs = http::parse_challenges(challenge.headers.all("WWW-Authenticate")).value();
  http::DigestSession session(chs.at(0));
  auto random = posix::make_system_random().value();
  http::DigestCredentials cred{"alice", SecretBytes(ByteView::of("pw")), {}};
  netsim::HttpRequest req;
  req.method = "GET";
  req.target = "/x";
  const std::string auth = session.authorize("GET", "/x", {}, cred, *random).value();
  req.headers.add("Authorization", auth);
  auto lookup = [](const std::string&, const std::string&) -> std::optional<std::string> { return std::string("pw"); };
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      if (guard.check(req, lookup).authorized) ++accepted;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(accepted.load() == 1);
  // A fresh count, 10, sent as "0000000a" and then as "0000000A".
  session.set_nonce_count(9);
  std::string lower = session.authorize("GET", "/x", {}, cred, *random).value();
  CHECK(lower.find("nc=0000000a") != std::string::npos);
  netsim::HttpRequest r1 = req;
  r1.headers.set("Authorization", lower);
  CHECK(guard.check(r1, lookup).authorized);
  // The same answer with the count in upper case: a replay (the response
  // hash covers nc as sent, so recompute it for the upper-case spelling).
  http::Challenge ch = chs.at(0);
  const auto cn_at = lower.find("cnonce=\"") + 8;
  const std::string cnonce = lower.substr(cn_at, lower.find('"', cn_at) - cn_at);
  auto resp = http::DigestSession::compute_response(http::DigestAlgorithm::md5, "alice", "netsim", ByteView::of("pw"),
                                                    ch.nonce, "GET", "/x", http::Qop::auth, "0000000A", cnonce, {})
                  .value();
  std::string upper = "Digest username=\"alice\", realm=\"netsim\", nonce=\"" + ch.nonce +
                      "\", uri=\"/x\", response=\"" + resp + "\", algorithm=MD5, qop=auth, nc=0000000A, cnonce=\"" +
                      cnonce + "\"";
  netsim::HttpRequest r2 = req;
  r2.headers.set("Authorization", upper);
  CHECK_FALSE(guard.check(r2, lookup).authorized);
}
