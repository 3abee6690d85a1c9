#include "tls_server.hpp"

#include <chrono>
#include <thread>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/x509_crt.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace netsim {

using utkit::Errc;
using utkit::Error;

struct StreamServer::Impl {
  mbedtls_net_context listen;
  mbedtls_ssl_config conf;
  mbedtls_x509_crt cert;
  mbedtls_pk_context key;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_ssl_cache_context cache;
  std::mutex drbg_mu;  // CTR_DRBG is not thread-safe; connections share it
  std::vector<int> suites;
  // Full handshakes between the server's Finished and the cache store: a
  // client that reconnects at once may ask for its session in that window.
  std::atomic<int> storing{0};
  Impl() {
    mbedtls_net_init(&listen);
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&cert);
    mbedtls_pk_init(&key);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_cache_init(&cache);
  }
  ~Impl() {
    mbedtls_net_free(&listen);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&cert);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_ssl_cache_free(&cache);
  }
  // mbedtls_ssl_cache_get, but a miss while another handshake is still
  // finishing waits (briefly) for it to store its session: without this an
  // immediate reconnect is sometimes not resumed, at random.
  static int cache_get(void* p, mbedtls_ssl_session* session) {
    auto* self = static_cast<Impl*>(p);
    for (int i = 0; i < 100; ++i) {
      if (mbedtls_ssl_cache_get(&self->cache, session) == 0) return 0;
      if (self->storing.load() == 0) return 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return 1;
  }
  static int cache_set(void* p, const mbedtls_ssl_session* session) {
    return mbedtls_ssl_cache_set(&static_cast<Impl*>(p)->cache, session);
  }
  static int rng(void* p, unsigned char* out, std::size_t len) {
    auto* self = static_cast<Impl*>(p);
    std::lock_guard<std::mutex> lock(self->drbg_mu);
    return mbedtls_ctr_drbg_random(&self->drbg, out, len);
  }
};

namespace {

std::string text(int rc) {
  char buf[128];
  mbedtls_strerror(rc, buf, sizeof buf);
  return buf;
}

class TlsConn final : public Connection {
 public:
  explicit TlsConn(mbedtls_ssl_context* ssl, mbedtls_net_context* net) : ssl_(ssl), net_(net) {}
  int read(unsigned char* buf, std::size_t len) override {
    for (;;) {
      int rc = mbedtls_ssl_read(ssl_, buf, len);
      if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      return rc > 0 ? rc : 0;
    }
  }
  int write(const unsigned char* buf, std::size_t len) override {
    std::size_t off = 0;
    while (off < len) {
      int rc = mbedtls_ssl_write(ssl_, buf + off, len - off);
      if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
      if (rc <= 0) return rc;
      off += static_cast<std::size_t>(rc);
    }
    return static_cast<int>(len);
  }
  std::uint16_t suite() const override { return static_cast<std::uint16_t>(ssl_->session->ciphersuite); }
  void abort() override { ::shutdown(net_->fd, SHUT_RDWR); }

 private:
  mbedtls_ssl_context* ssl_;
  mbedtls_net_context* net_;
};

class PlainConn final : public Connection {
 public:
  PlainConn(mbedtls_net_context* net, int timeout_ms) : net_(net), timeout_(static_cast<std::uint32_t>(timeout_ms)) {}
  int read(unsigned char* buf, std::size_t len) override {
    int rc = mbedtls_net_recv_timeout(net_, buf, len, timeout_);
    return rc > 0 ? rc : 0;
  }
  int write(const unsigned char* buf, std::size_t len) override {
    std::size_t off = 0;
    while (off < len) {
      int rc = mbedtls_net_send(net_, buf + off, len - off);
      if (rc <= 0) return rc;
      off += static_cast<std::size_t>(rc);
    }
    return static_cast<int>(len);
  }
  std::uint16_t suite() const override { return 0; }
  void abort() override { ::shutdown(net_->fd, SHUT_RDWR); }

 private:
  mbedtls_net_context* net_;
  std::uint32_t timeout_;
};

}  // namespace

void StreamServer::echo(Connection& c) {
  unsigned char buf[4096];
  for (;;) {
    int n = c.read(buf, sizeof buf);
    if (n <= 0 || c.write(buf, static_cast<std::size_t>(n)) <= 0) return;
  }
}

