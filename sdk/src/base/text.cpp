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

int name_index(const char* names, std::string_view key, bool ignore_case) {
  const auto fold = [ignore_case](char c) {
    return (ignore_case && c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  };
  int i = 0;
  for (const char* n = names; *n != '\0'; n += std::strlen(n) + 1, ++i) {
    std::size_t k = 0;
    while (k < key.size() && n[k] != '\0' && fold(n[k]) == fold(key[k])) ++k;
    if (k == key.size() && n[k] == '\0') return i;
  }
  return -1;
}

const char* name_at(const char* names, int index) {
  const char* n = names;
  for (int i = 0; *n != '\0'; n += std::strlen(n) + 1, ++i) {
    if (i == index) return n;
  }
  return nullptr;
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
