#include "utkit/posix/at_channel.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "utkit/base/encoding.hpp"
#include "utkit/base/secret.hpp"

namespace utkit::posix {
namespace {

constexpr std::size_t kMaxLine = 4096;  // a 256-byte answer is 520 hex characters

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

speed_t baud_constant(int baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return B115200;
  }
}

bool is_final(const std::string& line) {
  return line == "OK" || line == "ERROR" || line.rfind("+CME ERROR:", 0) == 0 || line.rfind("+CMS ERROR:", 0) == 0;
}

Error io(const std::string& device, const std::string& what) {
  return Error(Errc::aka_card_io, "modem " + device + ": " + what);
}

}  // namespace

const char* cme_error_text(int code) {
  switch (code) {
    case 3: return "operation not allowed";
    case 4: return "operation not supported";
    case 5: return "PH-SIM PIN required";
    case 10: return "SIM not inserted";
    case 11: return "SIM PIN required";
    case 12: return "SIM PUK required";
    case 13: return "SIM failure";
    case 14: return "SIM busy";
    case 15: return "SIM wrong";
    case 17: return "SIM PIN2 required";
    case 18: return "SIM PUK2 required";
    case 50: return "incorrect parameters";
    case 100: return "unknown error";
    default: return nullptr;
  }
}

Result<std::unique_ptr<AtCsimChannel>> AtCsimChannel::open(const Options& options) {
  if (options.device.empty()) return Error(Errc::config_missing, "the modem's AT port (a tty device) is not set");
  if (options.command_timeout.count() <= 0) return Error(Errc::config_invalid, "the AT command timeout must be > 0");
  int fd = ::open(options.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    return io(options.device, std::string("cannot open it: ") + std::strerror(e) +
                                  (e == EACCES ? " (is the user in the 'dialout' group?)" : ""));
  }
  // One user at a time: a second AT dialogue on the same port would mix
  // answers. flock is advisory: ModemManager and friends must be told to
  // leave the port alone (docs/porting.md).
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    return io(options.device, e == EWOULDBLOCK ? "another process holds the port (locked)"
                                               : std::string("cannot lock it: ") + std::strerror(e));
  }
  if (::isatty(fd) == 1) {
    termios t{};
    if (::tcgetattr(fd, &t) == 0) {
      ::cfmakeraw(&t);
      t.c_cflag |= CLOCAL | CREAD;
      t.c_cc[VMIN] = 0;
      t.c_cc[VTIME] = 0;
      ::cfsetispeed(&t, baud_constant(options.baud));
      ::cfsetospeed(&t, baud_constant(options.baud));
      ::tcsetattr(fd, TCSANOW, &t);
    }
  }
  std::unique_ptr<AtCsimChannel> ch(new AtCsimChannel(options, fd));
  ch->wait_quiet(50, now_ms() + 500);  // whatever the port held before us
  // Echo off; some modems answer the first command after opening with a
  // stale line: one retry.
  auto r = ch->command("ATE0", nullptr);
  if (!r) r = ch->command("ATE0", nullptr);
  if (!r) return std::move(r).error().with_context("the modem did not answer ATE0");
  return ch;
}

AtCsimChannel::~AtCsimChannel() {
  clear_buffer();
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

AtCsimChannel::Reply::~Reply() { secure_wipe(payload); }

void AtCsimChannel::clear_buffer() {
  secure_wipe(buffer_, sizeof buffer_);
  buffered_ = 0;
}

bool AtCsimChannel::wait_quiet(int quiet_ms, std::int64_t deadline_ms) {
  clear_buffer();
  for (;;) {
    const std::int64_t left = deadline_ms - now_ms();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left < quiet_ms ? left : quiet_ms));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return rc == 0 && left >= quiet_ms;  // quiet for quiet_ms (or an error: give up)
    if ((p.revents & POLLIN) == 0) return false;   // hung up
    const ssize_t n = ::read(fd_, buffer_, sizeof buffer_);
    secure_wipe(buffer_, sizeof buffer_);
    if (n <= 0 && errno != EAGAIN && errno != EINTR) return false;
  }
}

