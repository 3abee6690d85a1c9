// GBA end to end: the SDK's Ub client and software USIM against netsim's BSF
// (its own AuC) on loopback; then Ua credentials against a NAF that gets
// Ks_NAF from the BSF (Zn), over TLS and plain HTTP.
#include <doctest/doctest.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "bsf.hpp"
#include "utkit/aka/apdu_usim.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "virtual_card.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/gba/gba.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"

using namespace utkit;
using namespace std::chrono_literals;

namespace {

const char* kK = "465b5ce8b199b49faa5f0a2ee238a6bc";
const char* kOpc = "cd63cb71954a9f4e48a5994e37a02baf";
const std::string kImpi = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";

std::string pki(const std::string& f) {
  const char* d = std::getenv("UTKIT_PKI_DIR");
  REQUIRE(d != nullptr);
  return std::string(d) + "/" + f;
}

netsim::Auc make_auc() {
  auto auc = netsim::Auc::from_json(std::string(R"({"subscribers":[{"impi":")") + kImpi + R"(","k":")" + kK +
                                    R"(","opc":")" + kOpc + R"(","amf":"8000"}]})");
  REQUIRE(auc.ok());
  return std::move(auc).value();
}

struct CaptureSink final : LogSink {
  void write(LogLevel, std::string_view c, std::string_view m) override {
    std::lock_guard<std::mutex> lock(mu);
    text += std::string(c) + ": " + std::string(m) + "\n";
  }
  std::mutex mu;
  std::string text;
};

// The handset and the network, on one machine.
struct World {
  ManualClock clock{std::chrono::system_clock::now()};
  std::unique_ptr<Random> random = posix::make_system_random().value();
  posix::ResolveOverrides resolve;
  posix::TcpTransportFactory tcp{&resolve};
  MemoryKeyValueStore usim_store;
  std::unique_ptr<aka::SoftUsim> usim;
  std::unique_ptr<netsim::Bsf> bsf;
  CaptureSink sink;
  Logger log{&sink, LogLevel::trace};

  // A UICC (emulated) in front of the software USIM, for GBA_U.
  std::unique_ptr<testsupport::VirtualCard> card;
  std::unique_ptr<aka::ApduUsim> apdu;

  explicit World(std::uint64_t usim_sqn = 0, netsim::Bsf::Options bo = {}) {
    aka::SoftUsimConfig c;
    c.k = secret_from_hex(kK).value();
    c.opc = secret_from_hex(kOpc).value();
    c.imsi = "001010000000001";
    c.mnc_length = 2;
    c.initial_sqn = usim_sqn;
    usim = aka::SoftUsim::create(std::move(c), &usim_store).value();
    auto b = netsim::Bsf::start(bo, make_auc(), clock, *random);
    REQUIRE_MESSAGE(b.ok(), b.error().describe());
    bsf = std::move(b).value();
    (void)resolve.add("bsf.example.test:" + std::to_string(bsf->port()), "127.0.0.1");
  }

  Result<std::unique_ptr<gba::GbaClient>> client(KeyValueStore* store = nullptr, gba::GbaConfig cfg = {}) {
    cfg.bsf_url = "http://bsf.example.test:" + std::to_string(bsf->port()) + "/";
    return gba::GbaClient::create(cfg, *usim, tcp, *random, clock, nullptr, store, &log);
  }

  Result<std::unique_ptr<gba::GbaClient>> card_client(bool gba_u_card, gba::GbaConfig cfg) {
    testsupport::VirtualCard::Options o;
    o.gba_u = gba_u_card;
    o.imsi = "001010000000001";
    card = std::make_unique<testsupport::VirtualCard>(o, usim.get());
    apdu = aka::ApduUsim::open(*card, {}).value();
    cfg.bsf_url = "http://bsf.example.test:" + std::to_string(bsf->port()) + "/";
    return gba::GbaClient::create(cfg, *apdu, tcp, *random, clock, nullptr, nullptr, &log);
  }
};

}  // namespace

