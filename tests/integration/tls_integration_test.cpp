// The TLS client against netsim's mbedTLS server on loopback: every
// TS 33.141 suite, versions, CertificateRequest, record-size extensions,
// resumption and its 24 h cap on an injected clock, persisted sessions,
// timeouts.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "tls_server.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/tls/tls_stream.hpp"

using namespace utkit;
using namespace utkit::tls;
using namespace std::chrono_literals;

namespace {

std::string pki(const std::string& f) {
  const char* d = std::getenv("UTKIT_PKI_DIR");
  REQUIRE_MESSAGE(d != nullptr, "UTKIT_PKI_DIR is not set (ctest sets it)");
  return std::string(d) + "/" + f;
}

std::unique_ptr<netsim::TlsServer> server(std::vector<std::uint16_t> suites = TlsProfile::ts33141().suites,
                                          TlsVersion min = TlsVersion::tls1_0, TlsVersion max = TlsVersion::tls1_2,
                                          bool cert_request = false) {
  netsim::TlsServer::Options o;
  o.cert_file = pki("good.pem");
  o.key_file = pki("good.key");
  o.suites = std::move(suites);
  o.min_version = min;
  o.max_version = max;
  o.request_client_cert = cert_request;
  auto s = netsim::TlsServer::start(o, netsim::TlsServer::echo);
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  return std::move(s).value();
}

struct Client {
  posix::ResolveOverrides resolve;
  std::unique_ptr<Random> random = posix::make_system_random().value();
  ManualClock clock{std::chrono::system_clock::now()};
  std::unique_ptr<TlsSessionCache> cache;
  std::shared_ptr<TlsContext> ctx;

  explicit Client(TlsConfig cfg = {}, KeyValueStore* store = nullptr) {
    cache = TlsSessionCache::create(clock).value();
    if (store) REQUIRE(cache->persist_to(*store, SecretBytes(ByteView::of("0123456789abcdef-integrity"))).ok());
    cfg.trust.ca_file = pki("ca.pem");
    auto c = TlsContext::create(cfg, *random, clock, cache.get());
    REQUIRE_MESSAGE(c.ok(), c.error().describe());
    ctx = c.value();
  }

  // Connects to naf.example.test:port (pinned to loopback), echoes `msg`.
  Result<TlsInfo> run(std::uint16_t port, const std::string& msg = "ping") {
    (void)resolve.add("naf.example.test:" + std::to_string(port), "127.0.0.1");
    TlsStream s(ctx, std::make_unique<posix::TcpTransport>(&resolve));
    UTKIT_TRY(s.connect({"naf.example.test", port}, 5000ms));
    UTKIT_TRY(s.write(ByteView::of(msg), 2000ms));
    std::string got;
    std::uint8_t buf[4096];
    while (got.size() < msg.size()) {
      UTKIT_ASSIGN(std::size_t n, s.read(buf, sizeof buf, 2000ms));
      if (n == 0) break;
      got.append(reinterpret_cast<char*>(buf), n);
    }
    if (got != msg) return Error(Errc::internal, "echo mismatch: " + std::to_string(got.size()) + " bytes back");
    return s.info();
  }
};

}  // namespace

TEST_CASE("tls client x netsim server: every TS 33.141 suite") {
  for (std::uint16_t id : TlsProfile::ts33141().suites) {
    SUBCASE(suite_name(id).c_str()) {
      auto srv = server({id});
      Client c;
      auto info = c.run(srv->port());
      REQUIRE_MESSAGE(info.ok(), info.error().describe());
      CHECK(info->suite_id == id);
      CHECK(info->version == TlsVersion::tls1_2);
      CHECK(info->peer.subject == "CN=naf.example.test");
      CHECK_FALSE(info->resumed);
    }
  }
}

TEST_CASE("tls client x netsim server: versions") {
  SUBCASE("a TLS 1.0-only server is accepted by the default profile") {
    auto srv = server({suite::rsa_3des_ede_cbc_sha}, TlsVersion::tls1_0, TlsVersion::tls1_0);
    Client c;
    auto info = c.run(srv->port());
    REQUIRE_MESSAGE(info.ok(), info.error().describe());
    CHECK(info->version == TlsVersion::tls1_0);
    CHECK(info->suite_id == 0x000A);
  }
  SUBCASE("a client that requires TLS 1.2 refuses it") {
    auto srv = server({suite::rsa_3des_ede_cbc_sha}, TlsVersion::tls1_0, TlsVersion::tls1_0);
    TlsConfig cfg;
    cfg.profile.min_version = TlsVersion::tls1_2;
    Client c(cfg);
    auto info = c.run(srv->port());
    REQUIRE_FALSE(info.ok());
    CHECK(info.error().code() == Errc::tls_version_refused);
  }
  SUBCASE("a server with only suites we refuse: no shared suite") {
    auto srv = server({suite::ecdhe_rsa_aes_128_gcm_sha256});
    Client c;
    auto info = c.run(srv->port());
    REQUIRE_FALSE(info.ok());
    CHECK(info.error().code() == Errc::tls_no_shared_suite);
    CHECK(info.error().message().find("TLS_RSA_WITH_3DES_EDE_CBC_SHA") != std::string::npos);
    // The server's alert, by name and number (RFC 5246 7.2).
    CHECK_MESSAGE(info.error().message().find("alert handshake_failure (40)") != std::string::npos,
                  info.error().message());
  }
}

