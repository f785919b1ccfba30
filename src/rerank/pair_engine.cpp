#include "rerank/pair_engine.h"

namespace litrank {

Status ForEachRound(const std::vector<size_t>& sizes, size_t budget, size_t max_docs,
                    const std::function<Status(const std::vector<size_t>&)>& run,
                    const std::function<void(size_t)>& on_docs_done) {
  std::vector<size_t> round;
  size_t round_tokens = 0, done = 0;
  for (size_t i = 0; i <= sizes.size(); ++i) {
    const size_t n = i < sizes.size() ? sizes[i] : 0;
    const bool full = i == sizes.size() || round.size() == max_docs || (!round.empty() && round_tokens + n > budget);
    if (full && !round.empty()) {
      LITRANK_RETURN_IF_ERROR(run(round));
      done += round.size();
      if (on_docs_done) on_docs_done(done);
      round.clear();
      round_tokens = 0;
    }
    if (i < sizes.size()) round.push_back(i), round_tokens += n;
  }
  return Status::Ok();
}

}  // namespace litrank
