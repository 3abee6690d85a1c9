// tests/support/ut_network.hpp — the local test network for UtSession tests:
// netsim's BSF (with the test subscriber in its AuC), an XCAP server behind a
// NAF with TLS and GBA Digest, name pins to loopback, the handset's software
// USIM, and a handset "disk" (a store and a TLS session key) that outlives
// sessions, so that a new session on it is a restarted app.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "bsf.hpp"
#include "naf.hpp"
#include "xcap_server.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"
#include "utkit/ut/session.hpp"

namespace testsupport {

using namespace utkit;

inline const std::string kXui = "sip:alice@example.test";

inline std::string pki(const std::string& f) {
  const char* d = std::getenv("UTKIT_PKI_DIR");
  REQUIRE(d != nullptr);
  return std::string(d) + "/" + f;
}

struct Network {
  posix::SystemClock clock;
  std::unique_ptr<Random> random = posix::make_system_random().value();
  posix::ResolveOverrides resolve;
  posix::TcpTransportFactory tcp{&resolve};
  std::unique_ptr<netsim::Bsf> bsf;
  netsim::XcapServer xcap;
  std::unique_ptr<netsim::Naf> naf;
  std::unique_ptr<aka::SoftUsim> usim;

  Network() {
    auto auc = netsim::Auc::from_json(R"({"subscribers":[{"impi":"001010000000001@ims.mnc001.mcc001.3gppnetwork.org",
      "k":"465b5ce8b199b49faa5f0a2ee238a6bc","opc":"cd63cb71954a9f4e48a5994e37a02baf","amf":"8000"}]})").value();
    bsf = netsim::Bsf::start({}, std::move(auc), clock, *random).value();
    (void)resolve.add("bsf.example.test:" + std::to_string(bsf->port()), "127.0.0.1");
    naf = start_naf(xcap);
    aka::SoftUsimConfig uc;
    uc.k = secret_from_hex("465b5ce8b199b49faa5f0a2ee238a6bc").value();
    uc.opc = secret_from_hex("cd63cb71954a9f4e48a5994e37a02baf").value();
    uc.imsi = "001010000000001";
    uc.mnc_length = 2;
    uc.impus = {kXui};
    usim = aka::SoftUsim::create(std::move(uc), nullptr).value();
  }
  std::unique_ptr<netsim::Naf> start_naf(netsim::XcapServer& xs) {
    netsim::Naf::Options o;
    o.server.cert_file = pki("good.pem");
    o.server.key_file = pki("good.key");
    auto n = netsim::Naf::start(o, *bsf, xs).value();
    (void)resolve.add("naf.example.test:" + std::to_string(n->port()), "127.0.0.1");
    return n;
  }
  // The NAF reached through a port in front of it (a netsim::FaultProxy):
  // the same name, so TLS still checks naf.example.test.
  ut::UtConfig config_via(std::uint16_t port) {
    (void)resolve.add("naf.example.test:" + std::to_string(port), "127.0.0.1");
    ut::UtConfig c = config(*naf);
    c.xcap_root = "https://naf.example.test:" + std::to_string(port) + "/xcap-root";
    return c;
  }
  ut::UtConfig config(const netsim::Naf& n) {
    ut::UtConfig c;
    c.xcap_root = "https://naf.example.test:" + std::to_string(n.port()) + "/xcap-root";
    c.gba.bsf_url = "http://bsf.example.test:" + std::to_string(bsf->port()) + "/";
    c.tls.trust.ca_file = pki("ca.pem");
    return c;
  }
  ut::Platform platform() { return ut::Platform{tcp, *random, clock, nullptr, nullptr}; }

  // A handset's state on disk, shared by every session made with these: a
  // new session on them is a restarted app.
  MemoryKeyValueStore disk;
  std::shared_ptr<const SecretBytes> disk_key =
      std::make_shared<const SecretBytes>(ByteView::of("0123456789abcdef0123456789abcdef"));
  ut::Platform disk_platform() { return ut::Platform{tcp, *random, clock, &disk, nullptr}; }
  ut::UtConfig disk_config() {
    ut::UtConfig c = config(*naf);
    c.tls_session_key = disk_key;
    return c;
  }
};


}  // namespace testsupport