TEST_CASE("gba: a bootstrap against the netsim BSF") {
  World w;
  auto g = w.client();
  REQUIRE_MESSAGE(g.ok(), g.error().describe());
  CHECK(g.value()->impi() == kImpi);  // derived from the IMSI (TS 23.003)
  auto ctx = g.value()->context();
  REQUIRE_MESSAGE(ctx.ok(), ctx.error().describe());
  const auto& c = *ctx.value();
  CHECK(c.btid == base64_encode(ByteView(c.rand)) + "@bsf.example.test");
  CHECK(c.ks.size() == 32);
  CHECK(c.impi == kImpi);
  CHECK(c.expiry > w.clock.wall_now() + 3000s);
  // The network derives the same Ks_NAF (so the same Ks) for a NAF.
  const Bytes id = gba::naf_id("naf.example.test", gba::ua_tls_digest(0x000A));
  auto mine = g.value()->ks_naf(c, "naf.example.test", gba::ua_tls_digest(0x000A));
  auto theirs = w.bsf->naf_key(c.btid, ByteView(id));
  REQUIRE(mine.ok());
  REQUIRE(theirs.ok());
  CHECK(mine->view() == theirs->ks_naf.view());
  // A second call reuses the context.
  CHECK(g.value()->context().value()->btid == c.btid);
  CHECK(g.value()->stats().bootstraps == 1);
  CHECK(w.bsf->bootstraps() == 1);
}

TEST_CASE("gba: a bootstrap against an https BSF") {
  netsim::Bsf::Options o;
  o.server.tls = true;
  o.server.cert_file = pki("good.pem");
  o.server.key_file = pki("good.key");
  World w(0, o);
  (void)w.resolve.add("naf.example.test:" + std::to_string(w.bsf->port()), "127.0.0.1");
  tls::TlsConfig tc;
  tc.trust.ca_file = pki("ca.pem");
  auto tctx = tls::TlsContext::create(tc, *w.random, w.clock).value();
  gba::GbaConfig cfg;
  cfg.bsf_url = "https://naf.example.test:" + std::to_string(w.bsf->port()) + "/";  // the test cert's name
  auto g = gba::GbaClient::create(cfg, *w.usim, w.tcp, *w.random, w.clock, tctx, nullptr, &w.log);
  REQUIRE_MESSAGE(g.ok(), g.error().describe());
  auto ctx = g.value()->context();
  REQUIRE_MESSAGE(ctx.ok(), ctx.error().describe());
  CHECK(ctx.value()->btid.find("@bsf.example.test") != std::string::npos);
  gba::GbaConfig no_tls = cfg;
  CHECK(gba::GbaClient::create(no_tls, *w.usim, w.tcp, *w.random, w.clock, nullptr, nullptr, nullptr).error().code() ==
        Errc::config_invalid);
}

TEST_CASE("gba: a USIM ahead of the network resynchronises with AUTS once") {
  World w(std::uint64_t{900} << 5);
  auto g = w.client().value();
  auto ctx = g->context();
  REQUIRE_MESSAGE(ctx.ok(), ctx.error().describe());
  CHECK(g->stats().resyncs == 1);
  CHECK(w.bsf->resyncs() == 1);
}

TEST_CASE("gba: the network loses its SQN (fault switch): resync, then success") {
  World w;
  auto g = w.client().value();
  REQUIRE(g->context().ok());
  w.bsf->set_fault(netsim::Bsf::Fault::sqn_out_of_range);
  auto again = g->bootstrap();
  REQUIRE_MESSAGE(again.ok(), again.error().describe());
  CHECK(g->stats().resyncs == 1);
  CHECK(g->stats().bootstraps == 2);
}

TEST_CASE("gba: a forged challenge (bad MAC) stops Ub before anything is sent") {
  World w;
  w.bsf->set_fault(netsim::Bsf::Fault::bad_mac);
  auto g = w.client().value();
  auto ctx = g->context();
  REQUIRE_FALSE(ctx.ok());
  CHECK(ctx.error().code() == Errc::gba_network_not_authentic);
  CHECK(w.bsf->requests() == 1);  // only the initial request: no RES, no second request
  CHECK_FALSE(static_cast<bool>(g->current()));
  CHECK(w.sink.text.find("response=\"") == std::string::npos);
}

