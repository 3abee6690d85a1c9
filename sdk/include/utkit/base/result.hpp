// utkit/base/result.hpp — Result<T>: a value or an Error, never both.
//
// No exceptions cross the SDK (it is built with -fno-exceptions). Accessing
// value() of a failed Result, or error() of a successful one, is a programming
// error and aborts; check ok() (or use UTKIT_TRY / UTKIT_ASSIGN) first.
// Before aborting it calls the handler set with set_result_misuse_handler()
// (if any) with what was misused and the error the Result held, so that an
// app can log the reason (the SDK itself never prints).
#pragma once

#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>
#include <new>

#include "utkit/base/error.hpp"

namespace utkit {

// Called once, just before the abort, on a misused Result. `error` is the
// held error's describe() for value() of a failed Result, else empty. The
// handler must not return control by other means than returning. Process-wide
// (like a signal handler); set it once at start-up. nullptr removes it.
using ResultMisuseHandler = void (*)(const char* what, const char* error);
void set_result_misuse_handler(ResultMisuseHandler handler);

namespace detail {
[[noreturn]] void result_misuse(const char* what, const Error* held = nullptr);
// The two misuses, out of line and with the fewest arguments: every value()
// and error() call carries one of these checks.
[[noreturn]] void value_misuse(const Error& held);
[[noreturn]] void error_misuse();
}

template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Error>, "Result<Error> is meaningless");
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported; return a pointer");

 public:
  using value_type = T;

  // T&& and const T&, not T by value: `return local;` of a T in a function
  // returning Result<T> then moves the local (C++17 moves it implicitly only
  // into a constructor taking T&&; by value, it was copied: a 1 MB response
  // body held twice).
  Result(T&& value) : ok_(true) { new (&value_) T(std::move(value)); }
  Result(const T& value) : ok_(true) { new (&value_) T(value); }
  Result(Error error) : ok_(false) { new (&error_) Error(std::move(error)); }
  Result(Errc code, std::string message) : ok_(false) { new (&error_) Error(code, std::move(message)); }

  // A tagged union rather than std::variant: the same layout, but moving and
  // destroying one is a test of one flag (std::variant's index visitation
  // added code at every one of the SDK's several hundred Result sites).
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) { build_from(std::move(other)); }
  Result(const Result& other) { build_from(other); }
  Result& operator=(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    // The held object is destroyed before the new one is built: a T whose
    // move is not noexcept could fail half way (libutkit.so unwinds on
    // bad_alloc) and leave nothing behind the flag.
    static_assert(std::is_nothrow_move_constructible_v<T>, "assigning a Result<T> needs a noexcept move of T");
    if (this != &other) {
      destroy();
      build_from(std::move(other));
    }
    return *this;
  }
  Result& operator=(const Result& other) {
    if (this != &other) *this = Result(other);
    return *this;
  }
  ~Result() { destroy(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    check_value();
    return value_;
  }
  const T& value() const& {
    check_value();
    return value_;
  }
  T&& value() && {
    check_value();
    return std::move(value_);
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    check_error();
    return error_;
  }
  Error&& error() && {
    check_error();
    return std::move(error_);
  }

  // The value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return ok() ? value_ : std::move(fallback); }
  T value_or(T fallback) && { return ok() ? std::move(value_) : std::move(fallback); }

 private:
  void check_value() const {
    if (!ok_) detail::value_misuse(error_);
  }
  void check_error() const {
    if (ok_) detail::error_misuse();
  }
  // Builds this (unbuilt) Result as a copy of `other`, or from it when it
  // is an rvalue.
  template <class R>
  void build_from(R&& other) {
    ok_ = other.ok_;
    if (ok_)
      new (&value_) T(std::forward<R>(other).value_);
    else
      new (&error_) Error(std::forward<R>(other).error_);
  }
  void destroy() {
    if (ok_)
      value_.~T();
    else
      error_.~Error();
  }

  union {
    T value_;
    Error error_;
  };
  bool ok_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : e_(std::move(error)) {}
  Result(Errc code, std::string message) : e_(std::in_place, code, std::move(message)) {}

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  void value() const {
    if (!ok()) detail::value_misuse(*e_);
  }

  const Error& error() const& { check_error(); return *e_; }
  Error&& error() && { check_error(); return std::move(*e_); }

 private:
  void check_error() const {
    if (ok()) detail::error_misuse();
  }
  std::optional<Error> e_;
};

inline Result<void> success() { return {}; }

}  // namespace utkit

#define UTKIT_CONCAT_INNER_(a, b) a##b
#define UTKIT_CONCAT_(a, b) UTKIT_CONCAT_INNER_(a, b)

// UTKIT_TRY(expr): evaluate a Result; on failure return its Error from the
// enclosing function (whose return type is any Result<U>).
// The macros take a declaration (`auto x`) or an expression as written by
// the caller; wrapping them in parentheses would break the declaration form.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define UTKIT_TRY(expr)                                         \
  do {                                                          \
    auto utkit_try_result_ = (expr);                            \
    if (!utkit_try_result_.ok()) {                              \
      return std::move(utkit_try_result_).error();              \
    }                                                           \
  } while (0)

// UTKIT_ASSIGN(decl, expr): `UTKIT_ASSIGN(auto x, parse(y));` declares x from
// the value of a successful Result, or returns the Error.
#define UTKIT_ASSIGN(decl, expr) UTKIT_ASSIGN_IMPL_(UTKIT_CONCAT_(utkit_assign_, __LINE__), decl, expr)
#define UTKIT_ASSIGN_IMPL_(tmp, decl, expr)                     \
  auto tmp = (expr);                                            \
  if (!tmp.ok()) {                                              \
    return std::move(tmp).error();                              \
  }                                                             \
  decl = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
