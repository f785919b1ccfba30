// litrank — Status: the error type every fallible library call returns.
//
// Modelled on LevelDB's Status: cheap to return when OK, carries a code and a
// human-readable message otherwise. The library never lets an exception escape
// and never aborts on bad input; it returns a non-OK Status instead.
#pragma once

#include <string>
#include <utility>

namespace litrank {

/// Outcome of an operation: OK, or an error code with a message for people.
class Status {
 public:
  /// Broad classes of failure; the CLI maps them to exit codes.
  enum class Code {
    kOk = 0,
    kInvalidArgument,   ///< bad input from the caller (empty query, bad UTF-8, ...)
    kNotFound,          ///< a file or resource does not exist
    kIOError,           ///< reading or writing failed
    kCorruption,        ///< a file exists but is not what it claims (truncated GGUF, ...)
    kUnsupported,       ///< a valid input of a kind we do not handle (wrong model kind, ...)
    kTooLong,           ///< input exceeds a length budget
    kNetworkError,      ///< a download or HTTP call failed
    kChecksumMismatch,  ///< downloaded bytes do not match the expected hash
    kInternal,          ///< a bug or an engine failure (llama_decode error, ...)
    kResourceExhausted, ///< a queue or limit is full right now; the same call may succeed later
    kCancelled,         ///< the caller gave up (e.g. the HTTP client disconnected)
    kUnavailable,       ///< a shared resource stayed locked past a bounded wait (another
                        ///< writer holds the collection); retrying later is expected to work
  };

  /// An OK status.
  Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status Unsupported(std::string m) { return Status(Code::kUnsupported, std::move(m)); }
  static Status TooLong(std::string m) { return Status(Code::kTooLong, std::move(m)); }
  static Status NetworkError(std::string m) { return Status(Code::kNetworkError, std::move(m)); }
  static Status ChecksumMismatch(std::string m) { return Status(Code::kChecksumMismatch, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
  static Status ResourceExhausted(std::string m) { return Status(Code::kResourceExhausted, std::move(m)); }
  static Status Cancelled(std::string m) { return Status(Code::kCancelled, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  /// The message alone ("" when OK).
  const std::string& message() const { return message_; }
  /// "OK" or "<code name>: <message>".
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

/// A value or the Status explaining why there is none.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)), has_value_(true) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {}           // NOLINT: implicit by design
  bool ok() const { return has_value_; }
  const Status& status() const { return status_; }
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  T& operator*() { return value_; }

 private:
  T value_{};
  Status status_;
  bool has_value_ = false;
};

}  // namespace litrank

/// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define LITRANK_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::litrank::Status _litrank_st = (expr);      \
    if (!_litrank_st.ok()) return _litrank_st;   \
  } while (0)
