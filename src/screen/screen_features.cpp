#include "screen/screen_features.h"

#include "search/bm25_index.h"

namespace litrank::screen {

std::string ScreeningText(const Document& doc, bool keywords) {
  std::string text = SearchText(doc);
  if (keywords) {
    for (const std::string& k : doc.keywords) text += "\n" + k;
  }
  return text;
}

StatusOr<ScreeningFeatures> BuildScreeningFeatures(const std::vector<Document>& docs, const std::string& question,
                                                   const ScreeningModelOptions& options,
                                                   const std::string& stemmer) {
  std::vector<std::string> texts;
  texts.reserve(docs.size() + 1);
  for (const Document& d : docs) texts.push_back(ScreeningText(d, options.keyword_features));
  texts.push_back(question);
  StatusOr<std::vector<std::vector<std::string>>> terms = AnalyzeTexts(texts, TextTermOptions{stemmer, /*stem=*/false});
  if (!terms.ok()) return terms.status();
  std::vector<std::string> question_terms = std::move(terms->back());
  terms->pop_back();

  ScreeningFeatures out;
  out.rows = BuildTfidf(*terms, TfidfOptions{});
  if (!question_terms.empty()) {
    std::unique_ptr<Bm25Index> bm25 = Bm25Index::FromTerms(*terms);
    std::vector<LexicalHit> hits;
    bm25->Search(question_terms, docs.size(), Bm25Params{}, nullptr, &hits);
    out.prior.assign(docs.size(), 0.0);
    for (const LexicalHit& h : hits) out.prior[static_cast<size_t>(h.rowid)] = h.score;
  }
  return out;
}

}  // namespace litrank::screen
