// Internal to ingest (and io/document_reader): a line-at-a-time view of a
// file or an in-memory string, with line numbers, byte counts and progress.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "ingest/record_reader.h"
#include "litrank/status.h"

namespace litrank::ingest {

/// Calls a ReadProgress callback at most once per MiB read, and at the end.
class ProgressMeter {
 public:
  /// `callback` may be empty; `total` is the input's size in bytes.
  ProgressMeter(const ReadProgress& callback, uint64_t total) : callback_(callback), total_(total) {}
  /// Says `done` bytes have been read; reports when a MiB passed since the last report.
  void Update(uint64_t done);
  /// Reports (total, total) once.
  void Finish();

 private:
  const ReadProgress& callback_;
  uint64_t total_;
  uint64_t last_ = 0;
  bool finished_ = false;
};

/// Reads lines one at a time. The first line loses a UTF-8 BOM; lines lose
/// their "\n" or "\r\n". Memory holds one line, of at most kMaxLineBytes: a
/// longer one ends the input with an InvalidArgument status.
class LineSource {
 public:
  /// The longest line read (no text format litrank reads needs more).
  static constexpr size_t kMaxLineBytes = 64u << 20;

  /// Lines of `text` (not copied: it must outlive the source).
  explicit LineSource(std::string_view text) : text_(text) {}
  /// Lines of the file at `path`; check status() before reading.
  LineSource(const std::string& path, ProgressMeter* meter);

  /// Stores the next line in *line (valid until the next call); false at the end.
  bool Next(std::string_view* line);
  /// 1-based number of the line Next() returned last (0 before the first).
  size_t line_number() const { return line_no_; }
  /// Bytes consumed so far (line terminators included).
  uint64_t bytes_done() const { return bytes_; }
  /// Not OK when the file could not be opened or a read failed.
  const Status& status() const { return status_; }

 private:
  std::string_view text_;
  std::unique_ptr<std::ifstream> file_;
  ProgressMeter* meter_ = nullptr;
  std::string buf_;
  size_t pos_ = 0, line_no_ = 0;
  uint64_t bytes_ = 0;
  Status status_;
};

}  // namespace litrank::ingest
