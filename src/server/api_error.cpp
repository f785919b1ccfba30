#include "server/api_error.h"

namespace litrank::server {

nlohmann::json ApiError::ToJson() const {
  return {{"error", {{"message", message}, {"type", type}, {"code", code}}}};
}

ApiError BadRequest(std::string message, std::string code) {
  return {400, "invalid_request_error", std::move(code), std::move(message)};
}

ApiError TooLarge(std::string message, std::string code) {
  return {413, "invalid_request_error", std::move(code), std::move(message)};
}

ApiError NotFound(std::string message) { return {404, "not_found_error", "not_found", std::move(message)}; }

ApiError FromStatus(const Status& st) {
  switch (st.code()) {
    case Status::Code::kOk: return {};
    case Status::Code::kInvalidArgument: return BadRequest(st.message());
    case Status::Code::kTooLong: return {422, "invalid_request_error", "too_many_tokens", st.message()};
    case Status::Code::kNotFound: return NotFound(st.message());
    case Status::Code::kResourceExhausted: return {429, "rate_limit_error", "queue_full", st.message(), 1};
    case Status::Code::kCancelled: return {499, "cancelled", "client_closed_request", st.message()};
    case Status::Code::kUnsupported: return BadRequest(st.message(), "unsupported_input");
    case Status::Code::kUnavailable: return {503, "server_error", "collection_locked", st.message(), 1};
    case Status::Code::kCorruption:  // a damaged collection file or index: the server's problem
    case Status::Code::kIOError:
    case Status::Code::kNetworkError:
    case Status::Code::kChecksumMismatch:
    case Status::Code::kInternal: break;
  }
  return {500, "server_error", "internal_error", st.message()};
}

}  // namespace litrank::server
