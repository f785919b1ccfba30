#include "screen/project_io.h"

#include <nlohmann/json.hpp>

#include <unordered_map>

#include "ingest/record_reader.h"
#include "ingest/record_writer.h"
#include "store/document_row.h"

namespace litrank::screen {
namespace {

const char* StrategyName(QueryStrategy s) {
  switch (s) {
    case QueryStrategy::kCertainty: return "certainty";
    case QueryStrategy::kUncertainty: return "uncertainty";
    case QueryStrategy::kMixed: return "mixed";
  }
  return "certainty";
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

std::string ModelOptionsToJson(const ScreeningModelOptions& o) {
  return nlohmann::json{{"learner", o.learner}, {"c", o.c}, {"strategy", StrategyName(o.strategy)},
                        {"random_share", o.random_share}, {"prior_weight", o.prior_weight},
                        {"retrain_share", o.retrain_share}, {"keyword_features", o.keyword_features}}
      .dump();
}

Status ModelOptionsFromJson(const std::string& text, ScreeningModelOptions* o) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Corruption("a screening project's settings are not a JSON object");
  o->learner = j.value("learner", o->learner);
  o->c = j.value("c", o->c);
  const std::string strategy = j.value("strategy", std::string("certainty"));
  o->strategy = strategy == "uncertainty" ? QueryStrategy::kUncertainty
                : strategy == "mixed"     ? QueryStrategy::kMixed
                                          : QueryStrategy::kCertainty;
  o->random_share = j.value("random_share", o->random_share);
  o->prior_weight = j.value("prior_weight", o->prior_weight);
  o->retrain_share = j.value("retrain_share", o->retrain_share);
  o->keyword_features = j.value("keyword_features", o->keyword_features);
  return Status::Ok();
}

Status WriteProjectExport(const std::string& format, const std::vector<ExportRow>& rows,
                          const std::vector<StoredDocument>& docs, std::ostream& out) {
  std::unordered_map<int64_t, const Document*> by_id;
  for (const StoredDocument& d : docs) by_id[d.rowid] = &d.doc;
  if (format == "csv") {
    WriteCsvRow({"record_id", "title", "abstract", "authors", "year", "doi", "keywords", "label_included",
                 "decision", "screening_order", "model_score"},
                out);
    for (const ExportRow& r : rows) {
      auto it = by_id.find(r.rowid);
      if (it == by_id.end()) continue;
      const Document& d = *it->second;
      const bool decided = r.label == 0 || r.label == 1;
      WriteCsvRow({std::to_string(r.rowid), d.title, d.abstract, Join(d.authors, "; "),
                   d.year > 0 ? std::to_string(d.year) : "", d.doi, Join(d.keywords, "; "),
                   decided ? std::to_string(r.label) : "-1",
                   r.label >= 0 ? ScreenDecisionName(static_cast<ScreenDecision>(r.label)) : "",
                   r.order > 0 ? std::to_string(r.order) : "", r.order > 0 ? "" : std::to_string(r.score)},
                  out);
    }
    return Status::Ok();
  }
  if (format == "ris") {
    for (const ExportRow& r : rows) {
      auto it = by_id.find(r.rowid);
      if (it == by_id.end()) continue;
      std::vector<std::string> notes;
      notes.push_back(r.label == 1   ? "ASReview_relevant"
                      : r.label == 0 ? "ASReview_irrelevant"
                                     : "ASReview_not_seen");
      if (r.label == static_cast<int>(ScreenDecision::kMaybe)) notes.push_back("litrank: maybe");
      WriteRisRecord(*it->second, notes, out);
    }
    return Status::Ok();
  }
  if (format == "bibtex" || format == "bib") {
    for (const ExportRow& r : rows) {
      auto it = by_id.find(r.rowid);
      if (it == by_id.end() || r.label != 1) continue;
      WriteBibtexEntry(*it->second, BibtexKey(*it->second, r.rowid), out);
    }
    return Status::Ok();
  }
  return Status::InvalidArgument("unknown export format '" + format + "' (csv, ris or bibtex)");
}

Status MatchLabelledRecords(const std::string& path, const std::vector<StoredDocument>& stored,
                            std::vector<std::pair<int64_t, ScreenDecision>>* found, int64_t* unmatched) {
  std::unordered_map<std::string, int64_t> by_doi, by_id, by_title;
  for (const StoredDocument& s : stored) {
    if (!s.doc.doi.empty()) by_doi.emplace(s.doc.doi, s.rowid);
    if (!s.doc.id.empty()) by_id.emplace(s.doc.id, s.rowid);
    const std::string title = NormalizeTitle(s.doc.title);
    if (!title.empty()) {
      by_title.emplace(title + "|" + std::to_string(s.doc.year), s.rowid);
      by_title.emplace(title, s.rowid);
    }
  }
  size_t labelled = 0;
  *unmatched = 0;
  Status st = ReadRecords(
      path, RecordReadOptions{},
      [&](Document&& doc) {
        const std::optional<ScreenDecision> label = LabelFromRecord(doc);
        if (!label) return Status::Ok();
        ++labelled;
        const std::string title = NormalizeTitle(doc.title);
        for (const auto& [map, key] : {std::pair{&by_doi, doc.doi}, std::pair{&by_id, doc.id},
                                       std::pair{&by_title, title.empty() ? "" : title + "|" + std::to_string(doc.year)},
                                       std::pair{&by_title, title}}) {
          if (key.empty()) continue;
          auto it = map->find(key);
          if (it != map->end()) {
            found->emplace_back(it->second, *label);
            return Status::Ok();
          }
        }
        ++*unmatched;
        return Status::Ok();
      },
      nullptr);
  LITRANK_RETURN_IF_ERROR(st);
  if (labelled == 0) {
    return Status::InvalidArgument(path + " has no labelled record (label_included / included column, "
                                          "or ASReview_relevant / ASReview_irrelevant in RIS N1)");
  }
  if (found->empty()) {
    return Status::InvalidArgument("none of the " + std::to_string(labelled) + " labelled records of " + path +
                                   " matches a record of this collection (by DOI, id or title)");
  }
  return Status::Ok();
}

}  // namespace litrank::screen
