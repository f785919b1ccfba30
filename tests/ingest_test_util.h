// Shared by the tests/ingest_*_test.cpp suites: write a fixture file, read it back.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/record_reader.h"

namespace litrank::testing {

/// A fresh directory per test; removed when it goes.
class IngestTempDir {
 public:
  IngestTempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("litrank_ingest_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(path_);
  }
  ~IngestTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  /// Writes `content` to `name` inside the directory; returns its path.
  std::string Write(const std::string& name, const std::string& content) const {
    const std::filesystem::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

/// What reading one file gave.
struct IngestResult {
  Status status;
  std::vector<Document> docs;
  RecordReadReport report;
};

/// Reads the file at `path` into memory.
inline IngestResult ReadAll(const std::string& path, const RecordReadOptions& options = {}) {
  IngestResult r;
  r.status = ReadRecords(path, options, [&](Document&& d) {
    r.docs.push_back(std::move(d));
    return Status::Ok();
  }, &r.report);
  return r;
}

/// Writes `content` as `name` into `dir` and reads it with `format`.
inline IngestResult ReadText(const IngestTempDir& dir, const std::string& name, const std::string& content,
                             RecordFormat format = RecordFormat::kAuto) {
  RecordReadOptions options;
  options.format = format;
  return ReadAll(dir.Write(name, content), options);
}

}  // namespace litrank::testing
