// The CLI's side of a job sent to the worker pool (`--queue`): announce it, show
// its progress, let Ctrl-C cancel it, and say why it did not finish.
#pragma once

#include <cstdint>
#include <string>

#include "distributed/work_queue.h"
#include "litrank/status.h"

namespace litrank::cli {

/// Waits for `job` (`items` of work on `queue_url`, for the message) until it is
/// finished; Ctrl-C cancels it. The job's state when done; Cancelled after
/// Ctrl-C; Internal naming the job's errors when it failed or was cancelled elsewhere
/// (what finished is kept: running the command again does the rest).
StatusOr<JobState> AwaitPoolJob(WorkQueue& queue, int64_t job, const std::string& label, int64_t items,
                                size_t task_size, const std::string& queue_url, bool progress);

}  // namespace litrank::cli
