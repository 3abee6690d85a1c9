// netsim::StreamServer — the transport of the local test network's servers:
// plain TCP, or TLS on mbedTLS 2.28 with the TS 33.141 suites (3DES, RC4,
// AES-CBC) that Debian's OpenSSL no longer has, a session cache for
// resumption, and an optional CertificateRequest. Each connection runs in its
// own thread and is handed to the handler (after the handshake for TLS).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <set>
#include <vector>

#include "utkit/base/result.hpp"
#include "utkit/tls/profile.hpp"

namespace netsim {

class Connection {
 public:
  virtual ~Connection() = default;
  // Blocking, with the server's read timeout; 0 = closed or timed out.
  virtual int read(unsigned char* buf, std::size_t len) = 0;
  virtual int write(const unsigned char* buf, std::size_t len) = 0;
  // The negotiated suite (IANA number); 0 for plain TCP.
  virtual std::uint16_t suite() const = 0;
  // Drop the connection abruptly (fault injection).
  virtual void abort() = 0;
};
using TlsConnection = Connection;  // former name

class StreamServer {
 public:
  struct Options {
    bool tls = true;
    std::string cert_file;  // PEM chain, leaf first (TLS)
    std::string key_file;
    std::vector<std::uint16_t> suites = utkit::tls::TlsProfile::ts33141().suites;
    utkit::tls::TlsVersion min_version = utkit::tls::TlsVersion::tls1_0;
    utkit::tls::TlsVersion max_version = utkit::tls::TlsVersion::tls1_2;
    bool request_client_cert = false;  // CertificateRequest; a client without one still gets in
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: ephemeral
    int read_timeout_ms = 5000;
  };
  using Handler = std::function<void(Connection&)>;

  // Echoes every byte back until the client closes.
  static void echo(Connection& c);

  static utkit::Result<std::unique_ptr<StreamServer>> start(Options options, Handler handler);
  ~StreamServer();

  std::uint16_t port() const { return port_; }
  std::size_t connections() const { return connections_; }
  std::size_t handshakes() const { return handshakes_; }
  // Stops accepting, shuts down the open connections (a handler blocked in
  // a read returns at once) and joins every thread.
  void stop();
  bool stopping() const { return stop_; }

 private:
  StreamServer() = default;
  void run();
  void serve(int fd);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Options opt_;
  Handler handler_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> connections_{0}, handshakes_{0};
  std::thread thread_;
  std::mutex workers_mu_;
  std::vector<std::thread> workers_;
  std::set<int> open_fds_;  // connections being served (guarded by workers_mu_)
};
using TlsServer = StreamServer;  // former name

}  // namespace netsim