TEST_CASE("tls client x netsim server: CertificateRequest gets an empty Certificate") {
  auto srv = server(TlsProfile::ts33141().suites, TlsVersion::tls1_0, TlsVersion::tls1_2, true);
  Client c;
  auto info = c.run(srv->port());
  REQUIRE_MESSAGE(info.ok(), info.error().describe());
}

TEST_CASE("tls client x netsim server: max_fragment_length and truncated_hmac") {
  auto srv = server();
  for (MaxFragment mfl : {MaxFragment::f512, MaxFragment::f4096}) {
    TlsConfig cfg;
    cfg.max_fragment = mfl;
    cfg.truncated_hmac = true;
    Client c(cfg);
    std::string big(10000, 'x');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
    auto info = c.run(srv->port(), big);  // split into many records both ways
    REQUIRE_MESSAGE(info.ok(), info.error().describe());
  }
}

TEST_CASE("tls client x netsim server: resumption and the 24 h cap (injected clock)") {
  auto srv = server();
  Client c;
  auto first = c.run(srv->port());
  REQUIRE(first.ok());
  CHECK_FALSE(first->resumed);
  auto second = c.run(srv->port());
  REQUIRE(second.ok());
  CHECK(second->resumed);
  c.clock.advance(23h);
  auto third = c.run(srv->port());
  REQUIRE(third.ok());
  CHECK(third->resumed);
  c.clock.advance(1h + 1s);  // 24 h after the full handshake, whatever the resumptions
  auto fourth = c.run(srv->port());
  REQUIRE(fourth.ok());
  CHECK_FALSE(fourth->resumed);
  auto fifth = c.run(srv->port());
  REQUIRE(fifth.ok());
  CHECK(fifth->resumed);
}

TEST_CASE("tls client x netsim server: a persisted session resumes after a restart") {
  auto srv = server();
  char tmpl[] = "/tmp/utkit-tls-store-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  auto store = posix::FileKeyValueStore::open(tmpl).value();
  {
    Client c({}, store.get());
    REQUIRE(c.run(srv->port()).ok());
  }
  Client restarted({}, store.get());
  auto info = restarted.run(srv->port());
  REQUIRE(info.ok());
  CHECK(info->resumed);
  std::string cmd = std::string("rm -rf ") + tmpl;
  CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("tls client x netsim server: a stored session does not resume after the trust anchors changed") {
  auto srv = server();
  MemoryKeyValueStore store;
  {
    Client c({}, &store);
    REQUIRE(c.run(srv->port()).ok());
  }
  {
    Client same({}, &store);  // same anchors: resumes (the control)
    auto info = same.run(srv->port());
    REQUIRE(info.ok());
    CHECK(info->resumed);
  }
  // The app removed the CA that issued the NAF's certificate: the stored
  // session must not carry the old authentication over.
  Client c2({}, &store);
  TlsConfig other;
  other.trust.ca_file = pki("otherca.pem");
  c2.ctx = TlsContext::create(other, *c2.random, c2.clock, c2.cache.get()).value();
  auto refused = c2.run(srv->port());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == Errc::tls_cert_unknown_issuer);
  // A laxer X.509 policy is another protection too.
  Client c3({}, &store);
  TlsConfig legacy;
  legacy.trust.ca_file = pki("ca.pem");
  legacy.x509 = X509Policy::legacy;
  c3.ctx = TlsContext::create(legacy, *c3.random, c3.clock, c3.cache.get()).value();
  auto fresh = c3.run(srv->port());
  REQUIRE(fresh.ok());
  CHECK_FALSE(fresh->resumed);
}

TEST_CASE("tls client: a server that never answers times out within the deadline") {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  REQUIRE(::listen(lfd, 4) == 0);  // the kernel accepts; nobody ever speaks
  posix::SystemClock clock;
  auto rnd = posix::make_system_random().value();
  TlsConfig cfg;
  cfg.trust.ca_file = pki("ca.pem");
  auto ctx = TlsContext::create(cfg, *rnd, clock).value();
  TlsStream s(ctx, std::make_unique<posix::TcpTransport>());
  auto t0 = std::chrono::steady_clock::now();
  auto r = s.connect({"127.0.0.1", ntohs(a.sin_port)}, 400ms);
  auto took = std::chrono::steady_clock::now() - t0;
  ::close(lfd);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_timeout);
  CHECK(took < 2s);
  CHECK_FALSE(s.is_open());
  std::uint8_t b[4];
  CHECK(s.read(b, 4, 10ms).error().code() == Errc::net_not_connected);
}
