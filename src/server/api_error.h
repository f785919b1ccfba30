// Errors of the HTTP API: an HTTP status plus the OpenAI-style JSON body
// {"error": {"message", "type", "code"}} that every client library understands.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "litrank/status.h"

namespace litrank::server {

/// One API error. status 0 = no error.
struct ApiError {
  int status = 0;
  std::string type;     ///< "invalid_request_error", "authentication_error", ...
  std::string code;     ///< machine-readable: "invalid_json", "too_many_documents", ...
  std::string message;  ///< for people
  int retry_after = 0;  ///< seconds, sent as Retry-After (429, 503)

  bool ok() const { return status == 0; }
  /// The JSON body.
  nlohmann::json ToJson() const;
};

/// 400 invalid_request_error with `code` (default "invalid_request").
ApiError BadRequest(std::string message, std::string code = "invalid_request");
/// 413 (too many documents, body too large).
ApiError TooLarge(std::string message, std::string code);
/// 404.
ApiError NotFound(std::string message);
/// Maps a library Status to the API error it means: InvalidArgument and Unsupported
/// 400, TooLong 422, NotFound 404, ResourceExhausted 429, Cancelled 499, Unavailable (a
/// collection locked by another writer past the bounded wait) 503 + Retry-After; Corruption (a
/// damaged file on the server), I/O and engine failures 500. Callers turn errors that
/// are the client's fault (a malformed upload) into 400 themselves.
ApiError FromStatus(const Status& status);

}  // namespace litrank::server
