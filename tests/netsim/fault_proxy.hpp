// netsim::FaultProxy — network weather between the handset and a server, on
// loopback: a TCP relay that forwards the genuine bytes both ways (TLS
// passes through untouched) and applies, per direction and per piece, what
// a mobile network does: latency and jitter, a bandwidth cap (EDGE, 3G),
// re-segmentation into pieces of N bytes at an interval (the drip that keeps
// a naive client waiting forever), a stall of N ms after some bytes, a black
// hole (bytes taken and never delivered, no FIN, no RST: a NAT that forgot
// the mapping), a cut after N bytes from the server (FIN, or RST).
//
// The weather can change while connections are open (set()): a kept-alive
// connection can go black between two requests, as a radio link does. The
// kernel here has no netem, so this runs in user space, a thread per
// direction per connection. Every sleep ends at once on stop().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "utkit/base/result.hpp"

namespace netsim {

struct Weather {
  std::chrono::milliseconds latency{0};  // added to every piece, each way
  std::chrono::milliseconds jitter{0};   // + a uniform 0..jitter
  std::uint64_t bits_per_second = 0;     // each way; 0: no cap
  // Server to client in pieces of this many bytes, one every drip_interval
  // (0: as read).
  std::size_t drip_bytes = 0;
  std::chrono::milliseconds drip_interval{0};
  // Once per connection, after this many bytes from the server, nothing
  // moves (either way) for `stall`.
  std::chrono::milliseconds stall{0};
  std::size_t stall_after = 0;
  bool black_hole = false;  // take bytes both ways and deliver none
  std::size_t cut_after = 0;  // close both sides after this many bytes from the server (0: never)
  bool reset = false;       // the cut is an RST, not a FIN

  // Named conditions for scenario tables and figures.
  static Weather named(const std::string& name);  // "clear", "edge", "3g", "lossy-radio", ...
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 (ephemeral port) and relays to 127.0.0.1:upstream.
  static utkit::Result<std::unique_ptr<FaultProxy>> start(std::uint16_t upstream, Weather weather = {});
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const { return port_; }
  // New weather for new and for open connections (read on every piece).
  void set(const Weather& w);
  Weather weather() const;
  std::size_t connections() const { return connections_; }
  std::uint64_t bytes_to_server() const { return up_bytes_; }
  std::uint64_t bytes_to_client() const { return down_bytes_; }
  // Closes every open connection abruptly (RST), as a network change does.
  void drop_all();
  // The connections open now become black holes; new ones are clear (a NAT
  // that forgot its idle mappings: the next connection works).
  void black_hole_open();
  void stop();

 private:
  FaultProxy() = default;
  struct Link;
  void accept_loop();
  void relay(std::shared_ptr<Link> link, bool to_server);
  // Sleeps for d unless stopping; false when stopping.
  bool nap(std::chrono::milliseconds d);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t upstream_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Weather weather_;
  std::mt19937 rng_{12345};
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::uint64_t> up_bytes_{0}, down_bytes_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;          // guarded by mu_
  std::vector<std::weak_ptr<Link>> links_;    // guarded by mu_
};

}  // namespace netsim
