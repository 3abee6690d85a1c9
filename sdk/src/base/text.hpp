// Internal: building messages without chains of operator+.
//
// `"a" + s + "b" + t` makes a std::string temporary per `+`, and each one
// costs a move and a destructor call where it is written. cat() sizes the
// result once and allocates once; its parts are views (literals, strings,
// string views, Dec numbers) that live until the end of the full expression.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "utkit/base/error.hpp"

namespace utkit {
namespace detail {

// The decimal text of an integer, held in the object: cat({"port ", Dec(p)}).
class Dec {
 public:
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  explicit Dec(I n) : Dec(static_cast<unsigned long long>(n), is_negative(n)) {}
  std::string_view view() const { return {buf_ + start_, sizeof(buf_) - start_}; }

 private:
  template <class I>
  static constexpr bool is_negative(I n) {
    if constexpr (std::is_signed_v<I>) {
      return n < 0;
    } else {
      return false;
    }
  }
  // `bits` is the value converted to unsigned long long (two's complement
  // for a negative one).
  Dec(unsigned long long bits, bool negative);
  char buf_[21];  // "-9223372036854775808" or "18446744073709551615"
  std::uint8_t start_;
};

// One part of a message. Built where the call is written, so that a
// literal's length is a constant there (a std::string_view made from a
// literal is an out-of-line call at -Os).
class Part {
 public:
  // NOLINTBEGIN(google-explicit-constructor): parts convert implicitly by design
  __attribute__((always_inline)) Part(const char* s) : p_(s), n_(__builtin_strlen(s)) {}
  Part(const std::string& s) : p_(s.data()), n_(s.size()) {}
  Part(std::string_view s) : p_(s.data()), n_(s.size()) {}
  Part(const Dec& d) : Part(d.view()) {}
  // NOLINTEND(google-explicit-constructor)
  const char* data() const { return p_; }
  std::size_t size() const { return n_; }

 private:
  const char* p_;
  std::size_t n_;
};

// The parts joined: cat({"bad host '", host, "'"}).
std::string cat(std::initializer_list<Part> parts);

// Appends the parts to `out`, reserving once.
void cat_append(std::string& out, std::initializer_list<Part> parts);

// An Error whose message is the parts joined:
// `return make_error(Errc::http_bad_url, {"bad URL '", url, "'"});`
Error make_error(Errc code, std::initializer_list<Part> parts);

// `fmt` with each "{}" replaced by the next argument, in order:
// format("{} refused {}", {peer, Dec(status)}). A "{}" past the last
// argument stays as written; arguments past the last "{}" are dropped.
std::string format(const char* fmt, std::initializer_list<Part> args);

// An Error whose message is `fmt` with its arguments filled in (format):
// `return make_error(Errc::http_proxy, "the proxy {} answered {}", {host, Dec(status)});`
// One literal instead of one part per piece of text: each part is code at
// the call site, the literal is not.
Error make_error(Errc code, const char* fmt, std::initializer_list<Part> args);

// Lists of names as one string, each name ended by a NUL: "MD5\0SHA-256\0".
// A table of pointers costs a word per name, a chain of comparisons a call
// per name; this costs the characters. The index of `key` in `names`
// (ASCII case ignored when `ignore_case`), or -1.
int name_index(const char* names, std::string_view key, bool ignore_case = false);
// The name at `index`, or nullptr past the last.
const char* name_at(const char* names, int index);

}  // namespace detail

using detail::cat;
using detail::cat_append;
using detail::Dec;
using detail::format;
using detail::make_error;
using detail::name_at;
using detail::name_index;

}  // namespace utkit
