// platform/posix against real loopback sockets and a real directory.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>

#include "support.hpp"
#include "utkit/http/client.hpp"
#include "utkit/posix/pcsc_channel.hpp"
#include "utkit/posix/system.hpp"
#include "utkit/posix/tcp_transport.hpp"

using namespace utkit;
using namespace std::chrono_literals;

namespace {

// A listening socket on an ephemeral loopback port, closed on destruction.
struct Listener {
  int fd = -1;
  std::uint16_t port = 0;
  explicit Listener(bool v6 = false, int backlog = 16) {
    fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_addr = in6addr_loopback;
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
      socklen_t len = sizeof a;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
      port = ntohs(a.sin6_port);
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
      socklen_t len = sizeof a;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
      port = ntohs(a.sin_port);
    }
    REQUIRE(::listen(fd, backlog) == 0);
  }
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
  int accept_one() { return ::accept(fd, nullptr, nullptr); }
};

bool has_ipv6_loopback() {
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/utkit-store-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}

void rm_rf(const std::string& d) {
  std::string cmd = "rm -rf '" + d + "'";
  CHECK(std::system(cmd.c_str()) == 0);
}

}  // namespace

TEST_CASE("tcp: connect, echo both ways, orderly close, byte counts") {
  Listener l;
  std::thread server([&] {
    int c = l.accept_one();
    char buf[64];
    ssize_t n = ::recv(c, buf, sizeof buf, 0);
    if (n > 0) ::send(c, buf, static_cast<size_t>(n), 0);
    ::close(c);
  });
  posix::TcpTransport t;
  REQUIRE(t.connect({"127.0.0.1", l.port}, 2000ms).ok());
  CHECK(t.is_open());
  CHECK(t.peer() == "127.0.0.1:" + std::to_string(l.port));
  REQUIRE(t.write(ByteView::of("hello"), 1000ms).ok());
  std::uint8_t buf[16];
  auto n = t.read(buf, sizeof buf, 2000ms);
  REQUIRE(n.ok());
  CHECK(std::string(reinterpret_cast<char*>(buf), n.value()) == "hello");
  auto eof = t.read(buf, sizeof buf, 2000ms);
  REQUIRE(eof.ok());
  CHECK(eof.value() == 0);  // peer closed in order
  CHECK(t.stats().bytes_written == 5);
  CHECK(t.stats().bytes_read == 5);
  server.join();
  t.close();
  CHECK_FALSE(t.is_open());
  CHECK(t.read(buf, 1, 10ms).error().code() == Errc::net_not_connected);
  CHECK(t.write(ByteView::of("x"), 10ms).error().code() == Errc::net_not_connected);
}

// The paths that differ between POSIX systems (compiled_paths() names them;
// the ASan CI build compiles the portable fallbacks with UTKIT_POSIX_PORTABLE).
TEST_CASE("tcp: the socket hook sees a non-blocking close-on-exec socket before it connects") {
  MESSAGE("platform paths: " << std::string(posix::compiled_paths()));
  Listener l;
  int seen_fd = -1, flags = -1, fd_flags = -1;
  bool connected_before = true;
  posix::TcpTransport t(nullptr, [&](int fd) -> Result<void> {
    seen_fd = fd;
    flags = ::fcntl(fd, F_GETFL, 0);
    fd_flags = ::fcntl(fd, F_GETFD, 0);
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    connected_before = ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) == 0;
    return success();
  });
  REQUIRE(t.connect({"127.0.0.1", l.port}, 2000ms).ok());
  CHECK(seen_fd >= 0);
  CHECK((flags & O_NONBLOCK) != 0);
  CHECK((fd_flags & FD_CLOEXEC) != 0);
  CHECK_FALSE(connected_before);

  posix::TcpTransport refused(nullptr, [](int) -> Result<void> { return Error(Errc::net_io, "no network for XCAP"); });
  auto r = refused.connect({"127.0.0.1", l.port}, 2000ms);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_io);
  CHECK(r.error().message().find("no network for XCAP") != std::string::npos);
  CHECK_FALSE(refused.is_open());
}

