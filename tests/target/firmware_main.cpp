// The Cortex-M4 firmware of tests/target: what a device without an IP stack
// does with utkit. Three cases, each measured on the target (figures go to
// the console as "figure <case>.<name> <value>" lines):
//   cold       nothing stored: GBA bootstrap on Ub (HTTP Digest AKA with the
//              soft USIM), then TLS (full handshake, one of the TS 33.141
//              suites) to the NAF, GBA Digest, and one XCAP operation
//              (add a buddy: the list document is written)
//   live       the same session: list the buddies again
//   restarted  a new session on the state the first one stored (B-TID, TLS
//              session, Digest nonce): list the buddies, no bootstrap
//   untrusted  a device provisioned with another CA: the NAF's certificate
//              is refused (tls.cert_unknown_issuer) before any HTTP
// The network (BSF, NAF, XCAP server) is tests/netsim on the host, reached
// through board/pipe_transport (semihosting pipes + pipe-relay).
//   firmware --bsf PORT --naf PORT --ca CA.pem --other-ca CA2.pem --pipes DIR
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "board/board.h"
#include "board/board_platform.hpp"
#include "utkit/aka/soft_usim.hpp"
#include "utkit/base/encoding.hpp"
#include "utkit/base/kv_store.hpp"
#include "utkit/ut/session.hpp"

namespace {

// The subscriber netsim's AuC knows (run.sh writes the same K and OPc).
constexpr const char* kImsi = "001010000000001";
constexpr const char* kK = "465b5ce8b199b49faa5f0a2ee238a6bc";
constexpr const char* kOpc = "cd63cb71954a9f4e48a5994e37a02baf";
constexpr const char* kXui = "sip:alice@example.test";
constexpr const char* kBuddy = "sip:bob@example.test";

int fail(const char* what, const utkit::Error& e) {
  std::printf("FAIL %s: %s\n", what, e.describe().c_str());
  return 1;
}

void figure(const char* name, unsigned long long value) { std::printf("figure %s %llu\n", name, value); }

// The painted stack shows how deep a case went; within 1 KiB of its end
// (or past it, into the heap below) is a failure, not a figure.
bool stack_ok(const char* label) {
  if (board_stack_used() + 1024 <= board_stack_size()) return true;
  std::printf("FAIL %s: the main stack (%u bytes) is exhausted\n", label, static_cast<unsigned>(board_stack_size()));
  return false;
}

// The figures of one case: the NAF's traffic, Ub runs, heap and stack.
void report(const char* label, const utkit::ut::UtStats& s, int bootstraps) {
  const board_heap_stats heap = board_heap();
  const std::string p = label;
  figure((p + ".naf_round_trips").c_str(), static_cast<unsigned>(s.naf.round_trips()));
  figure((p + ".naf_bytes_sent").c_str(), s.naf.bytes_sent);
  figure((p + ".naf_bytes_received").c_str(), s.naf.bytes_received);
  figure((p + ".tls_full").c_str(), static_cast<unsigned>(s.naf.tls_full));
  figure((p + ".tls_resumed").c_str(), static_cast<unsigned>(s.naf.tls_resumed));
  figure((p + ".bootstraps").c_str(), static_cast<unsigned>(bootstraps));
  figure((p + ".heap_peak").c_str(), heap.peak);
  figure((p + ".heap_allocations").c_str(), heap.allocations);
  figure((p + ".stack").c_str(), board_stack_used());
}

}  // namespace

