// tls module units: profile validation (every refusal), the session cache's
// age cap and persistence integrity with an injected clock, trust-anchor
// errors, and the ClientHello as it appears on the wire.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "support.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/tls/tls_stream.hpp"

#include <mbedtls/sha256.h>

using namespace utkit;
using namespace utkit::tls;
using namespace std::chrono_literals;

namespace {

std::string validate_error(const TlsProfile& p) {
  auto r = p.validate();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::tls_profile_invalid);
  return r.error().message();
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("tls profile: the TS 33.141 default and the modern profile validate") {
  TlsProfile p = TlsProfile::ts33141();
  CHECK(p.validate().ok());
  REQUIRE(p.suites.size() == 4);
  CHECK(p.suites[0] == 0x002F);
  CHECK(p.suites[1] == 0x0035);
  CHECK(p.suites[2] == 0x000A);
  CHECK(p.suites[3] == 0x0005);
  CHECK(p.min_version == TlsVersion::tls1_0);
  CHECK(p.max_version == TlsVersion::tls1_2);
  CHECK(TlsProfile::modern().validate().ok());
  CHECK(suite_name(0x000A) == "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
  CHECK(suite_name(0x0005) == "TLS_RSA_WITH_RC4_128_SHA");
  CHECK(suite_name(0x1234) == "unknown (0x1234)");
  CHECK(TlsProfile::named("ts33141").ok());
  CHECK(TlsProfile::named("tls13").error().code() == Errc::config_invalid);
}

TEST_CASE("tls profile: users can narrow it") {
  CHECK(TlsProfile::ts33141().without(suite::rsa_rc4_128_sha).validate().ok());
  CHECK(TlsProfile::ts33141().without(suite::rsa_rc4_128_sha).suites.size() == 3);
  CHECK(TlsProfile::ts33141().only({suite::rsa_3des_ede_cbc_sha}).validate().ok());
  TlsProfile v12 = TlsProfile::ts33141();
  v12.min_version = TlsVersion::tls1_2;
  CHECK(v12.validate().ok());
}

TEST_CASE("tls profile: every refusal names its reason") {
  TlsProfile base = TlsProfile::ts33141();
  CHECK(contains(validate_error(base.only({})), "no cipher suite"));
  CHECK(contains(validate_error(base.only({0x0018})), "anonymous"));           // TLS_DH_anon_WITH_RC4_128_MD5
  CHECK(contains(validate_error(base.only({0x002F, 0xC018})), "anonymous"));   // TLS_ECDH_anon_WITH_AES_128_CBC_SHA
  CHECK(contains(validate_error(base.only({0x0000})), "no integrity"));        // TLS_NULL_WITH_NULL_NULL
  CHECK(contains(validate_error(base.only({0x0009})), "shorter than 128"));    // TLS_RSA_WITH_DES_CBC_SHA
  CHECK(contains(validate_error(base.only({0x0003})), "shorter than 128"));    // export RC4_40
  CHECK(contains(validate_error(base.only({0x1301})), "not supported by this mbedTLS"));  // TLS 1.3 suite
  CHECK(contains(validate_error(base.only({0x002F, 0x002F})), "twice"));
  TlsProfile ssl3 = base;
  ssl3.min_version = TlsVersion::ssl3_0;
  CHECK(contains(validate_error(ssl3), "below TLS 1.0"));
  TlsProfile backwards = base;
  backwards.min_version = TlsVersion::tls1_2;
  backwards.max_version = TlsVersion::tls1_0;
  CHECK(contains(validate_error(backwards), "below the minimum"));
  TlsProfile gcm_on_tls10 = TlsProfile::modern();
  gcm_on_tls10.min_version = TlsVersion::tls1_0;
  gcm_on_tls10.max_version = TlsVersion::tls1_0;
  CHECK(contains(validate_error(gcm_on_tls10), "cannot be used between"));
}

TEST_CASE("tls session cache: lifetime cap with an injected clock") {
  ManualClock clock;
  CHECK(TlsSessionCache::create(clock, 25h).error().code() == Errc::config_invalid);
  CHECK_FALSE(TlsSessionCache::create(clock, 0s).ok());
  auto cache = TlsSessionCache::create(clock);
  REQUIRE(cache.ok());
  CHECK(cache.value()->max_age() == 24h);
  auto& c = *cache.value();
  const Bytes session = testsupport::hex("00112233445566778899");
  c.put("naf:443|ts33141", ByteView(session), clock.wall_now());
  clock.advance(23h + 59min);
  auto hit = c.find("naf:443|ts33141");
  REQUIRE(hit.has_value());
  CHECK(hit->session.view() == ByteView(session));
  clock.advance(2min);  // now 24 h 1 min after the full handshake
  CHECK_FALSE(c.find("naf:443|ts33141").has_value());
  CHECK(c.size() == 0);

  auto short_cache = TlsSessionCache::create(clock, 1h);
  REQUIRE(short_cache.ok());
  short_cache.value()->put("k", ByteView(session), clock.wall_now());
  clock.advance(61min);
  CHECK_FALSE(short_cache.value()->find("k").has_value());

  // A wall clock that jumps back far is not trusted to measure age.
  auto c2 = TlsSessionCache::create(clock).value();
  c2->put("k", ByteView(session), clock.wall_now());
  clock.set_wall(clock.wall_now() - 48h);
  CHECK_FALSE(c2->find("k").has_value());
}

TEST_CASE("tls session cache: persisted sessions are integrity-protected") {
  ManualClock clock;
  MemoryKeyValueStore store;
  const Bytes session = testsupport::hex("a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  SecretBytes key(ByteView(testsupport::hex("000102030405060708090a0b0c0d0e0f")));
  {
    auto c = TlsSessionCache::create(clock).value();
    REQUIRE(c->persist_to(store, key.clone()).ok());
    c->put("naf.example.test:443|ts33141", ByteView(session), clock.wall_now());
  }
  // A restarted app finds the session in the store.
  auto c = TlsSessionCache::create(clock).value();
  REQUIRE(c->persist_to(store, key.clone()).ok());
  auto hit = c->find("naf.example.test:443|ts33141");
  REQUIRE(hit.has_value());
  CHECK(hit->session.view() == ByteView(session));

  SUBCASE("a tampered record is dropped unread and deleted") {
    // The record's name is derived from the cache key (session_cache.cpp).
    unsigned char d[32];
    const std::string cache_key = "naf.example.test:443|ts33141";
    mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(cache_key.data()), cache_key.size(), d, 0);
    const std::string name = "tls-session-" + to_hex(ByteView(d, 16));
    auto rec = store.get(name);
    REQUIRE(rec.ok());
    Bytes bad = rec->view().to_bytes();
    bad[20] ^= 0x01;  // inside the session bytes
    REQUIRE(store.put(name, ByteView(bad)).ok());
    auto fresh = TlsSessionCache::create(clock).value();
    REQUIRE(fresh->persist_to(store, key.clone()).ok());
    CHECK_FALSE(fresh->find(cache_key).has_value());
    CHECK(store.get(name).error().code() == Errc::storage_not_found);
  }
  SUBCASE("a record moved to another host's name fails the check") {
    auto name_of = [](const std::string& k) {
      unsigned char d[32];
      mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(k.data()), k.size(), d, 0);
      return "tls-session-" + to_hex(ByteView(d, 16));
    };
    auto rec = store.get(name_of("naf.example.test:443|ts33141"));
    REQUIRE(rec.ok());
    REQUIRE(store.put(name_of("evil.example.test:443|ts33141"), rec->view()).ok());
    auto c2 = TlsSessionCache::create(clock).value();
    REQUIRE(c2->persist_to(store, key.clone()).ok());
    CHECK_FALSE(c2->find("evil.example.test:443|ts33141").has_value());
  }
  SUBCASE("a wrong key fails the check") {
    auto wrong = TlsSessionCache::create(clock).value();
    REQUIRE(wrong->persist_to(store, SecretBytes(ByteView(testsupport::hex("ff0102030405060708090a0b0c0d0e0f")))).ok());
    CHECK_FALSE(wrong->find("naf.example.test:443|ts33141").has_value());
    // ...and the record is gone, so even the right key no longer finds it.
    auto right = TlsSessionCache::create(clock).value();
    REQUIRE(right->persist_to(store, key.clone()).ok());
    CHECK_FALSE(right->find("naf.example.test:443|ts33141").has_value());
  }
  SUBCASE("an expired persisted session is dropped") {
    clock.advance(25h);
    auto later = TlsSessionCache::create(clock).value();
    REQUIRE(later->persist_to(store, key.clone()).ok());
    CHECK_FALSE(later->find("naf.example.test:443|ts33141").has_value());
  }
  CHECK(c->persist_to(store, SecretBytes(ByteView(testsupport::hex("0011")))).error().code() ==
        Errc::config_invalid);
}

TEST_CASE("tls context: trust anchors are mandatory and checked") {
  ManualClock clock;
  auto rnd = posix::make_system_random().value();
  TlsConfig none;
  auto r = TlsContext::create(none, *rnd, clock);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::tls_trust_config);
  CHECK(contains(r.error().message(), "no trust anchors"));
  TlsConfig missing;
  missing.trust.ca_file = "/nonexistent/ca.pem";
  CHECK(TlsContext::create(missing, *rnd, clock).error().code() == Errc::tls_trust_config);
  TlsConfig garbage;
  garbage.trust.ca_pem = {"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"};
  CHECK(TlsContext::create(garbage, *rnd, clock).error().code() == Errc::tls_trust_config);
  TlsConfig bad_profile;
  bad_profile.trust.ca_file = "/nonexistent/ca.pem";
  bad_profile.profile = TlsProfile::ts33141().only({0x0018});
  CHECK(TlsContext::create(bad_profile, *rnd, clock).error().code() == Errc::tls_profile_invalid);
}