TEST_CASE("tcp: writing to a closed peer is net_peer_closed, never a SIGPIPE") {
  // With SIGPIPE at its default disposition a raised signal would kill the
  // test process: surviving is the check. A handler restores it afterwards.
  auto old = std::signal(SIGPIPE, SIG_DFL);
  Listener l;
  posix::TcpTransport t;
  REQUIRE(t.connect({"127.0.0.1", l.port}, 2000ms).ok());
  int c = l.accept_one();
  REQUIRE(c >= 0);
  linger lg{1, 0};  // close with RST
  ::setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(c);
  std::this_thread::sleep_for(50ms);
  Bytes big(256 * 1024, 0x41);
  Result<void> w = success();
  for (int i = 0; i < 20 && w.ok(); ++i) w = t.write(ByteView(big), 2000ms);
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().code() == Errc::net_peer_closed);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGPIPE));  // none left pending either
  std::signal(SIGPIPE, old);
}

TEST_CASE("tcp: IPv6 loopback") {
  if (!has_ipv6_loopback()) {
    MESSAGE("no IPv6 loopback on this machine; skipped");
    return;
  }
  Listener l(true);
  posix::TcpTransport t;
  auto r = t.connect({"::1", l.port}, 2000ms);
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(t.peer() == "[::1]:" + std::to_string(l.port));
}

TEST_CASE("tcp: connection refused") {
  std::uint16_t port;
  {
    Listener l;
    port = l.port;
  }  // closed: nothing listens there now
  posix::TcpTransport t;
  auto r = t.connect({"127.0.0.1", port}, 2000ms);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_connect_refused);
  CHECK(r.error().message().find("refused") != std::string::npos);
}

TEST_CASE("tcp: read timeout when the peer says nothing") {
  Listener l;
  posix::TcpTransport t;
  REQUIRE(t.connect({"127.0.0.1", l.port}, 2000ms).ok());
  std::uint8_t buf[4];
  auto start = std::chrono::steady_clock::now();
  auto r = t.read(buf, sizeof buf, 150ms);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_timeout);
  CHECK(took >= 140ms);  // it waited, rather than failing at once
}

TEST_CASE("tcp: connect timeout against a full accept queue") {
  // A listener that never accepts, backlog 0: once its queue is full the
  // kernel drops further SYNs, so a connect can only time out.
  Listener l(false, 0);
  std::vector<std::unique_ptr<posix::TcpTransport>> fillers;
  bool timed_out = false;
  for (int i = 0; i < 8 && !timed_out; ++i) {
    auto t = std::make_unique<posix::TcpTransport>();
    auto r = t->connect({"127.0.0.1", l.port}, 300ms);
    if (!r.ok()) {
      CHECK(r.error().code() == Errc::net_timeout);
      timed_out = true;
    }
    fillers.push_back(std::move(t));
  }
  CHECK(timed_out);
}

namespace {
// A DNS that takes 3 s to answer (then answers for loopback).
int slow_lookup(const char*, const char* port, const addrinfo* hints, addrinfo** out) {
  std::this_thread::sleep_for(std::chrono::seconds(3));
  return ::getaddrinfo("127.0.0.1", port, hints, out);
}
}  // namespace

TEST_CASE("tcp: a slow name lookup ends at the connect deadline") {
  posix::ResolveOverrides dns;
  dns.set_lookup(&slow_lookup);
  posix::TcpTransport t(&dns);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = t.connect({"xcap.example.test", 9}, Millis(300));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::net_timeout);
  CHECK(r.error().message().find("resolving 'xcap.example.test'") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500));  // not the lookup's 3 s
}

TEST_CASE("tcp: a cancel ends a slow name lookup, and an HTTP request waiting on it") {
  posix::ResolveOverrides dns;
  dns.set_lookup(&slow_lookup);
  CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.fire();
  });
  posix::TcpTransport t(&dns);
  t.set_cancel(&cancel);
  auto t0 = std::chrono::steady_clock::now();
  auto r = t.connect({"xcap.example.test", 9}, Millis(10000));
  canceller.join();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::cancelled);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500));

  // The same through the HTTP client: the request's cancel flag reaches the lookup.
  posix::SystemClock clock;
  auto random = posix::make_system_random().value();
  posix::TcpTransportFactory tcp(&dns);
  http::HttpClient client(tcp, *random, clock, nullptr);
  CancelToken stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.fire();
  });
  http::Request req;
  req.cancel = &stop;
  t0 = std::chrono::steady_clock::now();
  auto rsp = client.send(http::parse_url("http://xcap.example.test:9/").value(), req);
  stopper.join();
  REQUIRE_FALSE(rsp.ok());
  CHECK(rsp.error().code() == Errc::cancelled);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500));
}