utkit::Result<std::unique_ptr<StreamServer>> StreamServer::start(Options o, Handler handler) {
  std::unique_ptr<StreamServer> s(new StreamServer);
  s->impl_ = std::make_unique<Impl>();
  s->handler_ = std::move(handler);
  s->opt_ = o;
  Impl& d = *s->impl_;
  int rc = 0;
  if (o.tls) {
    rc = mbedtls_ctr_drbg_seed(&d.drbg, mbedtls_entropy_func, &d.entropy,
                               reinterpret_cast<const unsigned char*>("netsim-tls"), 10);
    if (rc != 0) return Error(Errc::internal, "server DRBG: " + text(rc));
    if ((rc = mbedtls_x509_crt_parse_file(&d.cert, o.cert_file.c_str())) != 0) {
      return Error(Errc::config_invalid, "server certificate '" + o.cert_file + "': " + text(rc));
    }
    if ((rc = mbedtls_pk_parse_keyfile(&d.key, o.key_file.c_str(), nullptr)) != 0) {
      return Error(Errc::config_invalid, "server key '" + o.key_file + "': " + text(rc));
    }
    mbedtls_ssl_config_defaults(&d.conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                MBEDTLS_SSL_PRESET_DEFAULT);
    mbedtls_ssl_conf_rng(&d.conf, &Impl::rng, &d);
    mbedtls_ssl_conf_own_cert(&d.conf, &d.cert, &d.key);
    for (auto id : o.suites) d.suites.push_back(id);
    d.suites.push_back(0);
    mbedtls_ssl_conf_ciphersuites(&d.conf, d.suites.data());
    mbedtls_ssl_conf_arc4_support(&d.conf, MBEDTLS_SSL_ARC4_ENABLED);
    mbedtls_ssl_conf_min_version(&d.conf, 3, static_cast<int>(o.min_version));
    mbedtls_ssl_conf_max_version(&d.conf, 3, static_cast<int>(o.max_version));
    mbedtls_ssl_conf_authmode(&d.conf, o.request_client_cert ? MBEDTLS_SSL_VERIFY_OPTIONAL : MBEDTLS_SSL_VERIFY_NONE);
    if (o.request_client_cert) mbedtls_ssl_conf_ca_chain(&d.conf, &d.cert, nullptr);
    mbedtls_ssl_conf_session_cache(&d.conf, &d, &Impl::cache_get, &Impl::cache_set);
    mbedtls_ssl_conf_read_timeout(&d.conf, static_cast<std::uint32_t>(o.read_timeout_ms));
  }
  const std::string port = std::to_string(o.port);
  if ((rc = mbedtls_net_bind(&d.listen, o.bind_address.c_str(), port.c_str(), MBEDTLS_NET_PROTO_TCP)) != 0) {
    return Error(Errc::net_io, "server bind " + o.bind_address + ":" + port + ": " + text(rc));
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(d.listen.fd, reinterpret_cast<sockaddr*>(&ss), &len);
  s->port_ = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  s->thread_ = std::thread([srv = s.get()] { srv->run(); });
  return s;
}

void StreamServer::run() {
  Impl& d = *impl_;
  while (!stop_) {
    // Wait for a client, waking up regularly to notice stop().
    if (mbedtls_net_poll(&d.listen, MBEDTLS_NET_POLL_READ, 100) <= 0) continue;
    mbedtls_net_context client;
    mbedtls_net_init(&client);
    if (mbedtls_net_accept(&d.listen, &client, nullptr, 0, nullptr) != 0) {
      mbedtls_net_free(&client);
      continue;
    }
    ++connections_;
    int fd = client.fd;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> lock(workers_mu_);
    open_fds_.insert(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void StreamServer::serve(int fd) {
  mbedtls_net_context client;
  mbedtls_net_init(&client);
  client.fd = fd;
  auto done = [&] {
    {
      std::lock_guard<std::mutex> lock(workers_mu_);
      open_fds_.erase(fd);  // before the close: stop() must never shut a reused descriptor
    }
    mbedtls_net_free(&client);
  };
  if (!opt_.tls) {
    PlainConn c(&client, opt_.read_timeout_ms);
    handler_(c);
    done();
    return;
  }
  mbedtls_ssl_context ssl;
  mbedtls_ssl_init(&ssl);
  mbedtls_ssl_setup(&ssl, &impl_->conf);
  mbedtls_ssl_set_bio(&ssl, &client, mbedtls_net_send, nullptr, mbedtls_net_recv_timeout);
  int rc;
  ++impl_->storing;
  do {
    rc = mbedtls_ssl_handshake(&ssl);
  } while (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE);
  --impl_->storing;
  if (rc == 0) {
    ++handshakes_;
    TlsConn c(&ssl, &client);
    handler_(c);
    mbedtls_ssl_close_notify(&ssl);
  }
  mbedtls_ssl_free(&ssl);
  done();
}

void StreamServer::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(workers_mu_);
    // Wake handlers blocked in a read (up to read_timeout_ms otherwise).
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
}

StreamServer::~StreamServer() { stop(); }

}  // namespace netsim