Result<void> AtCsimChannel::resync() {
  const std::int64_t deadline = now_ms() + options_.command_timeout.count();
  if (!wait_quiet(100, deadline)) {
    return io(options_.device, "still talking after an unanswered command (a diagnostic port, not the AT port?)");
  }
  // Reached by the previous command's late answer or not, the modem now
  // answers "AT" alone; then quiet again, in case that OK was the old one.
  UTKIT_TRY(exchange("AT", nullptr));
  if (!wait_quiet(50, now_ms() + options_.command_timeout.count())) {
    return io(options_.device, "does not fall quiet after AT");
  }
  in_step_ = true;
  return success();
}

Result<std::string> AtCsimChannel::read_line(std::int64_t deadline_ms) {
  for (;;) {
    std::size_t eol = 0;
    while (eol < buffered_ && buffer_[eol] != '\r' && buffer_[eol] != '\n') ++eol;
    if (eol < buffered_) {
      // Answers to AUTHENTICATE carry RES, CK and IK: the consumed bytes and
      // the tail left behind by the move are wiped.
      std::string line(buffer_, eol);
      const std::size_t rest = buffered_ - (eol + 1);
      std::memmove(buffer_, buffer_ + eol + 1, rest);
      secure_wipe(buffer_ + rest, buffered_ - rest);
      buffered_ = rest;
      return line;
    }
    if (buffered_ > kMaxLine) {
      clear_buffer();
      return Error(Errc::aka_bad_response,
                   "modem " + options_.device + ": a line longer than " + std::to_string(kMaxLine) + " bytes");
    }
    const std::int64_t left = deadline_ms - now_ms();
    if (left <= 0) return Error(Errc::net_timeout, "timeout");
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left > 1000 ? 1000 : left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return io(options_.device, std::string("poll: ") + std::strerror(errno));
    if (rc == 0) continue;
    if ((p.revents & (POLLERR | POLLNVAL)) != 0) return io(options_.device, "the port failed (unplugged?)");
    const ssize_t n = ::read(fd_, buffer_ + buffered_, sizeof buffer_ - buffered_);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return io(options_.device, std::string("read: ") + std::strerror(errno));
    if (n == 0) {
      if ((p.revents & POLLHUP) != 0) return io(options_.device, "the port hung up (modem gone?)");
      continue;
    }
    buffered_ += static_cast<std::size_t>(n);
  }
}

Result<AtCsimChannel::Reply> AtCsimChannel::command(const std::string& line, const char* payload_prefix) {
  if (!in_step_) {
    UTKIT_TRY(resync());
  }
  final_seen_ = false;
  auto r = exchange(line, payload_prefix);
  in_step_ = final_seen_;  // a timeout or a broken line leaves an answer outstanding
  return r;
}

