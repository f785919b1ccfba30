#include "vector/parallel.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

namespace litrank {

size_t WorkerCount(size_t work, size_t min_work) {
  return work < min_work ? 1 : std::max<size_t>(1, std::thread::hardware_concurrency());
}

void ParallelFor(size_t parts, const std::function<void(size_t)>& fn) {
  std::vector<std::thread> workers;
  std::vector<size_t> inline_parts;
  for (size_t p = 1; p < parts; ++p) {
    try {
      workers.emplace_back(fn, p);
    } catch (const std::system_error&) {
      inline_parts.push_back(p);  // out of threads: do it here
    }
  }
  if (parts > 0) fn(0);
  for (size_t p : inline_parts) fn(p);
  for (auto& w : workers) w.join();
}

}  // namespace litrank
