// Ingest: read a bibliographic file into a Corpus in resumable batches.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ingest/record_reader.h"
#include "litrank/corpus.h"
#include "litrank/status.h"

namespace litrank {

/// What one ingest did.
struct IngestReport {
  size_t added = 0;
  size_t updated = 0;
  size_t unchanged = 0;
  size_t resumed_from = 0;                ///< records skipped because an earlier run committed them
  std::vector<SkippedRecord> skipped;     ///< malformed records, with file, line and reason (first 10,000)
  size_t skipped_total = 0;               ///< all skipped records, listed or not
};

/// Streams `path` into `corpus`, committing every `batch` records together with
/// the job's progress, so a killed ingest loses at most one batch and the next
/// run over the same unchanged file resumes after the last committed record.
/// `progress(bytes_done, bytes_total)` may be empty; so may `committed(records_done)`,
/// called after each batch's transaction has committed.
Status IngestFile(Corpus& corpus, const std::string& path, const RecordReadOptions& options,
                  size_t batch, IngestReport* report,
                  const std::function<void(uint64_t, uint64_t)>& progress = {},
                  const std::function<void(int64_t)>& committed = {});

}  // namespace litrank