// One command and its final result. A final ERROR or +CME ERROR is a final
// result too: the channel stays in step.
Result<AtCsimChannel::Reply> AtCsimChannel::exchange(const std::string& line, const char* payload_prefix) {
  const std::string out = line + "\r";
  const std::int64_t deadline = now_ms() + options_.command_timeout.count();
  std::size_t off = 0;
  while (off < out.size()) {
    const ssize_t n = ::write(fd_, out.data() + off, out.size() - off);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return io(options_.device, std::string("write: ") + std::strerror(errno));
    if (now_ms() >= deadline) return io(options_.device, "could not send a command (port blocked)");
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, 50);
  }
  ++commands_;
  const std::string verb = line.substr(0, line.find('='));
  Reply reply;
  for (;;) {
    auto got = read_line(deadline);
    if (!got) {
      if (got.error().code() == Errc::net_timeout) {
        return io(options_.device, "no answer to " + verb + " within " + std::to_string(options_.command_timeout.count()) +
                                       " ms (is this the AT port, and is the modem on?)");
      }
      return std::move(got).error();
    }
    std::string l = std::move(got).value();
    struct Wipe {
      std::string& s;
      ~Wipe() { secure_wipe(s); }
    } wipe_line{l};
    if (l.empty() || l == line) continue;  // blank, or the echo of our command
    if (payload_prefix != nullptr && l.rfind(payload_prefix, 0) == 0) {
      reply.payload = l.substr(std::strlen(payload_prefix));
      reply.has_payload = true;
      continue;
    }
    if (!is_final(l)) continue;  // an unsolicited result code
    final_seen_ = true;
    if (l == "OK") return reply;
    if (l == "ERROR") {
      return io(options_.device, verb + " answered ERROR (the modem may not support it, or the SIM is not ready; "
                                        "AT+CMEE=1 makes it say why)");
    }
    std::string why = l;
    const auto colon = l.find(':');
    const std::string code_text = colon == std::string::npos ? "" : l.substr(colon + 1);
    int code = 0;
    bool numeric = false;
    for (char c : code_text) {
      if (c >= '0' && c <= '9') {
        code = code * 10 + (c - '0');
        numeric = true;
        if (code > 100000) break;
      } else if (c != ' ') {
        numeric = false;
        break;
      }
    }
    if (numeric && cme_error_text(code) != nullptr) {
      why += " (";
      why += cme_error_text(code);
      why += ")";
    }
    std::string what = verb;
    what += " failed: ";
    what += why;
    return io(options_.device, what);
  }
}

Result<Bytes> AtCsimChannel::transmit(ByteView apdu) {
  if (apdu.size() < 4 || apdu.size() > 261) {
    return Error(Errc::aka_bad_input, "an APDU is 4 to 261 bytes, not " + std::to_string(apdu.size()));
  }
  std::string hex = to_hex(apdu);
  for (char& c : hex) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
  UTKIT_ASSIGN(Reply r, command("AT+CSIM=" + std::to_string(hex.size()) + ",\"" + hex + "\"", "+CSIM:"));
  if (!r.has_payload) {
    in_step_ = false;  // perhaps an earlier command's OK: resynchronise before the next
    return Error(Errc::aka_bad_response, "modem " + options_.device + ": OK without a +CSIM line");
  }
  // <length>,"<hex>" (some modems leave the quotes out)
  std::string p = std::move(r.payload);
  struct Wipe {
    std::string& s;
    ~Wipe() { secure_wipe(s); }
  } wipe{p};
  std::string_view pv(p);
  while (!pv.empty() && pv.front() == ' ') pv.remove_prefix(1);
  const auto comma = pv.find(',');
  auto bad = [&](const char* what) {  // never echoes the data: it may hold keys
    return Error(Errc::aka_bad_response, "modem " + options_.device + ": +CSIM answer " + what + " (" +
                                             std::to_string(p.size()) + " characters)");
  };
  if (comma == std::string::npos || comma == 0 || comma > 4) return bad("is not <length>,\"<hex>\"");
  std::size_t length = 0;
  for (std::size_t i = 0; i < comma; ++i) {
    if (pv[i] < '0' || pv[i] > '9') return bad("has a length that is not a number");
    length = length * 10 + static_cast<std::size_t>(pv[i] - '0');
  }
  std::string_view body(pv);
  body.remove_prefix(comma + 1);
  while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
  if (body.size() >= 2 && body.front() == '"' && body.back() == '"') body = body.substr(1, body.size() - 2);
  if (body.size() != length) return bad("has a length that does not match its data");
  if (length < 4 || length % 2 != 0) return bad("is shorter than a status word");
  auto bytes = from_hex(body);
  if (!bytes) return bad("is not hex");
  return std::move(bytes).value();
}

}  // namespace utkit::posix
