// Copies a whole collection between back ends (SQLite file <-> PostgreSQL
// database, or any of the two to another of its kind), resumably: rows go over in
// key order, in batches, each committed together with how far it got, so an
// interrupted copy (Ctrl-C, kill -9, a lost connection) continues where it stopped
// when run again. The copy keeps the collection's id, row ids and every table.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "litrank/status.h"

namespace litrank {

/// Rows of one table: in the source, and in the destination after the copy.
struct CopiedTable {
  std::string table;
  int64_t source_rows = 0;
  int64_t copied_rows = 0;
};

struct CopyOptions {
  /// Rows per committed batch (a batch also ends at ~32 MiB of values).
  int64_t batch_rows = 2000;
  /// Checked between batches: set, the copy stops with Status::Cancelled (resumable).
  const std::atomic<bool>* cancel = nullptr;
  /// Called after every batch: the table and its rows done so far of its total.
  std::function<void(const std::string& table, int64_t done, int64_t total)> progress;
  /// Test hook: stop with Cancelled after this many batches (0 = never).
  int64_t stop_after_batches = 0;
};

/// What a copy did.
struct CopyReport {
  bool resumed = false;          ///< it continued an interrupted copy
  bool already_complete = false; ///< the destination already held this copy; nothing done
  std::vector<CopiedTable> tables;
};

/// Copies the collection at `from` into `to` (each a file path or postgresql:// URL;
/// `to` is created if it is a file, and must be an existing, empty database if it
/// is a URL). Refuses a destination that holds another collection, or a resumed
/// copy whose source changed since it began (its generation moved). Verifies the
/// row count of every table at the end.
Status CopyCollection(const std::string& from, const std::string& to, const CopyOptions& options, CopyReport* report);

}  // namespace litrank
