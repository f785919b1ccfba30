#include "store/ingest_file.h"

#include <sys/stat.h>

#include <filesystem>

namespace litrank {

Status IngestFile(Corpus& corpus, const std::string& path, const RecordReadOptions& options,
                  size_t batch, IngestReport* report,
                  const std::function<void(uint64_t, uint64_t)>& progress,
                  const std::function<void(int64_t)>& committed) {
  *report = IngestReport{};
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return Status::NotFound("no such file: " + path);
  std::error_code ec;
  const std::string key = std::filesystem::absolute(path, ec).lexically_normal().string();
  IngestJob job{ec ? path : key, static_cast<int64_t>(info.st_size), static_cast<int64_t>(info.st_mtime), 0, false};

  auto previous = corpus.GetJob(job.path);
  if (!previous.ok()) return previous.status();
  int64_t skip = 0;
  if (previous->has_value()) {
    const IngestJob& p = **previous;
    if (!p.finished && p.size == job.size && p.mtime == job.mtime) skip = p.records_done;
  }
  report->resumed_from = static_cast<size_t>(skip);

  std::vector<Document> pending;
  int64_t consumed = 0;
  std::vector<AddOutcome> outcomes;
  auto commit = [&](bool finished) -> Status {
    job.records_done = consumed;
    job.finished = finished;
    LITRANK_RETURN_IF_ERROR(corpus.AddWithJob(pending, job, &outcomes));
    for (AddOutcome o : outcomes) {
      if (o == AddOutcome::kAdded) ++report->added;
      if (o == AddOutcome::kUpdated) ++report->updated;
      if (o == AddOutcome::kUnchanged) ++report->unchanged;
    }
    pending.clear();
    if (committed) committed(consumed);
    return Status::Ok();
  };
  RecordReadReport read_report;
  Status st = ReadRecords(
      path, options,
      [&](Document&& doc) -> Status {
        ++consumed;
        if (consumed <= skip) return Status::Ok();
        if (doc.title.empty() && doc.abstract.empty()) {
          report->skipped.push_back({path, 0, "record " + std::to_string(consumed) + " has neither title nor text"});
          ++report->skipped_total;
          return Status::Ok();
        }
        pending.push_back(std::move(doc));
        return pending.size() >= batch ? commit(false) : Status::Ok();
      },
      &read_report, progress);
  report->skipped.insert(report->skipped.end(), read_report.skipped.begin(), read_report.skipped.end());
  report->skipped_total += read_report.skipped_total;
  LITRANK_RETURN_IF_ERROR(st);
  return commit(true);
}

}  // namespace litrank