TEST_CASE("gba: BSF faults give clear errors and no context") {
  struct Case {
    netsim::Bsf::Fault fault;
    Errc expect;
  };
  for (Case c : {Case{netsim::Bsf::Fault::wrong_rspauth, Errc::auth_rspauth_mismatch},
                 Case{netsim::Bsf::Fault::no_rspauth, Errc::auth_rspauth_mismatch},
                 Case{netsim::Bsf::Fault::malformed_xml, Errc::gba_bad_bootstrapping_info},
                 Case{netsim::Bsf::Fault::hostile_xml, Errc::gba_bad_bootstrapping_info},
                 Case{netsim::Bsf::Fault::expired_lifetime, Errc::gba_bad_bootstrapping_info},
                 Case{netsim::Bsf::Fault::status_500, Errc::gba_bsf_status},
                 Case{netsim::Bsf::Fault::refuse_res, Errc::auth_failed}}) {
    CAPTURE(static_cast<int>(c.fault));
    World w;
    w.bsf->set_fault(c.fault);
    auto g = w.client().value();
    auto ctx = g->context();
    REQUIRE_FALSE(ctx.ok());
    CHECK_MESSAGE(ctx.error().code() == c.expect, ctx.error().describe());
    CHECK_FALSE(static_cast<bool>(g->current()));
    CHECK(w.bsf->requests() <= 5);  // bounded
  }
}

TEST_CASE("gba: a cut or slow BSF fails within the deadline") {
  SUBCASE("cut") {
    World w;
    w.bsf->set_fault(netsim::Bsf::Fault::cut);
    auto r = w.client().value()->context();
    REQUIRE_FALSE(r.ok());
    CHECK((r.error().code() == Errc::http_truncated || r.error().code() == Errc::net_peer_closed));
  }
  SUBCASE("slow") {
    netsim::Bsf::Options o;
    o.slow_ms = 1500;
    World w(0, o);
    w.bsf->set_fault(netsim::Bsf::Fault::slow);
    gba::GbaConfig cfg;
    cfg.timeout = 400ms;
    auto t0 = std::chrono::steady_clock::now();
    auto r = w.client(nullptr, cfg).value()->context();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::net_timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 1400ms);
  }
}

TEST_CASE("gba: expiry and re-bootstrap on an injected clock") {
  World w;
  auto g = w.client().value();
  auto first = g->context().value();
  w.clock.advance(3600s - 59s);  // inside the 60 s margin before the lifetime ends
  auto second = g->context();
  REQUIRE(second.ok());
  CHECK(second.value()->btid != first->btid);
  CHECK(g->stats().bootstraps == 2);
}

TEST_CASE("gba: the context survives a restart (file store), and expires there too") {
  World w;
  char tmpl[] = "/tmp/utkit-gba-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  auto store = posix::FileKeyValueStore::open(tmpl).value();
  std::string btid;
  {
    auto g = w.client(store.get()).value();
    btid = g->context().value()->btid;
  }
  const auto requests = w.bsf->requests();
  {
    auto g = w.client(store.get()).value();  // a restarted app
    CHECK(g->stats().loaded_from_store == 1);
    CHECK(g->context().value()->btid == btid);
    CHECK(w.bsf->requests() == requests);  // no Ub run
  }
  w.clock.advance(2h);
  auto g = w.client(store.get()).value();
  CHECK(g->stats().loaded_from_store == 0);
  CHECK(g->context().value()->btid != btid);
  std::string cmd = std::string("rm -rf ") + tmpl;
  CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("gba: concurrent callers share one bootstrap") {
  World w;
  auto g = w.client().value();
  std::vector<std::thread> threads;
  std::vector<std::string> btids(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto c = g->context();
      if (c.ok()) btids[i] = c.value()->btid;
    });
  }
  for (auto& t : threads) t.join();
  for (auto& b : btids) CHECK(b == btids[0]);
  CHECK(g->stats().bootstraps == 1);
  CHECK(w.bsf->bootstraps() == 1);
}

namespace {
// A NAF for the test: Digest realm 3GPP-bootstrapping@naf.example.test,
// password base64(Ks_NAF) from the BSF over "Zn" for the B-TID and the NAF_Id
// with the suite this connection negotiated.
std::unique_ptr<netsim::HttpServer> make_naf(netsim::Bsf& bsf, netsim::DigestGuard& guard, bool tls,
                                             std::atomic<int>* refusals = nullptr) {
  netsim::StreamServer::Options o;
  o.tls = tls;
  if (tls) {
    o.cert_file = pki("good.pem");
    o.key_file = pki("good.key");
  }
  auto s = netsim::HttpServer::start(o, [&bsf, &guard, refusals](const netsim::HttpRequest& req) {
    const gba::UaProtocolId ua = req.tls_suite ? gba::ua_tls_digest(req.tls_suite) : gba::ua_http_digest();
    const Bytes id = gba::naf_id("naf.example.test", ua);
    auto out = guard.check(req, [&](const std::string& btid, const std::string&) -> std::optional<std::string> {
      if (refusals && *refusals > 0) return std::nullopt;
      auto key = bsf.naf_key(btid, ByteView(id));
      if (!key) return std::nullopt;
      return base64_encode(key->ks_naf.view());
    });
    if (refusals && *refusals > 0 && req.headers.has("Authorization")) --*refusals;
    if (!out.authorized) return out.challenge;
    auto reply = netsim::HttpReply::text(200, "resource-lists for " + out.username);
    out.sign(reply);
    return reply;
  });
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  return std::move(s).value();
}
}  // namespace

