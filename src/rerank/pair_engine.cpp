#include "rerank/pair_engine.h"

#include <algorithm>

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

namespace litrank {

Status PairEngine::Score(const QueryPrompt& prompt, const std::vector<const Tokens*>& docs,
                         std::vector<double>* logits, size_t* decoded,
                         const std::function<void(size_t)>& on_docs_done) {
  logits->assign(docs.size(), 0.0);
  *decoded = 0;
  const RoundLimits lim = limits();
  const size_t shared = PromptCost(prompt);
  const size_t budget = std::min(lim.round_tokens, lim.context_tokens > shared ? lim.context_tokens - shared : 0);
  std::vector<size_t> sizes;
  for (const Tokens* d : docs) sizes.push_back(PairCost({&prompt, d}));
  std::vector<PairRef> round;
  std::vector<double> round_logits;
  return ForEachRound(sizes, std::max<size_t>(budget, 1), lim.round_sequences, [&](const std::vector<size_t>& members) {
    round.clear();
    for (size_t m : members) round.push_back({&prompt, docs[m]});
    LITRANK_RETURN_IF_ERROR(ScoreRound(round, &round_logits, decoded));
    for (size_t i = 0; i < members.size(); ++i) (*logits)[members[i]] = round_logits[i];
    return Status::Ok();
  }, on_docs_done);
}

}  // namespace litrank
