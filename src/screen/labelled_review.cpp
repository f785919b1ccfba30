// Reading a fully labelled review for simulation, through the ingest readers.
#include <nlohmann/json.hpp>

#include <set>

#include "ingest/record_reader.h"
#include "litrank/screening.h"

namespace litrank {

Status ReadLabelledReview(const std::string& path, const std::string& review, std::vector<Document>* docs,
                          std::vector<bool>* included) {
  docs->clear();
  included->clear();
  std::set<std::string> reviews;
  size_t unlabelled = 0, seen = 0;
  std::string first_unlabelled;
  RecordReadOptions options;
  options.keep_textless = true;  // a record without text still counts in the review
  Status st = ReadRecords(
      path, options,
      [&](Document&& doc) {
        ++seen;
        const nlohmann::json extra = nlohmann::json::parse(doc.extra_json, nullptr, false);
        if (extra.is_object()) {
          const auto it = extra.find("review");
          if (it != extra.end() && it->is_string()) {
            reviews.insert(it->get<std::string>());
            if (!review.empty() && *it != review) return Status::Ok();
          } else if (!review.empty()) {
            return Status::Ok();
          }
        }
        const std::optional<ScreenDecision> label = LabelFromRecord(doc);
        if (!label || *label == ScreenDecision::kMaybe) {
          if (unlabelled++ == 0) first_unlabelled = doc.id.empty() ? doc.title.substr(0, 60) : doc.id;
          return Status::Ok();
        }
        included->push_back(*label == ScreenDecision::kInclude);
        docs->push_back(std::move(doc));
        return Status::Ok();
      },
      nullptr);
  LITRANK_RETURN_IF_ERROR(st);
  if (!review.empty() && docs->empty() && unlabelled == 0) {
    std::string names;
    for (const std::string& r : reviews) names += (names.empty() ? "" : ", ") + r;
    return Status::InvalidArgument("no record of " + path + " belongs to review '" + review + "'" +
                                   (names.empty() ? " (the file has no review field)" : "; reviews: " + names));
  }
  if (docs->empty()) {
    return Status::InvalidArgument(seen == 0 ? path + " holds no readable record"
                                             : "no record of " + path +
                                                   " carries a label (a label_included / included column, "
                                                   "or ASReview_relevant / ASReview_irrelevant in RIS N1)");
  }
  if (unlabelled > 0) {
    return Status::InvalidArgument(std::to_string(unlabelled) + " record(s) of " + path +
                                   " have no include/exclude label (first: '" + first_unlabelled +
                                   "'); a simulation needs every record labelled");
  }
  if (review.empty() && reviews.size() > 1) {
    std::string names;
    for (const std::string& r : reviews) names += (names.empty() ? "" : ", ") + r;
    return Status::InvalidArgument(path + " holds several reviews (" + names + "); pick one with --review");
  }
  return Status::Ok();
}

}  // namespace litrank