TEST_CASE("gba Ua: B-TID and base64(Ks_NAF) open the NAF, over TLS and plain http") {
  for (bool tls : {true, false}) {
    CAPTURE(tls);
    World w;
    auto g = w.client().value();
    netsim::DigestGuard guard({"3GPP-bootstrapping@naf.example.test", "MD5", "auth", false, true, false, ""});
    auto naf = make_naf(*w.bsf, guard, tls);
    (void)w.resolve.add("naf.example.test:" + std::to_string(naf->port()), "127.0.0.1");
    tls::TlsConfig tc;
    tc.trust.ca_file = pki("ca.pem");
    auto tctx = tls::TlsContext::create(tc, *w.random, w.clock).value();
    http::HttpClient client(w.tcp, *w.random, w.clock, tctx, {}, &w.log);
    gba::NafCredentials creds(*g);
    client.set_credentials(&creds);
    auto url = http::parse_url(std::string(tls ? "https" : "http") + "://naf.example.test:" +
                               std::to_string(naf->port()) + "/xcap-root/").value();
    auto r = client.send(url, http::Request{});
    REQUIRE_MESSAGE(r.ok(), r.error().describe());
    CHECK(r->status == 200);
    CHECK(r->body_text() == "resource-lists for " + g->current()->btid);
  }
}

TEST_CASE("gba Ua: a NAF that refuses the B-TID triggers one new bootstrap, then a clear error") {
  World w;
  auto g = w.client().value();
  netsim::DigestGuard guard({"3GPP-bootstrapping@naf.example.test", "MD5", "auth", false, true, false, ""});
  auto naf = make_naf(*w.bsf, guard, false);
  (void)w.resolve.add("naf.example.test:" + std::to_string(naf->port()), "127.0.0.1");
  http::HttpClient client(w.tcp, *w.random, w.clock, nullptr, {}, &w.log);
  gba::NafCredentials creds(*g);
  client.set_credentials(&creds);
  auto url = http::parse_url("http://naf.example.test:" + std::to_string(naf->port()) + "/xcap-root/").value();
  REQUIRE(client.send(url, http::Request{}).ok());
  const std::string old_btid = g->current()->btid;

  // The BSF forgets every B-TID (restart, purge): the NAF now refuses the old one.
  w.bsf->forget_all();
  client.forget_auth(url);
  auto r = client.send(url, http::Request{});
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == 200);
  CHECK(g->current()->btid != old_btid);
  CHECK(g->stats().bootstraps == 2);

  // A NAF that refuses everything: one more bootstrap, then gba_naf_refused.
  std::atomic<int> refuse{100};
  netsim::DigestGuard guard2({"3GPP-bootstrapping@naf.example.test", "MD5", "auth", false, true, false, ""});
  auto bad_naf = make_naf(*w.bsf, guard2, false, &refuse);
  (void)w.resolve.add("naf.example.test:" + std::to_string(bad_naf->port()), "127.0.0.1");
  auto url2 = http::parse_url("http://naf.example.test:" + std::to_string(bad_naf->port()) + "/").value();
  auto r2 = client.send(url2, http::Request{});
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().code() == Errc::gba_naf_refused);
  CHECK(g->stats().bootstraps == 3);
}

