// pipe-relay — the Cortex-M4 test firmware's way to the network
// (tests/target/board/board_platform.hpp): the firmware has no IP stack and
// opens two named pipes per connection through semihosting; this process
// plays the part a cellular module's socket service plays on a device.
//   pipe-relay DIR SLOTS
// makes the named pipes DIR/c2s.N and DIR/s2c.N (N < SLOTS), one pair per
// connection (the firmware's Nth connection uses pair N), then for each:
// reads "CONNECT <host> <port>\n" from c2s.N, connects to 127.0.0.1 (every
// name is loopback here) on that port, answers "OK\n" or "ERR refused\n" /
// "ERR <reason>\n" on s2c.N, and copies bytes both ways until the firmware
// closes c2s.N (the TCP connection is then closed, and s2c.N after it) or
// the server's side ends (s2c.N is closed; c2s.N is read to its end).
// Exits when every pair has carried its connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <thread>
#include <vector>

namespace {

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// The loopback TCP connection for "CONNECT host port", or -errno.
int connect_loopback(const std::string& line) {
  char host[256];
  unsigned port = 0;
  if (std::sscanf(line.c_str(), "CONNECT %255s %u", host, &port) != 2 || port == 0 || port > 65535) return -EINVAL;
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -errno;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(s);
    return -e;
  }
  return s;
}

// One connection on pipe pair `slot`, then the thread ends: a pair is never
// reused, so nothing of one connection can reach the next.
void serve_slot(const std::string& dir, int slot) {
  const std::string c2s = dir + "/c2s." + std::to_string(slot);
  const std::string s2c = dir + "/s2c." + std::to_string(slot);
  const int in = ::open(c2s.c_str(), O_RDONLY | O_CLOEXEC);  // waits for the firmware
  if (in < 0) return;
  std::string line;
  char c = 0;
  while (line.size() < 300 && ::read(in, &c, 1) == 1 && c != '\n') line.push_back(c);
  int sock = connect_loopback(line);
  int out = ::open(s2c.c_str(), O_WRONLY | O_CLOEXEC);  // waits for the firmware
  const std::string status = sock >= 0 ? "OK\n"
                             : sock == -ECONNREFUSED ? "ERR refused\n"
                             : "ERR " + std::string(std::strerror(-sock)) + "\n";
  if (out >= 0) (void)write_all(out, status.data(), status.size());
  std::fprintf(stderr, "pipe-relay: pair %d: %s -> %s", slot, line.c_str(), status.c_str());
  // The server's side is over (refused, closed, or a failed write): close
  // the socket, and s2c so that the firmware reads the end of the stream.
  auto end_server = [&] {
    if (sock >= 0) ::close(sock);
    sock = -1;
    if (out >= 0) ::close(out);
    out = -1;
  };
  if (sock < 0) end_server();
  std::vector<char> buf(16384);
  for (;;) {
    pollfd fds[2] = {{in, POLLIN, 0}, {sock, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) {
      const ssize_t n = ::read(in, buf.data(), buf.size());
      if (n <= 0) break;  // the firmware closed the connection
      if (sock >= 0 && !write_all(sock, buf.data(), static_cast<std::size_t>(n))) end_server();
    }
    if (sock >= 0 && fds[1].revents != 0) {
      const ssize_t n = ::recv(sock, buf.data(), buf.size(), 0);
      if (n <= 0 || !write_all(out, buf.data(), static_cast<std::size_t>(n))) end_server();
    }
  }
  ::close(in);
  end_server();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pipe-relay DIR SLOTS\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int slots = std::atoi(argv[2]);
  if (slots < 1 || slots > 64) return std::fprintf(stderr, "pipe-relay: SLOTS must be 1..64\n"), 2;
  std::signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < slots; ++i) {
    for (const char* way : {"/c2s.", "/s2c."}) {
      const std::string p = dir + way + std::to_string(i);
      struct stat st {};
      if (::mkfifo(p.c_str(), 0600) != 0 && (errno != EEXIST || ::stat(p.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode))) {
        std::fprintf(stderr, "pipe-relay: cannot make the pipe %s: %s\n", p.c_str(),
                     errno == EEXIST ? "something else has that name" : std::strerror(errno));
        return 1;
      }
    }
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < slots; ++i) threads.emplace_back(serve_slot, dir, i);
  for (auto& t : threads) t.join();
  return 0;
}
