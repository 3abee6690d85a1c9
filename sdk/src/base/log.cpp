#include "utkit/base/log.hpp"

#include <mbedtls/sha256.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "utkit/base/encoding.hpp"
#include "utkit/base/secret.hpp"

namespace utkit {
namespace {

constexpr std::uint64_t kBase = 1099511628211ULL;  // odd; arithmetic is mod 2^64
constexpr std::size_t kMinSecret = 4;
constexpr std::string_view kMask = "<redacted>";

std::uint64_t hash_of(std::string_view s) {
  std::uint64_t h = 0;
  for (unsigned char c : s) h = h * kBase + c;
  return h;
}

std::string sha256_of(std::string_view s) {
  unsigned char out[32];
  mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out, 0);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

bool is_printable(ByteView b) {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
}

// Parameters whose values are credentials wherever they appear:
// Digest response (RFC 7616), auts (RFC 3310), and generic passwords.
constexpr std::string_view kCredentialKeys[] = {"response", "auts", "password"};

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

bool iequals_at(std::string_view hay, std::size_t pos, std::string_view needle) {
  if (pos + needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i < needle.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(hay[pos + i])) != needle[i]) return false;
  }
  return true;
}

// Masks `key=value` and `key="value"` for the credential keys.
void redact_credentials(std::string& m) {
  std::string out;
  out.reserve(m.size());
  std::size_t i = 0;
  while (i < m.size()) {
    bool matched = false;
    if (i == 0 || !is_key_char(m[i - 1])) {
      for (auto key : kCredentialKeys) {
        std::size_t p = i + key.size();
        if (!iequals_at(m, i, key)) continue;
        while (p < m.size() && m[p] == ' ') ++p;
        if (p >= m.size() || (m[p] != '=' && m[p] != ':')) continue;
        ++p;
        while (p < m.size() && m[p] == ' ') ++p;
        out.append(m, i, p - i);
        if (p < m.size() && m[p] == '"') {
          std::size_t q = p + 1;
          while (q < m.size() && m[q] != '"') q += (m[q] == '\\' && q + 1 < m.size()) ? 2 : 1;
          out += '"';
          out += kMask;
          if (q < m.size()) out += '"';
          i = q < m.size() ? q + 1 : q;
        } else {
          std::size_t q = p;
          while (q < m.size() && m[q] != ',' && m[q] != ';' && m[q] != '&' && m[q] != '\r' && m[q] != '\n' &&
                 m[q] != ' ')
            ++q;
          if (q > p) out += kMask;
          i = q;
        }
        matched = true;
        break;
      }
    }
    if (!matched) out += m[i++];
  }
  secure_wipe(m);
  m = std::move(out);
}

}  // namespace

const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    case LogLevel::off: return "off";
  }
  return "?";
}

void Redactor::add_form(std::string_view text) {
  rolling_[text.size()].insert(hash_of(text));
  digests_.insert(sha256_of(text));
}

void Redactor::protect(ByteView secret) {
  if (secret.size() < kMinSecret) return;
  std::string hex = to_hex(secret);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string b64 = base64_encode(secret);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();  // match with or without padding
  ScopedLock lock(mu_);
  add_form(hex);
  add_form(upper);
  add_form(b64);
  if (is_printable(secret)) add_form(secret.as_string());
  secure_wipe(hex);
  secure_wipe(upper);
  secure_wipe(b64);
}

std::size_t Redactor::protected_forms() const {
  ScopedLock lock(mu_);
  return digests_.size();
}

void Redactor::redact(std::string& m) const {
  redact_credentials(m);
  std::vector<std::pair<std::size_t, std::size_t>> hits;  // [begin, end)
  {
    ScopedLock lock(mu_);
    for (const auto& [len, hashes] : rolling_) {
      if (len == 0 || m.size() < len) continue;
      std::uint64_t top = 1;  // kBase^(len-1)
      for (std::size_t k = 1; k < len; ++k) top *= kBase;
      std::uint64_t h = hash_of(std::string_view(m).substr(0, len));
      for (std::size_t i = 0;; ++i) {
        if (hashes.count(h) && digests_.count(sha256_of(std::string_view(m).substr(i, len)))) {
          hits.emplace_back(i, i + len);
        }
        if (i + len >= m.size()) break;
        h = (h - static_cast<unsigned char>(m[i]) * top) * kBase + static_cast<unsigned char>(m[i + len]);
      }
    }
  }
  if (hits.empty()) return;
  std::sort(hits.begin(), hits.end());
  std::string out;
  std::size_t pos = 0;
  for (std::size_t k = 0; k < hits.size();) {
    std::size_t b = hits[k].first, e = hits[k].second;
    for (++k; k < hits.size() && hits[k].first <= e; ++k) e = std::max(e, hits[k].second);
    if (b > pos) out.append(m, pos, b - pos);
    out += kMask;
    pos = e;
  }
  out.append(m, pos, std::string::npos);
  secure_wipe(m);
  m = std::move(out);
}

void Logger::emit(const Logger& logger, LogLevel level, std::string_view component, std::string& message) {
  logger.redactor_.redact(message);
  logger.sink_->write(level, component, message);
}

void Logger::protect_secret(const Logger& logger, ByteView secret) { logger.redactor_.protect(secret); }

}  // namespace utkit
