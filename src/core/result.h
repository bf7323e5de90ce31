#pragma once
// Errors are values: every fallible call across our interfaces returns Result<T> or Status.
#include <string>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace pgha {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    PGHA_ASSERT(ok(), "value() of an error Result: " + error_unchecked().message);
    return std::get<0>(v_);
  }
  const T& value() const& {
    PGHA_ASSERT(ok(), "value() of an error Result: " + error_unchecked().message);
    return std::get<0>(v_);
  }
  T&& value() && {
    PGHA_ASSERT(ok(), "value() of an error Result");
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const {
    PGHA_ASSERT(!ok(), "error() of an ok Result");
    return std::get<1>(v_);
  }
  const std::string& message() const { return error().message; }

 private:
  const Error& error_unchecked() const {
    static const Error none{};
    return ok() ? none : std::get<1>(v_);
  }
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }
inline Error Err(std::string message) { return Error{std::move(message)}; }

}  // namespace pgha

// Propagates an error Result from the current function.
#define PGHA_TRY(expr)                                                   \
  do {                                                                   \
    auto&& pgha_try_r_ = (expr);                                         \
    if (!pgha_try_r_.ok()) return ::pgha::Error{pgha_try_r_.message()}; \
  } while (0)
