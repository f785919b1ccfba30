// Shared by the libFuzzer harnesses: the contract every record a reader emits
// must keep (record_reader.h), checked on each one, and a scratch file for the
// readers that take a path.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ingest/record_reader.h"
#include "litrank/document.h"
#include "litrank/status.h"
#include "util/utf8.h"

namespace litrank::fuzz {

/// Stops the run with a message libFuzzer shows next to the crashing input.
[[noreturn]] inline void Fail(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "litrank fuzz: contract broken: %s %s\n", what, detail.c_str());
  std::abort();
}

inline void Check(bool ok, const char* what, const std::string& detail = "") {
  if (!ok) Fail(what, detail);
}

/// What record_reader.h promises of every record a reader hands on.
inline void CheckRecord(const Document& d, bool keep_textless = false) {
  for (const std::string* s : {&d.id, &d.title, &d.abstract, &d.venue, &d.doi, &d.language,
                               &d.url, &d.extra_json, &d.source}) {
    Check(IsValidUtf8(*s), "field is not valid UTF-8", *s);
  }
  for (const auto* list : {&d.authors, &d.keywords}) {
    for (const std::string& s : *list) {
      Check(IsValidUtf8(s), "list item is not valid UTF-8", s);
      Check(!s.empty(), "empty list item");
    }
  }
  Check(keep_textless || !d.title.empty() || !d.abstract.empty(), "record without title or abstract");
  const nlohmann::json extra = nlohmann::json::parse(d.extra_json, nullptr, false);
  Check(extra.is_object(), "extra_json is not a JSON object", d.extra_json);
  Check(d.year == 0 || (d.year >= 1000 && d.year <= 2999), "year out of range", std::to_string(d.year));
  for (char c : d.doi) Check(!(c >= 'A' && c <= 'Z'), "DOI not lower-case", d.doi);
  Check(!d.source.empty(), "record without source");
}

/// A sink that checks each record and counts them.
struct CheckingSink {
  size_t records = 0;
  bool keep_textless = false;
  RecordSink Sink() {
    return [this](Document&& d) {
      CheckRecord(d, keep_textless);
      ++records;
      return Status::Ok();
    };
  }
};

/// A file holding the fuzz input, removed when the harness process ends.
/// One per process (libFuzzer runs inputs one after another in a process).
class ScratchFile {
 public:
  explicit ScratchFile(const char* suffix) {
    // The pid keeps parallel jobs apart; padded to a fixed width, so the path (and the
    // code paths its length steers) is the same on every run of a fixed-seed smoke.
    const char* dir = std::getenv("TMPDIR");
    char pid[16];
    std::snprintf(pid, sizeof pid, "%010d", static_cast<int>(::getpid()));
    path_ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/litrank-fuzz-" + pid + suffix;
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  /// Replaces the file's content with `data`.
  const std::string& Write(const uint8_t* data, size_t size) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    if (f == nullptr) Fail("cannot write the scratch file", path_);
    if (size > 0 && std::fwrite(data, 1, size, f) != size) Fail("short write to", path_);
    std::fclose(f);
    return path_;
  }

 private:
  std::string path_;
};

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace litrank::fuzz
