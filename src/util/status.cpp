#include "litrank/status.h"

namespace litrank {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: name = "invalid argument"; break;
    case Code::kNotFound: name = "not found"; break;
    case Code::kIOError: name = "I/O error"; break;
    case Code::kCorruption: name = "corrupt input"; break;
    case Code::kUnsupported: name = "unsupported"; break;
    case Code::kTooLong: name = "too long"; break;
    case Code::kNetworkError: name = "network error"; break;
    case Code::kChecksumMismatch: name = "checksum mismatch"; break;
    case Code::kInternal: name = "internal error"; break;
    case Code::kResourceExhausted: name = "busy"; break;
    case Code::kCancelled: name = "cancelled"; break;
    case Code::kUnavailable: name = "unavailable"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace litrank
