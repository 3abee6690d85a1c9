// netsim::TlsServer — an mbedTLS 2.28 TLS server for the local test network
// (the NAF's front and the benchmarks' peer). It speaks the TS 33.141 suites
// (3DES, RC4, AES-CBC) that Debian's OpenSSL no longer has, keeps a session
// cache for resumption, and can ask for a client certificate (optional).
// One thread accepts and serves connections one after another; each
// connection is handed to the handler after the handshake.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "utkit/base/result.hpp"
#include "utkit/tls/profile.hpp"

namespace netsim {

class TlsConnection {
 public:
  virtual ~TlsConnection() = default;
  // Blocking; 0 = closed.
  virtual int read(unsigned char* buf, std::size_t len) = 0;
  virtual int write(const unsigned char* buf, std::size_t len) = 0;
  virtual std::uint16_t suite() const = 0;
};

class TlsServer {
 public:
  struct Options {
    std::string cert_file;  // PEM chain, leaf first
    std::string key_file;
    std::vector<std::uint16_t> suites = utkit::tls::TlsProfile::ts33141().suites;
    utkit::tls::TlsVersion min_version = utkit::tls::TlsVersion::tls1_0;
    utkit::tls::TlsVersion max_version = utkit::tls::TlsVersion::tls1_2;
    bool request_client_cert = false;  // CertificateRequest; a client without one still gets in
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: ephemeral
  };
  using Handler = std::function<void(TlsConnection&)>;

  // Echoes every byte back until the client closes.
  static void echo(TlsConnection& c);

  static utkit::Result<std::unique_ptr<TlsServer>> start(Options options, Handler handler);
  ~TlsServer();

  std::uint16_t port() const { return port_; }
  std::size_t handshakes() const { return handshakes_; }
  void stop();

 private:
  TlsServer() = default;
  void run();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Handler handler_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> handshakes_{0};
  std::thread thread_;
};

}  // namespace netsim
