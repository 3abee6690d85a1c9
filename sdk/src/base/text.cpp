#include "text.hpp"

#include <cstring>

namespace utkit::detail {

void cat_append(std::string& out, std::initializer_list<Part> parts) {
  std::size_t n = out.size();
  for (const Part& p : parts) n += p.size();
  out.reserve(n);
  for (const Part& p : parts) out.append(p.data(), p.size());
}

std::string cat(std::initializer_list<Part> parts) {
  std::string out;
  cat_append(out, parts);
  return out;
}

Error make_error(Errc code, std::initializer_list<Part> parts) { return Error(code, cat(parts)); }

std::string format(const char* fmt, std::initializer_list<Part> args) {
  std::string out;
  std::size_t n = std::strlen(fmt);
  for (const Part& a : args) n += a.size();
  out.reserve(n);
  const Part* next = args.begin();
  for (const char* p = fmt;;) {
    const char* slot = std::strstr(p, "{}");
    if (slot == nullptr || next == args.end()) {
      out.append(p);
      break;
    }
    out.append(p, static_cast<std::size_t>(slot - p));
    out.append(next->data(), next->size());
    ++next;
    p = slot + 2;
  }
  return out;
}

Error make_error(Errc code, const char* fmt, std::initializer_list<Part> args) {
  return Error(code, format(fmt, args));
}

Dec::Dec(unsigned long long bits, bool negative) : start_(sizeof(buf_)) {
  // The magnitude of a negative value, computed unsigned: -LLONG_MIN does
  // not fit a long long.
  unsigned long long m = negative ? 0ULL - bits : bits;
  do {
    buf_[--start_] = static_cast<char>('0' + m % 10);
    m /= 10;
  } while (m != 0);
  if (negative) buf_[--start_] = '-';
}

}  // namespace utkit::detail
