#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace netsim {

using namespace std::chrono_literals;

Weather Weather::named(const std::string& name) {
  Weather w;
  if (name == "edge") {  // EDGE: ~100 kbit/s, 150 ms each way, some jitter
    w.latency = 150ms;
    w.jitter = 50ms;
    w.bits_per_second = 100000;
  } else if (name == "3g") {  // UMTS R99: 384 kbit/s, 50 ms each way
    w.latency = 50ms;
    w.jitter = 20ms;
    w.bits_per_second = 384000;
  } else if (name == "lossy-radio") {  // retransmissions below TCP: large jitter
    w.latency = 40ms;
    w.jitter = 250ms;
    w.bits_per_second = 1000000;
  } else if (name == "stall") {  // a radio stall of 1.5 s inside the first answer
    w.stall = 1500ms;
    w.stall_after = 200;
  } else if (name == "drip") {  // a byte every 50 ms from the server
    w.drip_bytes = 1;
    w.drip_interval = 50ms;
  }
  return w;
}

struct FaultProxy::Link {
  int client = -1;
  int server = -1;
  std::atomic<bool> closed{false};
  std::atomic<bool> stalled{false};
  std::atomic<bool> hole{false};
  std::atomic<std::uint64_t> from_server{0};
  ~Link() {
    if (client >= 0) ::close(client);
    if (server >= 0) ::close(server);
  }
  void cut(bool rst) {
    if (closed.exchange(true)) return;
    if (rst) {
      linger l{1, 0};  // close() then sends an RST
      ::setsockopt(client, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::shutdown(client, SHUT_RDWR);
    ::shutdown(server, SHUT_RDWR);
  }
};

namespace {
bool send_all(int fd, const unsigned char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}
}  // namespace

utkit::Result<std::unique_ptr<FaultProxy>> FaultProxy::start(std::uint16_t upstream, Weather weather) {
  std::unique_ptr<FaultProxy> p(new FaultProxy);
  p->upstream_ = upstream;
  p->weather_ = weather;
  p->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(p->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (p->listen_fd_ < 0 || ::bind(p->listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(p->listen_fd_, 64) != 0 || ::getsockname(p->listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return utkit::Error(utkit::Errc::net_io, std::string("fault proxy: ") + std::strerror(errno));
  }
  p->port_ = ntohs(a.sin_port);
  p->acceptor_ = std::thread([raw = p.get()] { raw->accept_loop(); });
  return p;
}

FaultProxy::~FaultProxy() { stop(); }

void FaultProxy::set(const Weather& w) {
  std::lock_guard<std::mutex> lock(mu_);
  weather_ = w;
}

Weather FaultProxy::weather() const {
  std::lock_guard<std::mutex> lock(mu_);
  return weather_;
}

bool FaultProxy::nap(std::chrono::milliseconds d) {
  if (d.count() <= 0) return !stop_;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_.load(); });
  return !stop_;
}

void FaultProxy::drop_all() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& w : links_) {
    if (auto l = w.lock()) l->cut(true);
  }
}

void FaultProxy::black_hole_open() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& w : links_) {
    if (auto l = w.lock()) l->hole = true;
  }
}

void FaultProxy::stop() {
  if (stop_.exchange(true)) return;
  cv_.notify_all();
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  drop_all();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

void FaultProxy::accept_loop() {
  while (!stop_) {
    pollfd pf{listen_fd_, POLLIN, 0};
    if (::poll(&pf, 1, 100) <= 0) continue;
    const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(upstream_);
    if (s < 0 || ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(c);
      if (s >= 0) ::close(s);
      continue;
    }
    int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto link = std::make_shared<Link>();
    link->client = c;
    link->server = s;
    ++connections_;
    std::lock_guard<std::mutex> lock(mu_);
    links_.push_back(link);
    workers_.emplace_back([this, link] { relay(link, true); });
    workers_.emplace_back([this, link] { relay(link, false); });
  }
}

void FaultProxy::relay(std::shared_ptr<Link> link, bool to_server) {
  const int src = to_server ? link->client : link->server;
  const int dst = to_server ? link->server : link->client;
  unsigned char buf[16384];
  while (!stop_ && !link->closed) {
    pollfd pf{src, POLLIN, 0};
    const int rc = ::poll(&pf, 1, 100);
    if (rc == 0) continue;
    if (rc < 0 && errno == EINTR) continue;
    const ssize_t n = rc < 0 ? -1 : ::recv(src, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    Weather w = weather();
    if (link->hole) w.black_hole = true;
    if (n <= 0) {
      if (w.black_hole) continue;  // a black hole passes no FIN either
      if (n == 0) {
        ::shutdown(dst, SHUT_WR);  // pass the FIN on; the other way may still carry bytes
        return;
      }
      link->cut(true);
      return;
    }
    if (w.black_hole) continue;
    std::size_t len = static_cast<std::size_t>(n);
    if (!to_server) {
      std::uint64_t before = link->from_server.fetch_add(len);
      if (w.cut_after != 0 && before + len >= w.cut_after) {
        len = before >= w.cut_after ? 0 : static_cast<std::size_t>(w.cut_after - before);
        if (len > 0) (void)send_all(dst, buf, len);
        down_bytes_ += len;
        link->cut(w.reset);
        return;
      }
      if (w.stall.count() > 0 && before + len >= w.stall_after && !link->stalled.exchange(true)) {
        if (!nap(w.stall)) return;
      }
    }
    const std::size_t piece = (!to_server && w.drip_bytes != 0) ? w.drip_bytes : len;
    for (std::size_t off = 0; off < len; off += piece) {
      const std::size_t k = std::min(piece, len - off);
      auto delay = w.latency;
      if (w.jitter.count() > 0) {
        std::lock_guard<std::mutex> lock(mu_);
        delay += std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, w.jitter.count())(rng_));
      }
      if (w.bits_per_second != 0) delay += std::chrono::milliseconds(k * 8 * 1000 / w.bits_per_second);
      if (!to_server && w.drip_bytes != 0) delay += w.drip_interval;
      if (!nap(delay)) return;
      if (link->closed || !send_all(dst, buf + off, k)) {
        link->cut(true);
        return;
      }
      (to_server ? up_bytes_ : down_bytes_) += k;
    }
  }
}

}  // namespace netsim
