#include "utkit/base/encoding.hpp"

#include <mbedtls/base64.h>

#include "text.hpp"

namespace utkit {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes into `out` (sized by the caller). Returns the offset of the first
// bad character, or -1 when all is well.
long decode_hex_into(std::string_view hex, std::uint8_t* out) {
  for (std::size_t i = 0; i < hex.size() / 2; ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0) return static_cast<long>(2 * i);
    if (lo < 0) return static_cast<long>(2 * i + 1);
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return -1;
}

}  // namespace

std::string to_hex(ByteView data) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  s.resize(data.size() * 2);
  for (std::size_t i = 0; i < data.size(); ++i) {
    s[2 * i] = digits[data[i] >> 4];
    s[2 * i + 1] = digits[data[i] & 0x0f];
  }
  return s;
}

std::string hex_number(std::uint64_t value, int min_digits, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[value & 15]);
    value >>= 4;
  } while (value != 0);
  if (static_cast<int>(s.size()) < min_digits) s.insert(0, static_cast<std::size_t>(min_digits) - s.size(), '0');
  return s;
}

std::string padded_decimal(std::uint64_t value, int min_digits) {
  const Dec dec(value);
  const std::string_view digits = dec.view();
  std::string s;
  if (static_cast<int>(digits.size()) < min_digits) s.assign(static_cast<std::size_t>(min_digits) - digits.size(), '0');
  s += digits;
  return s;
}

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return make_error(Errc::bad_encoding, "hex text has an odd number of digits ({})", {Dec(hex.size())});
  }
  Bytes out(hex.size() / 2);
  long bad = decode_hex_into(hex, out.data());
  if (bad >= 0) {
    return make_error(Errc::bad_encoding, {"hex text has a non-hex character at offset ", Dec(bad)});
  }
  return out;
}

Result<SecretBytes> secret_from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return make_error(Errc::bad_encoding, "hex text has an odd number of digits ({})", {Dec(hex.size())});
  }
  SecretBytes out(hex.size() / 2);
  long bad = decode_hex_into(hex, out.data());
  if (bad >= 0) {
    return make_error(Errc::bad_encoding, {"hex text has a non-hex character at offset ", Dec(bad)});
  }
  return out;
}

Result<SecretBytes> secret_from_hex(std::string_view hex, std::size_t expected_len, std::string_view what) {
  auto r = secret_from_hex(hex);
  if (!r) return std::move(r).error().with_context(what);
  if (r->size() != expected_len) {
    return make_error(Errc::invalid_argument, "{} must be {} bytes ({} hex digits), got {} bytes",
                      {what, Dec(expected_len), Dec(2 * expected_len), Dec(r->size())});
  }
  return r;
}

std::string base64_encode(ByteView data) {
  std::size_t need = 0;
  mbedtls_base64_encode(nullptr, 0, &need, data.data(), data.size());
  std::string s(need, '\0');
  std::size_t written = 0;
  mbedtls_base64_encode(reinterpret_cast<unsigned char*>(s.data()), s.size(), &written, data.data(), data.size());
  s.resize(written);
  return s;
}

SecretBytes base64_encode_secret(ByteView data) {
  std::size_t need = 0;
  mbedtls_base64_encode(nullptr, 0, &need, data.data(), data.size());
  SecretBytes tmp(need);  // includes room for the terminating NUL mbedTLS writes
  std::size_t written = 0;
  mbedtls_base64_encode(tmp.data(), tmp.size(), &written, data.data(), data.size());
  return SecretBytes(ByteView(tmp.data(), written));
}

Result<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return make_error(Errc::bad_encoding, "base64 text of {} characters is not a multiple of 4 (truncated or unpadded)",
                      {Dec(text.size())});
  }
  for (char c : text) {
    if (c == ' ' || c == '\r' || c == '\n' || c == '\t') {
      return Error(Errc::bad_encoding, "base64 text contains white space");
    }
  }
  std::size_t need = 0;
  auto in = reinterpret_cast<const unsigned char*>(text.data());
  int rc = mbedtls_base64_decode(nullptr, 0, &need, in, text.size());
  if (rc == MBEDTLS_ERR_BASE64_INVALID_CHARACTER) {
    return Error(Errc::bad_encoding, "base64 text has an invalid character or bad padding");
  }
  Bytes out(need);
  std::size_t written = 0;
  rc = mbedtls_base64_decode(out.data(), out.size(), &written, in, text.size());
  if (rc != 0) return Error(Errc::bad_encoding, "base64 text is malformed");
  out.resize(written);
  return out;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;  // v * 10 + d would pass max (or overflow)
    v = v * 10 + d;
  }
  return v;
}

namespace {

// Length of the UTF-8 sequence at `s[i]` and its code point; 0 when invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t n;
  std::uint32_t min;
  if ((b0 & 0xe0) == 0xc0) {
    n = 2, cp = b0 & 0x1fu, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    n = 3, cp = b0 & 0x0fu, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    n = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3fu);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

void escape_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out += hex_number(b, 2);
}

std::string printable(std::string_view text, bool ascii_only) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      escape_byte(out, static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    // C0, DEL, C1, and the bidirectional overrides and isolates (U+202A-202E,
    // U+2066-2069), which can make a line read in another order than it is.
    const bool control = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
                         (cp >= 0x2066 && cp <= 0x2069);
    if (control || (ascii_only && n > 1)) {
      for (std::size_t k = 0; k < n; ++k) escape_byte(out, static_cast<unsigned char>(text[i + k]));
    } else if (cp == '\\') {
      out += "\\\\";
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string printable_text(std::string_view text) { return printable(text, false); }
std::string printable_ascii(std::string_view text) { return printable(text, true); }

}  // namespace utkit
