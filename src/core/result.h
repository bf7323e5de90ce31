#pragma once
// Errors are values: every fallible call across our interfaces returns Result<T> or Status.
#include <string>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace pgha {

// What a caller may do about an error, as far as it needs to tell errors apart; the message says
// the rest. One type for every layer: etcd's kinds travel in `code`, not in message prefixes.
enum class Errc {
  kOther,        // nothing to distinguish: report it
  kUnavailable,  // the service cannot answer now (no leader, timed out, refused): retry, elsewhere
  kNotFound,     // what the request names is gone (an etcd lease)
  kGone,         // the history asked for was discarded (an etcd revision compacted)
  kAuth,         // the credentials were refused or have expired
};

struct Error {
  std::string message;
  Errc code = Errc::kOther;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
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
inline Error Err(Errc code, std::string message) { return Error{std::move(message), code}; }

}  // namespace pgha

// Propagates an error Result (message and code) from the current function.
#define PGHA_TRY(expr)                                 \
  do {                                                 \
    auto&& pgha_try_r_ = (expr);                       \
    if (!pgha_try_r_.ok()) return pgha_try_r_.error(); \
  } while (0)
