// A minimal fork-join helper for the vector indexes' scans and bulk inserts.
#pragma once

#include <cstddef>
#include <functional>

namespace litrank {

/// Threads worth using for a job of `work` units (1 below `min_work`).
size_t WorkerCount(size_t work, size_t min_work);

/// Calls fn(0) .. fn(parts - 1), each on its own thread (part 0 on the caller's),
/// and returns when all are done. If a thread cannot be started its part runs
/// on the calling thread instead, so every part always runs exactly once.
/// `fn` must not throw.
void ParallelFor(size_t parts, const std::function<void(size_t)>& fn);

}  // namespace litrank