namespace {

// A certificate to satisfy TlsContext (the handshake never gets that far).
const char* kSomeCa =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBtjCCAVugAwIBAgITBmyf1XSXNmY/Owua2eiedgPySjAKBggqhkjOPQQDAjA5\n"
    "MQswCQYDVQQGEwJVUzEPMA0GA1UEChMGQW1hem9uMRkwFwYDVQQDExBBbWF6b24g\n"
    "Um9vdCBDQSAzMB4XDTE1MDUyNjAwMDAwMFoXDTQwMDUyNjAwMDAwMFowOTELMAkG\n"
    "A1UEBhMCVVMxDzANBgNVBAoTBkFtYXpvbjEZMBcGA1UEAxMQQW1hem9uIFJvb3Qg\n"
    "Q0EgMzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCmXp8ZBf8ANm+gBG1bG8lKl\n"
    "ui2yEujSLtf6ycXYqm0fc4E7O5hrOXwzpcVOho6AF2hiRVd9RFgdszflZwjrZt6j\n"
    "QjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgGGMB0GA1UdDgQWBBSr\n"
    "ttvXBp43rDCGB5Fwx5zEGbF4wDAKBggqhkjOPQQDAgNJADBGAiEA4IWSoxe3jfkr\n"
    "BqWTrBqYaGFy+uGh0PsceGCmQ5nFuMQCIQCcAu/xlJyzlvnrxir4tiz+OpAUFteM\n"
    "YyRIHN8wfdVoOw==\n"
    "-----END CERTIFICATE-----\n";

// Reads one TLS record from `fd` and returns the ClientHello's cipher suites.
std::vector<std::uint16_t> client_hello_suites(int fd, std::uint16_t& client_version) {
  std::vector<std::uint8_t> buf;
  std::uint8_t tmp[4096];
  while (buf.size() < 5 || buf.size() < 5u + ((buf[3] << 8) | buf[4])) {
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return {};
    buf.insert(buf.end(), tmp, tmp + n);
  }
  REQUIRE(buf[0] == 22);  // handshake record
  std::size_t p = 5;
  REQUIRE(buf[p] == 1);   // ClientHello
  p += 4;
  client_version = static_cast<std::uint16_t>((buf[p] << 8) | buf[p + 1]);
  p += 2 + 32;            // version, random
  p += 1 + buf[p];        // session id
  std::size_t len = static_cast<std::size_t>((buf[p] << 8) | buf[p + 1]);
  p += 2;
  std::vector<std::uint16_t> suites;
  for (std::size_t i = 0; i < len; i += 2) suites.push_back(static_cast<std::uint16_t>((buf[p + i] << 8) | buf[p + i + 1]));
  return suites;
}

std::vector<std::uint16_t> offered_on_wire(const TlsProfile& profile, std::uint16_t& client_version) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t alen = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &alen);
  REQUIRE(::listen(lfd, 1) == 0);
  std::vector<std::uint16_t> suites;
  std::thread server([&] {
    int c = ::accept(lfd, nullptr, nullptr);
    suites = client_hello_suites(c, client_version);
    ::close(c);  // no ServerHello: the client sees the connection drop
  });
  posix::SystemClock clock;
  auto rnd = posix::make_system_random().value();
  TlsConfig cfg;
  cfg.profile = profile;
  cfg.trust.ca_pem = {kSomeCa};
  auto ctx = TlsContext::create(cfg, *rnd, clock);
  REQUIRE_MESSAGE(ctx.ok(), ctx.error().describe());
  TlsStream s(ctx.value(), std::make_unique<posix::TcpTransport>());
  auto r = s.connect({"127.0.0.1", ntohs(a.sin_port)}, 3000ms);
  server.join();
  ::close(lfd);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_peer_closed);
  return suites;
}

}  // namespace

TEST_CASE("tls wire: the ClientHello offers exactly the profile's suites") {
  std::uint16_t version = 0;
  auto suites = offered_on_wire(TlsProfile::ts33141(), version);
  CHECK(version == 0x0303);  // TLS 1.2 as the highest version
  // mbedTLS appends the renegotiation-info SCSV (0x00FF, RFC 5746): a signal, not a suite.
  std::vector<std::uint16_t> expect = {0x002F, 0x0035, 0x000A, 0x0005, 0x00FF};
  CHECK(suites == expect);

  auto no_rc4 = offered_on_wire(TlsProfile::ts33141().without(suite::rsa_rc4_128_sha), version);
  CHECK(no_rc4 == std::vector<std::uint16_t>{0x002F, 0x0035, 0x000A, 0x00FF});

  TlsProfile only3des = TlsProfile::ts33141().only({suite::rsa_3des_ede_cbc_sha});
  only3des.max_version = TlsVersion::tls1_0;
  auto des = offered_on_wire(only3des, version);
  CHECK(version == 0x0301);
  CHECK(des == std::vector<std::uint16_t>{0x000A, 0x00FF});
}
