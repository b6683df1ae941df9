// Errors as values for every moeprof library: Status (ok or an error with a message) and
// Expected<T> (a value or an error). No exceptions cross library boundaries.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace moeprof {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // caller passed something unusable
  kNotFound,         // file or table missing
  kNotATrace,        // a file that is not a moeprof trace (not SQLite, or SQLite without our tables)
  kCorrupt,          // truncated or malformed data
  kVersionTooNew,    // trace format newer than this build knows
  kVersionTooOld,    // trace format older, and migration was not requested
  kIo,               // read/write/permission/disk-full errors
  kUnavailable,      // a needed facility (driver, device) is absent
  kInternal,         // a bug or unexpected library failure
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return {}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Expected(Status error) : v_(std::move(error)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace moeprof

// Propagates a non-ok Status from an expression returning Status.
#define MOEPROF_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::moeprof::Status _moeprof_st = (expr);    \
    if (!_moeprof_st.ok()) return _moeprof_st; \
  } while (0)