TEST_CASE("gba: GBA_U on a card: Ks stays in the card, Ks_ext_NAF opens a -uicc NAF") {
  World w;
  gba::GbaConfig cfg;
  cfg.gba_u = true;
  auto g = w.card_client(true, cfg);
  REQUIRE_MESSAGE(g.ok(), g.error().describe());
  auto ctx = g.value()->context();
  REQUIRE_MESSAGE(ctx.ok(), ctx.error().describe());
  CHECK(ctx.value()->uicc);
  CHECK(ctx.value()->ks.empty());
  CHECK(w.bsf->last_user_agent().find("3gpp-gba-uicc") != std::string::npos);
  netsim::DigestGuard guard({"3GPP-bootstrapping-uicc@naf.example.test", "MD5", "auth", false, true, false, ""});
  auto naf = make_naf(*w.bsf, guard, false);
  (void)w.resolve.add("naf.example.test:" + std::to_string(naf->port()), "127.0.0.1");
  http::HttpClient client(w.tcp, *w.random, w.clock, nullptr, {}, &w.log);
  gba::NafCredentials creds(*g.value());
  client.set_credentials(&creds);
  auto url = http::parse_url("http://naf.example.test:" + std::to_string(naf->port()) + "/").value();
  auto r = client.send(url, http::Request{});
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r->status == 200);

  // GBA_U configured on a card without the GBA service: refused at creation.
  World w2;
  auto bad = w2.card_client(false, cfg);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == Errc::gba_unsupported);
  // A GBA_ME bootstrap cannot answer a -uicc NAF.
  auto me = w2.client().value();
  netsim::DigestGuard guard2({"3GPP-bootstrapping-uicc@naf.example.test", "MD5", "auth", false, true, false, ""});
  auto naf2 = make_naf(*w2.bsf, guard2, false);
  (void)w2.resolve.add("naf.example.test:" + std::to_string(naf2->port()), "127.0.0.1");
  http::HttpClient client2(w2.tcp, *w2.random, w2.clock, nullptr, {}, &w2.log);
  gba::NafCredentials creds2(*me);
  client2.set_credentials(&creds2);
  auto r2 = client2.send(http::parse_url("http://naf.example.test:" + std::to_string(naf2->port()) + "/").value(),
                         http::Request{});
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().code() == Errc::gba_unsupported);
}

TEST_CASE("gba: a trace-level log of a bootstrap and a Ua request holds no key material") {
  World w;
  auto g = w.client().value();
  netsim::DigestGuard guard({"3GPP-bootstrapping@naf.example.test", "MD5", "auth", false, true, false, ""});
  auto naf = make_naf(*w.bsf, guard, false);
  (void)w.resolve.add("naf.example.test:" + std::to_string(naf->port()), "127.0.0.1");
  http::HttpClient client(w.tcp, *w.random, w.clock, nullptr, {}, &w.log);
  gba::NafCredentials creds(*g);
  client.set_credentials(&creds);
  auto url = http::parse_url("http://naf.example.test:" + std::to_string(naf->port()) + "/x").value();
  REQUIRE(client.send(url, http::Request{}).ok());
  auto ctx = g->current();
  REQUIRE(static_cast<bool>(ctx));
  // Everything secret in this run, recomputed here from K, OPc and RAND.
  const Bytes k = from_hex(kK).value(), opc = from_hex(kOpc).value();
  auto m = aka::Milenage::create(ByteView(k), ByteView(opc)).value();
  auto keys = m.f2345(ByteView(ctx->rand)).value();
  const Bytes id = gba::naf_id("naf.example.test", gba::ua_http_digest());
  auto ks_naf = w.bsf->naf_key(ctx->btid, ByteView(id)).value().ks_naf.clone();
  std::vector<Bytes> secrets = {k, opc, keys.res.view().to_bytes(), keys.ck.view().to_bytes(),
                                keys.ik.view().to_bytes(), ctx->ks.view().to_bytes(), ks_naf.view().to_bytes()};
  const std::string password = base64_encode(ks_naf.view());
  const std::string& log = w.sink.text;
  REQUIRE(log.size() > 200);  // the run was logged, at trace level
  CHECK(log.find("bootstrapped: B-TID") != std::string::npos);
  for (const Bytes& sct : secrets) {
    std::string lower = to_hex(ByteView(sct)), upper = lower;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string b64 = base64_encode(ByteView(sct));
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    CHECK_MESSAGE(log.find(lower) == std::string::npos, "hex of a secret in the log");
    CHECK_MESSAGE(log.find(upper) == std::string::npos, "HEX of a secret in the log");
    CHECK_MESSAGE(log.find(b64) == std::string::npos, "base64 of a secret in the log");
  }
  CHECK(log.find(password.substr(0, 20)) == std::string::npos);
}

