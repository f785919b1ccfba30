// BuildReview: topics → trends → keyword network → key papers → outline.
#include <algorithm>
#include <numeric>

#include "litrank/review.h"
#include "search/bm25_index.h"
#include "text/tfidf.h"

namespace litrank {
namespace {

constexpr int kMaxChosenSections = 12;  // an outline with more sections is no outline

/// BM25 (litrank's defaults) of `question` for every document; empty without a question.
StatusOr<std::vector<double>> QuestionScores(const std::vector<Document>& docs, const std::string& question,
                                             const std::string& stemmer) {
  if (question.empty()) return std::vector<double>{};
  std::vector<std::string> texts;
  for (const Document& d : docs) texts.push_back(SearchText(d));
  return Bm25OfQuestion(texts, question, stemmer);
}

}  // namespace

StatusOr<Review> BuildReview(const std::vector<Document>& docs, const ReviewOptions& o) {
  if (docs.empty()) return Status::InvalidArgument("no documents to review");
  const int steps = 5;
  auto progress = [&](const char* step, int n) {
    if (o.cancelled && o.cancelled()) return Status::Cancelled("the review was cancelled before its step " + std::string(step));
    if (o.progress) o.progress(step, n, steps);
    return Status::Ok();
  };
  Review review;
  review.question = o.question;

  LITRANK_RETURN_IF_ERROR(progress("topics", 1));
  TopicOptions topic_options = o.topics;
  if (topic_options.k == 0) topic_options.max_k = std::min(topic_options.max_k, kMaxChosenSections);
  topic_options.representatives = std::max(topic_options.representatives, static_cast<int>(o.key_papers));
  StatusOr<TopicModel> topics = FindTopics(docs, topic_options);
  if (!topics.ok()) return topics.status();
  review.topics = std::move(*topics);

  LITRANK_RETURN_IF_ERROR(progress("trends and bursts", 2));
  StatusOr<Trends> trends = FindTrends(docs, o.trends, &review.topics);
  if (trends.ok()) {
    review.trends = std::move(*trends);
  } else if (trends.status().code() == Status::Code::kInvalidArgument) {
    review.trends_note = trends.status().message();
  } else {
    return trends.status();
  }

  LITRANK_RETURN_IF_ERROR(progress("keyword network", 3));
  StatusOr<KeywordNetwork> keywords = BuildKeywordNetwork(docs, o.keywords);
  if (keywords.ok()) {
    review.keywords = std::move(*keywords);
  } else if (keywords.status().code() == Status::Code::kInvalidArgument) {
    review.keywords_note = keywords.status().message();
  } else {
    return keywords.status();
  }

  LITRANK_RETURN_IF_ERROR(progress("assessment", 4));
  if (o.assess) {
    AssessOptions ao = o.assessment;
    ao.topic_of = review.topics.topic_of;
    ao.stemmer = o.topics.stemmer;
    StatusOr<Assessment> assessed = Assess(docs, ao, o.scorer);
    if (!assessed.ok()) return assessed.status();
    review.assessment = std::move(*assessed);
  }

  LITRANK_RETURN_IF_ERROR(progress("key papers and outline", 5));
  std::vector<double> composite;
  if (review.assessment) {
    composite.assign(docs.size(), 0.0);
    for (const PaperAssessment& p : review.assessment->papers) composite[p.index] = p.composite;
  }
  StatusOr<std::vector<double>> relevance = QuestionScores(docs, o.question, o.topics.stemmer);
  if (!relevance.ok()) return relevance.status();
  review.relevance = std::move(*relevance);
  for (size_t t = 0; t < review.topics.topics.size(); ++t) {
    const Topic& topic = review.topics.topics[t];
    ReviewSection s;
    s.topic = topic.id;
    s.title = topic.label;
    s.keywords = topic.keywords;
    if (review.trends && t < review.trends->topics.size()) s.status = review.trends->topics[t].status;
    if (!review.relevance.empty()) {
      std::vector<size_t> members = topic.members;
      double sum = 0;
      for (size_t m : members) sum += review.relevance[m];
      s.relevance = members.empty() ? 0 : sum / static_cast<double>(members.size());
      std::stable_sort(members.begin(), members.end(),
                       [&](size_t a, size_t b) { return review.relevance[a] > review.relevance[b]; });
      members.resize(std::min(members.size(), o.key_papers));
      s.key_papers = members;
    } else if (!composite.empty()) {
      std::vector<size_t> members = topic.members;
      std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) { return composite[a] > composite[b]; });
      members.resize(std::min(members.size(), o.key_papers));
      s.key_papers = members;
    } else {
      s.key_papers.assign(topic.representatives.begin(),
                          topic.representatives.begin() + static_cast<std::ptrdiff_t>(std::min(topic.representatives.size(), o.key_papers)));
    }
    review.outline.push_back(std::move(s));
  }
  if (!review.relevance.empty()) {
    std::stable_sort(review.outline.begin(), review.outline.end(),
                     [](const ReviewSection& a, const ReviewSection& b) { return a.relevance > b.relevance; });
  }
  return review;
}

}  // namespace litrank