int main(int argc, char** argv) {
  std::string bsf_port, naf_port, ca_file, other_ca_file, pipes;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--bsf") bsf_port = argv[i + 1];
    else if (a == "--naf") naf_port = argv[i + 1];
    else if (a == "--ca") ca_file = argv[i + 1];
    else if (a == "--other-ca") other_ca_file = argv[i + 1];
    else if (a == "--pipes") pipes = argv[i + 1];
  }
  if (bsf_port.empty() || naf_port.empty() || ca_file.empty() || other_ca_file.empty() || pipes.empty()) {
    std::printf("FAIL usage: firmware --bsf PORT --naf PORT --ca CA.pem --other-ca CA2.pem --pipes DIR\n");
    return 2;
  }
  figure("heap.limit", board_heap().heap_limit);
  figure("stack.size", board_stack_size());

  // Provisioning a real device does at the factory: the CA, the USIM's keys.
  auto ca = board::read_host_file(ca_file);
  if (!ca) return fail("CA", ca.error());
  board::HostEntropy entropy;
  auto random = utkit::CtrDrbgRandom::create(entropy, "utkit-m4");
  if (!random) return fail("random", random.error());
  board::BoardClock clock;
  board::PipeTransportFactory net(pipes, 8);
  utkit::MemoryKeyValueStore store;  // the device's flash, kept across "restarts"

  utkit::aka::SoftUsimConfig uc;
  uc.k = utkit::secret_from_hex(kK).value();
  uc.opc = utkit::secret_from_hex(kOpc).value();
  uc.imsi = kImsi;
  uc.mnc_length = 2;
  uc.impus = {kXui};
  auto usim = utkit::aka::SoftUsim::create(std::move(uc), &store);
  if (!usim) return fail("USIM", usim.error());

  utkit::ut::UtConfig config;
  config.xcap_root = "https://naf.example.test:" + naf_port + "/xcap-root";
  config.gba.bsf_url = "http://bsf.example.test:" + bsf_port + "/";
  config.tls.trust.ca_pem = {ca.value()};
  config.tls_session_key = std::make_shared<const utkit::SecretBytes>(
      utkit::ByteView::of("firmware-tls-session-key-32bytes"));
  const utkit::ut::Platform platform{net, *random.value(), clock, &store, nullptr};

  {
    // Cold: bootstrap + one XCAP operation.
    board_heap_reset_peak();
    board_stack_paint();
    auto session = utkit::ut::UtSession::create(config, *usim.value(), platform);
    if (!session) return fail("session", session.error());
    auto& ut = *session.value();
    auto added = ut.add_buddy({kBuddy, "Bob"});
    if (!added) return fail("cold: add a buddy", added.error());
    const auto info = ut.tls_info();
    if (!info || info->resumed) return std::printf("FAIL cold: no full TLS handshake\n"), 1;
    std::printf("cold: bootstrapped, TLS %s, suite %s, server %s\n",
                info->version == utkit::tls::TlsVersion::tls1_2 ? "1.2" : "1.0/1.1", info->suite.c_str(),
                info->peer.subject.c_str());
    const int cold_bootstraps = ut.stats().gba.bootstraps;
    if (cold_bootstraps != 1 || ut.stats().naf.tls_full != 1) {
      return std::printf("FAIL cold: expected one bootstrap and one full TLS handshake\n"), 1;
    }
    if (!stack_ok("cold")) return 1;
    report("cold", ut.stats(), cold_bootstraps);

    // Live: the same session, its connection kept alive.
    ut.reset_stats();
    figure("live.heap_held", board_heap().live);  // what the session keeps between operations
    board_heap_reset_peak();
    board_stack_paint();
    auto list = ut.buddies();
    if (!list) return fail("live: list", list.error());
    if (list.value().size() != 1 || list.value()[0].uri != kBuddy || list.value()[0].display_name != "Bob") {
      return std::printf("FAIL live: the list does not hold the buddy just added\n"), 1;
    }
    const auto live = ut.stats();
    if (live.naf.round_trips() != 1 || live.naf.tls_full != 0 || live.gba.bootstraps != cold_bootstraps) {
      return std::printf("FAIL live: expected one exchange on the kept-alive connection, got %d round trips\n",
                         live.naf.round_trips()),
             1;
    }
    if (!stack_ok("live")) return 1;
    std::printf("live: %u buddy listed\n", static_cast<unsigned>(list.value().size()));
    report("live", ut.stats(), ut.stats().gba.bootstraps - cold_bootstraps);
  }

  {
    // Restarted: a new session on the stored state.
    board_heap_reset_peak();
    board_stack_paint();
    auto session = utkit::ut::UtSession::create(config, *usim.value(), platform);
    if (!session) return fail("restarted: session", session.error());
    auto list = session.value()->buddies();
    if (!list) return fail("restarted: list", list.error());
    if (list.value().size() != 1 || list.value()[0].uri != kBuddy) {
      return std::printf("FAIL restarted: the buddy is not listed\n"), 1;
    }
    const auto st = session.value()->stats();
    if (st.gba.bootstraps != 0) return std::printf("FAIL restarted: bootstrapped again\n"), 1;
    if (st.naf.tls_resumed != 1 || st.naf.tls_full != 0) {
      return std::printf("FAIL restarted: the stored TLS session was not resumed\n"), 1;
    }
    if (!stack_ok("restarted")) return 1;
    std::printf("restarted: %u buddy listed, TLS resumed\n", static_cast<unsigned>(list.value().size()));
    report("restarted", st, st.gba.bootstraps);
  }
  {
    // Untrusted: another CA, and no stored state (a stored TLS session
    // would be resumed without a certificate).
    auto other = board::read_host_file(other_ca_file);
    if (!other) return fail("other CA", other.error());
    utkit::ut::UtConfig c = config;
    c.tls.trust.ca_pem = {other.value()};
    utkit::MemoryKeyValueStore empty;
    const utkit::ut::Platform p{net, *random.value(), clock, &empty, nullptr};
    auto session = utkit::ut::UtSession::create(c, *usim.value(), p);
    if (!session) return fail("untrusted: session", session.error());
    auto list = session.value()->buddies();
    if (list || list.error().code() != utkit::Errc::tls_cert_unknown_issuer) {
      return std::printf("FAIL untrusted: expected tls.cert_unknown_issuer, got %s\n",
                         list ? "a list" : list.error().describe().c_str()),
             1;
    }
    const auto st = session.value()->stats();
    if (st.naf.exchanges != 0 || st.gba.bootstraps != 0) {
      return std::printf("FAIL untrusted: HTTP went out over an unverified connection\n"), 1;
    }
    std::printf("untrusted: refused: %s\n", list.error().describe().c_str());
  }
  // BSF and NAF cold, NAF restarted, NAF untrusted: the live case opened none.
  if (net.connections() != 4) {
    return std::printf("FAIL expected 4 connections in all, made %d\n", net.connections()), 1;
  }
  figure("connections", static_cast<unsigned>(net.connections()));
  figure("heap.live_at_end", board_heap().live);
  // The program break's high-water mark since reset (newlib takes 4 KiB
  // pages: up to a page of it may be a free top block), and how far into
  // the heap a block ever reached: the RAM the run needed, the allocator's
  // headers and fragmentation included.
  figure("heap.sbrk_peak", board_heap().sbrk_bytes);
  figure("heap.extent_peak", board_heap().extent_peak);
  std::printf("PASS firmware: bootstrap, TLS, GBA Digest and XCAP on the Cortex-M4\n");
  return 0;
}