TEST_CASE("tcp: resolve overrides pin a host name to loopback") {
  Listener l;
  posix::ResolveOverrides o;
  REQUIRE(o.add("bsf.example.test:" + std::to_string(l.port), "127.0.0.1").ok());
  posix::TcpTransport t(&o);
  auto r = t.connect({"bsf.example.test", l.port}, 2000ms);
  REQUIRE_MESSAGE(r.ok(), r.error().describe());
  CHECK(o.find("bsf.example.test", static_cast<std::uint16_t>(l.port + 1)) == nullptr);
  CHECK(o.add("noport", "127.0.0.1").error().code() == Errc::config_invalid);
  CHECK(o.add("a:80x", "127.0.0.1").error().code() == Errc::config_invalid);
  CHECK(o.add("a:80", "localhost").error().code() == Errc::config_invalid);

  posix::TcpTransport u;
  auto bad = u.connect({"no-such-host.invalid", 80}, 2000ms);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == Errc::net_resolve);
}

TEST_CASE("file store: values, permissions, atomic replace") {
  std::string dir = temp_dir() + "/state";
  auto s = posix::FileKeyValueStore::open(dir);
  REQUIRE_MESSAGE(s.ok(), s.error().describe());
  struct stat st;
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  auto& store = *s.value();
  CHECK(store.get("bootstrap").error().code() == Errc::storage_not_found);
  REQUIRE(store.put("bootstrap", ByteView::of("ctx-v1")).ok());
  REQUIRE(::stat(store.path_of("bootstrap").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(store.get("bootstrap")->view().as_string() == "ctx-v1");
  REQUIRE(store.put("bootstrap", ByteView::of("ctx-v2")).ok());
  CHECK(store.get("bootstrap")->view().as_string() == "ctx-v2");
  CHECK(store.put("../escape", ByteView::of("x")).error().code() == Errc::storage_bad_key);

  // No temporary files are left behind.
  std::string ls = "test $(ls -A '" + dir + "' | wc -l) -eq 1";
  CHECK(std::system(ls.c_str()) == 0);

  SUBCASE("a file others can read is refused") {
    REQUIRE(::chmod(store.path_of("bootstrap").c_str(), 0644) == 0);
    auto r = store.get("bootstrap");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == Errc::storage_permissions);
    CHECK(r.error().message().find("0644") != std::string::npos);
  }
  SUBCASE("a symlink is refused") {
    std::string target = dir + "/../outside";
    { std::ofstream(target) << "x"; }
    REQUIRE(::symlink(target.c_str(), store.path_of("link").c_str()) == 0);
    CHECK(store.get("link").error().code() == Errc::storage_permissions);
  }
  SUBCASE("remove") {
    REQUIRE(store.remove("bootstrap").ok());
    CHECK(store.get("bootstrap").error().code() == Errc::storage_not_found);
    CHECK(store.remove("bootstrap").ok());
  }
  rm_rf(dir.substr(0, dir.rfind('/')));
}

TEST_CASE("file store: readers never see a half-written value") {
  std::string dir = temp_dir();
  auto s = posix::FileKeyValueStore::open(dir);
  REQUIRE(s.ok());
  auto& store = *s.value();
  const std::string a(200000, 'a'), b(100000, 'b');
  REQUIRE(store.put("v", ByteView::of(a)).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0}, write_errors{0};
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      if (!store.put("v", ByteView::of(i % 2 ? a : b)).ok()) ++write_errors;
    }
    stop = true;
  });
  std::thread reader([&] {
    while (!stop) {
      auto v = store.get("v");
      if (!v.ok()) {
        ++torn;
        continue;
      }
      auto t = v->view().as_string();
      bool whole = t == a || t == b;
      if (!whole) ++torn;
      ++reads;
    }
  });
  writer.join();
  reader.join();
  CHECK(write_errors == 0);
  CHECK(torn == 0);
  CHECK(reads > 0);
  rm_rf(dir);
}

TEST_CASE("file store: a directory others can write is refused") {
  std::string dir = temp_dir();
  REQUIRE(::chmod(dir.c_str(), 0777) == 0);
  auto s = posix::FileKeyValueStore::open(dir);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == Errc::storage_permissions);
  CHECK(s.error().message().find("chmod 700") != std::string::npos);
  rm_rf(dir);
}

TEST_CASE("file store: a directory other users may read or enter is refused") {
  std::string dir = temp_dir();
  for (mode_t m : {0750, 0705, 0710}) {
    INFO("mode " << std::oct << m);
    REQUIRE(::chmod(dir.c_str(), m) == 0);
    auto s = posix::FileKeyValueStore::open(dir);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code() == Errc::storage_permissions);
    CHECK(s.error().message().find("chmod 700") != std::string::npos);
  }
  REQUIRE(::chmod(dir.c_str(), 0700) == 0);
  CHECK(posix::FileKeyValueStore::open(dir).ok());
  rm_rf(dir);
}