TEST_CASE("gba: a BSF that grants 10 s: the fresh context serves, is renewed within a quarter, never in a loop") {
  netsim::Bsf::Options bo;
  bo.lifetime = 10s;
  World w(0, bo);
  auto g = w.client().value();  // default margin 60 s: larger than the whole lifetime
  auto first = g->context();
  REQUIRE_MESSAGE(first.ok(), first.error().describe());
  for (int i = 0; i < 5; ++i) CHECK(g->context().value()->btid == first.value()->btid);
  CHECK(g->stats().bootstraps == 1);
  w.clock.advance(7s);  // margin scaled to 2.5 s: still usable
  CHECK(g->context().value()->btid == first.value()->btid);
  CHECK(g->stats().bootstraps == 1);
  w.clock.advance(1s);  // within the last quarter: renewed once
  auto second = g->context();
  REQUIRE(second.ok());
  CHECK(second.value()->btid != first.value()->btid);
  for (int i = 0; i < 5; ++i) (void)g->context();
  CHECK(g->stats().bootstraps == 2);
}

TEST_CASE("gba: a BSF without rspauth is refused by default, and reached with the switch off") {
  World w;
  w.bsf->set_fault(netsim::Bsf::Fault::no_rspauth);
  auto strict = w.client().value()->context();
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.error().code() == Errc::auth_rspauth_mismatch);
  CHECK(strict.error().message().find("no Authentication-Info") != std::string::npos);
  // The error states the fact; it never advises switching a security check off.
  CHECK(strict.error().message().find("require_rspauth") == std::string::npos);
  gba::GbaConfig lenient;
  lenient.require_rspauth = false;
  auto ok = w.client(nullptr, lenient).value()->context();
  REQUIRE_MESSAGE(ok.ok(), ok.error().describe());
  // Without rspauth the body is not authenticated: a B-TID for another host
  // (rspauth stripped and the body rewritten on the path) is refused.
  w.bsf->set_fault(netsim::Bsf::Fault::unsigned_foreign_host);
  auto rewritten = w.client(nullptr, lenient).value()->bootstrap();
  REQUIRE_FALSE(rewritten.ok());
  CHECK(rewritten.error().code() == Errc::gba_bad_bootstrapping_info);
  // A wrong rspauth is refused whatever the switch says.
  w.bsf->set_fault(netsim::Bsf::Fault::wrong_rspauth);
  auto wrong = w.client(nullptr, lenient).value()->bootstrap();
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code() == Errc::auth_rspauth_mismatch);
}

// A NAF that answers credentials it refuses with a bare 401 (no
// WWW-Authenticate): one new bootstrap and one retry, then a clear error.
TEST_CASE("gba Ua: a bare 401 to a B-TID is a refusal: one new bootstrap, then stop") {
  World w;
  auto g = w.client().value();
  std::atomic<int> answered{0};
  netsim::StreamServer::Options o;
  o.tls = false;
  auto naf = netsim::HttpServer::start(o, [&](const netsim::HttpRequest& r) {
               if (!r.headers.has("Authorization")) {
                 auto c = netsim::HttpReply::text(401, "");
                 c.headers.add("WWW-Authenticate",
                               "Digest realm=\"3GPP-bootstrapping@naf.example.test\", nonce=\"n1\", qop=\"auth\"");
                 return c;
               }
               ++answered;
               return netsim::HttpReply::text(401, "");  // no challenge
             }).value();
  (void)w.resolve.add("naf.example.test:" + std::to_string(naf->port()), "127.0.0.1");
  http::HttpClient client(w.tcp, *w.random, w.clock, nullptr, {}, &w.log);
  gba::NafCredentials creds(*g);
  client.set_credentials(&creds);
  auto url = http::parse_url("http://naf.example.test:" + std::to_string(naf->port()) + "/xcap-root/").value();
  auto r = client.send(url, http::Request{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::auth_failed);
  CHECK(r.error().message().find("without a challenge") != std::string::npos);
  CHECK(g->stats().bootstraps == 2);  // the first, and one more after the refusal
  CHECK(answered.load() == 2);
}

TEST_CASE("gba: a Ub challenge without qop=auth-int is refused; allowed, the B-TID must be this run's") {
  netsim::Bsf::Options o;
  o.qop = "auth";  // a BSF (or an on-path rewrite of its challenge) without auth-int
  World w(0, o);
  auto strict = w.client().value()->context();
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.error().code() == Errc::gba_bad_challenge);
  CHECK(strict.error().message().find("auth-int") != std::string::npos);
  CHECK(w.bsf->bootstraps() == 0);  // nothing answered: no RES sent

  gba::GbaConfig lenient;
  lenient.allow_qop_auth = true;
  auto ok = w.client(nullptr, lenient).value()->context();
  REQUIRE_MESSAGE(ok.ok(), ok.error().describe());
  // With qop=auth the body is not covered by rspauth: a B-TID that is not
  // base64(RAND)@BSF of this run (a rewritten body) is refused.
  w.bsf->set_fault(netsim::Bsf::Fault::foreign_btid);
  auto rewritten = w.client(nullptr, lenient).value()->bootstrap();
  REQUIRE_FALSE(rewritten.ok());
  CHECK(rewritten.error().code() == Errc::gba_bad_bootstrapping_info);
}

