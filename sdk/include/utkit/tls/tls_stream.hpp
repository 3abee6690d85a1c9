// utkit/tls/tls_stream.hpp — the TLS client: a Transport over a Transport.
//
//   auto ctx = TlsContext::create(config, random, clock, cache, &logger);
//   TlsStream tls(ctx.value(), std::make_unique<posix::TcpTransport>());
//   tls.connect({"naf.example.test", 443}, 10s);   // TCP + handshake
//   tls.write(...); tls.read(...);                  // like any Transport
//   tls.info().suite_id                             // 0x000A: for GBA's NAF_Id
//
// What the client does, always (docs/security-profile.md):
//   * offers exactly the profile's suites (RC4 switched on when listed),
//     between its versions; no SSL 3.0;
//   * sends no client certificate: a CertificateRequest gets an empty
//     Certificate message (T6);
//   * verifies the server's chain against the trust anchors, with the
//     hostname (SNI and name check) always set (T7);
//   * resumes sessions from the TlsSessionCache, never older than its cap (T8);
//   * session tickets only when asked (TS 33.141 names session IDs).
// Every failure is a typed Errc::tls_* error that names the cause.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "utkit/base/clock.hpp"
#include "utkit/base/log.hpp"
#include "utkit/base/random.hpp"
#include "utkit/base/transport.hpp"
#include "utkit/tls/profile.hpp"
#include "utkit/tls/session_cache.hpp"

namespace utkit::tls {

struct TrustAnchors {
  std::string ca_file;              // PEM or DER file with one or more CA certificates
  std::string ca_dir;               // a directory of CA certificate files
  std::vector<std::string> ca_pem;  // in-memory PEM (or DER) certificates
};

enum class X509Policy {
  strict,  // default: SHA-256/384/512 signatures, RSA >= 2048, P-256/P-384/P-521 ECDSA
  legacy,  // also SHA-1 signatures and RSA >= 1024: WAPCert-era servers only
};

enum class MaxFragment { none = 0, f512 = 512, f1024 = 1024, f2048 = 2048, f4096 = 4096 };

struct TlsConfig {
  TlsProfile profile = TlsProfile::ts33141();
  TrustAnchors trust;
  X509Policy x509 = X509Policy::strict;
  MaxFragment max_fragment = MaxFragment::none;  // RFC 3546 max_fragment_length (T9)
  bool truncated_hmac = false;                   // RFC 3546 truncated_hmac (T9)
  bool session_tickets = false;                  // RFC 5077; off: TS 33.141 uses session IDs
};

struct PeerCertificate {
  std::string subject;
  std::string issuer;
  std::string not_before;  // "2026-01-01 00:00:00" (UTC)
  std::string not_after;
  std::uint32_t key_bits = 0;
};

struct TlsInfo {
  TlsVersion version = TlsVersion::tls1_0;
  std::uint16_t suite_id = 0;  // IANA number: GBA puts it in the NAF_Id (TS 33.220 Annex H)
  std::string suite;           // IANA name
  bool resumed = false;
  PeerCertificate peer;
};

// Shared, read-only TLS configuration: parsed trust anchors and the mbedTLS
// config. One context serves any number of streams, from several threads.
class TlsContext {
 public:
  // Validates the profile and loads the trust anchors. `random`, `clock`,
  // `cache` (optional) and `log` (optional) must outlive the context.
  static Result<std::shared_ptr<TlsContext>> create(TlsConfig config, Random& random, const Clock& clock,
                                                    TlsSessionCache* cache = nullptr, const Logger* log = nullptr);
  ~TlsContext();

  const TlsConfig& config() const { return config_; }
  TlsSessionCache* cache() const { return cache_; }
  const Logger* logger() const { return log_; }
  const Clock& clock() const { return clock_; }

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  TlsContext(TlsConfig config, const Clock& clock, TlsSessionCache* cache, const Logger* log);
  TlsConfig config_;
  const Clock& clock_;
  TlsSessionCache* cache_;
  const Logger* log_;
  std::unique_ptr<Impl> impl_;
};

class TlsStream final : public Transport {
 public:
  TlsStream(std::shared_ptr<TlsContext> context, std::unique_ptr<Transport> inner);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // The name used for SNI and the certificate check; defaults to the host
  // given to connect(). Set before connect().
  void set_server_name(std::string name) { server_name_ = std::move(name); }

  // Opens the inner transport and completes the handshake within `timeout`:
  // the whole handshake, however the peer splits its records. read() and
  // write() are bounded the same way by their own timeout.
  Result<void> connect(const Endpoint& to, Millis timeout) override;
  // The handshake alone, over an inner transport that is already connected
  // (e.g. a tunnel through an HTTP proxy). `to` names the server.
  Result<void> start_tls(const Endpoint& to, Millis timeout);
  Result<std::size_t> read(std::uint8_t* buf, std::size_t cap, Millis timeout) override;
  Result<void> write(ByteView data, Millis timeout) override;
  // Sends close_notify (best effort) and closes the inner transport.
  void close() override;
  bool is_open() const override;
  bool idle_clean() override;
  void set_cancel(const CancelToken* token) override { inner_->set_cancel(token); }
  // Bytes on the wire (the inner transport's counts, records included).
  TransportStats stats() const override { return inner_->stats(); }

  // Valid after a successful connect().
  const TlsInfo& info() const { return info_; }

  struct Impl;

 private:
  std::shared_ptr<TlsContext> ctx_;
  std::unique_ptr<Transport> inner_;
  std::unique_ptr<Impl> impl_;
  std::string server_name_;
  TlsInfo info_;
};

}  // namespace utkit::tls