TEST_CASE("file store: a FIFO in place of a value is refused without blocking") {
  std::string dir = temp_dir();
  auto s = posix::FileKeyValueStore::open(dir);
  REQUIRE(s.ok());
  REQUIRE(::mkfifo(s.value()->path_of("usim-sqn").c_str(), 0600) == 0);
  auto r = s.value()->get("usim-sqn");  // would block forever in open() without O_NONBLOCK
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == Errc::storage_permissions);
  CHECK(r.error().message().find("not a regular file") != std::string::npos);
  rm_rf(dir);
}

TEST_CASE("file store: temporaries left by a killed writer are removed on open") {
  std::string dir = temp_dir();
  // A writer that is gone: a child that has exited (its PID is free).
  pid_t dead = ::fork();
  REQUIRE(dead >= 0);
  if (dead == 0) ::_exit(0);
  int st = 0;
  REQUIRE(::waitpid(dead, &st, 0) == dead);
  const std::string stale = dir + "/.tls-session-x.tmp." + std::to_string(dead) + ".0";
  const std::string live = dir + "/.tls-session-y.tmp." + std::to_string(::getpid()) + ".0";
  const std::string old_live = dir + "/.gba-context.tmp." + std::to_string(::getpid()) + ".1";
  const std::string lockfile = dir + "/.usim-sqn.lock";
  const std::string not_ours = dir + "/.notes.tmp.2024.01.15";  // looks alike, is not what put() writes
  const std::string not_ours2 = dir + "/.a.tmp.0.x";
  for (const auto& f : {stale, live, old_live, lockfile, not_ours, not_ours2}) {
    std::ofstream(f) << "master secret";
    ::chmod(f.c_str(), 0600);
  }
  timeval old_times[2] = {{std::time(nullptr) - 3600, 0}, {std::time(nullptr) - 3600, 0}};
  REQUIRE(::utimes(old_live.c_str(), old_times) == 0);
  REQUIRE(::utimes(not_ours.c_str(), old_times) == 0);
  REQUIRE(posix::FileKeyValueStore::open(dir).ok());
  CHECK(::access(stale.c_str(), F_OK) != 0);     // its writer is gone
  CHECK(::access(old_live.c_str(), F_OK) != 0);  // older than any write takes
  CHECK(::access(live.c_str(), F_OK) == 0);      // may be a write in progress
  CHECK(::access(lockfile.c_str(), F_OK) == 0);  // not a temporary
  CHECK(::access(not_ours.c_str(), F_OK) == 0);
  CHECK(::access(not_ours2.c_str(), F_OK) == 0);
  rm_rf(dir);
}

TEST_CASE("system entropy: fills whole buffers, differently each time") {
  MESSAGE("platform paths: " << std::string(posix::compiled_paths()));
  posix::GetrandomEntropy e;
  Bytes a(1000, 0), b(1000, 0);  // more than getentropy's 256-byte limit
  REQUIRE(e.gather(a.data(), a.size()).ok());
  REQUIRE(e.gather(b.data(), b.size()).ok());
  CHECK(a != b);
  int zeros_at_end = 0;
  for (std::size_t i = a.size() - 64; i < a.size(); ++i) zeros_at_end += a[i] == 0;
  CHECK(zeros_at_end < 16);  // the tail was written too
}

TEST_CASE("system random and clock") {
  auto r = posix::make_system_random();
  REQUIRE(r.ok());
  auto a = r.value()->bytes(32), b = r.value()->bytes(32);
  REQUIRE(a.ok());
  CHECK(a.value() != b.value());
  CHECK(a.value() != Bytes(32, 0));
  posix::SystemClock c;
  auto t0 = c.monotonic_now();
  CHECK(c.monotonic_now() >= t0);
  CHECK(c.wall_now().time_since_epoch().count() > 0);
}

#ifdef UTKIT_HAVE_PCSC
TEST_CASE("pcsc: no service or no reader is a clear card error") {
  // CI has no pcscd and no reader: opening must fail cleanly, not crash.
  auto ch = posix::PcscChannel::open();
  if (ch.ok()) {
    MESSAGE("a real card is attached: " << ch.value()->reader());
    return;
  }
  CHECK(ch.error().code() == Errc::aka_card_io);
  CHECK_FALSE(ch.error().message().empty());
}
#endif