TEST_CASE("gba: netsim's BSF refuses a qop=auth answer to its auth-int challenge") {
  World w;
  // A client that answers the BSF's auth-int challenge with qop=auth (what an
  // on-path rewrite of the challenge would make a client do), on one raw
  // connection.
  posix::TcpTransport t;
  REQUIRE(t.connect({"127.0.0.1", w.bsf->port()}, 2000ms).ok());
  auto exchange = [&](const std::string& authorization) -> http::Response {
    http::Request req;
    req.headers.add("Host", "bsf.example.test");
    req.headers.add("Authorization", authorization);
    auto wire = http::serialize(req);
    REQUIRE(wire.ok());
    REQUIRE(t.write(ByteView::of(*wire), 2000ms).ok());
    http::ResponseParser p;
    std::uint8_t buf[4096];
    while (p.need_more()) {
      auto n = t.read(buf, sizeof buf, 2000ms);
      REQUIRE(n.ok());
      REQUIRE(*n > 0);
      REQUIRE(p.feed(ByteView(buf, *n)).ok());
    }
    return p.take();
  };
  auto c = exchange("Digest username=\"" + kImpi + "\", realm=\"bsf.example.test\", nonce=\"\", uri=\"/\", response=\"\"");
  REQUIRE(c.status == 401);
  auto chs = http::parse_challenges(c.headers.all("WWW-Authenticate")).value();
  http::Challenge ch = chs.at(0);
  ch.qop_auth = true;  // rewritten: "auth" offered
  ch.qop_auth_int = false;
  auto nonce = base64_decode(ch.nonce).value();
  auto r = w.usim->authenticate(ByteView(nonce.data(), 16), ByteView(nonce.data() + 16, 16)).value();
  REQUIRE(r.status == aka::AkaStatus::success);
  http::DigestSession s(ch);
  http::DigestCredentials cred{kImpi, std::move(r.res), {}};
  auto a = exchange(s.authorize("GET", "/", {}, cred, *w.random).value());
  CHECK(a.status == 401);  // refused, as a real BSF would
  CHECK(w.bsf->bootstraps() == 0);
}

TEST_CASE("gba: of several challenges the AKA one is answered (an MD5 one listed first)") {
  netsim::Bsf::Options o;
  o.md5_first = true;
  World w(0, o);
  auto r = w.client().value()->context();
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(w.bsf->bootstraps() == 1);
}

TEST_CASE("gba: a BSF lifetime far in the future is capped") {
  netsim::Bsf::Options o;
  o.lifetime = std::chrono::hours(24 * 365 * 150);  // the year 2170-odd
  World w(0, o);
  gba::GbaConfig cfg;
  cfg.max_lifetime = std::chrono::hours(48);
  auto r = w.client(nullptr, cfg).value()->context();
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(r.value()->expiry <= w.clock.wall_now() + std::chrono::hours(48));
  auto d = w.client().value()->bootstrap();  // the default cap: 7 days
  REQUIRE(d.ok());
  CHECK(d.value()->expiry <= w.clock.wall_now() + std::chrono::hours(24 * 7));
}

TEST_CASE("gba: a BSF's 503 after a valid AKA answer is reported as the BSF's status") {
  World w;
  w.bsf->set_fault(netsim::Bsf::Fault::unavailable_after_auth);
  auto r = w.client().value()->context();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::gba_bsf_status);
  CHECK(r.error().message().find("503") != std::string::npos);
  CHECK(r.error().message().find("rspauth") == std::string::npos);
}
