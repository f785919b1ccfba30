// ScreeningProject on the collection's SQLite file (tables of schema v2).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <unordered_map>

#include "litrank/reranker.h"
#include "litrank/screening.h"
#include "screen/active_learner.h"
#include "screen/project_io.h"
#include "screen/screen_features.h"
#include "store/sql.h"

namespace litrank {
namespace {

using screen::LabelVector;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Ranked records kept between calls (the model's state): retraining happens
// once enough new labels arrived, as in the simulation.
constexpr size_t kQueueLength = 500;
constexpr size_t kQueueEntry = sizeof(int64_t) + sizeof(double);  // rowid, score

class SqliteScreeningProject final : public ScreeningProject {
 public:
  SqliteScreeningProject(std::unique_ptr<Corpus> corpus, sql::Db db, std::string name, ScreeningSettings settings,
                         std::string prior)
      : corpus_(std::move(corpus)), db_(std::move(db)), name_(std::move(name)), settings_(std::move(settings)),
        prior_(std::move(prior)) {}

  // The prior the project stores now ("bm25", "reranker:FINGERPRINT"), read afresh.
  StatusOr<std::string> StoredPrior();
  Status BeginRerankerPrior(const std::string& fingerprint, std::vector<int64_t>* todo) override;
  Status ScorePrior(Reranker& reranker, const std::vector<int64_t>& rowids,
                    const std::function<bool()>& cancelled) override;
  Status ComputeRerankerPrior(Reranker& reranker, size_t batch, const std::function<void(size_t, size_t)>& progress,
                              const std::function<bool()>& cancelled) override;
  StatusOr<std::vector<ScreenCandidate>> Next(size_t count) override;
  Status Label(int64_t rowid, ScreenDecision decision, const std::string& source) override;
  Status ImportLabels(const std::string& path, int64_t* matched, int64_t* unmatched) override;
  StatusOr<ScreeningStatus> GetStatus() override;
  Status Decided(ScreenDecision decision, std::vector<int64_t>* rowids) override;
  Status Export(const std::string& format, std::ostream& out) override;

 private:
  Status EnsureFeatures();
  Status LoadLabels(LabelVector* labels, std::vector<bool>* maybe, int64_t* count);
  StatusOr<std::vector<std::pair<int64_t, double>>> Rank(bool force, size_t count);
  Status LabelsInOrder(std::vector<std::pair<int64_t, int>>* out);

  std::unique_ptr<Corpus> corpus_;
  sql::Db db_;
  std::string name_;
  ScreeningSettings settings_;
  std::string prior_;
  int64_t features_generation_ = -1;
  std::vector<int64_t> rowids_;                 // slot -> rowid
  std::unordered_map<int64_t, size_t> slots_;   // rowid -> slot
  screen::ScreeningFeatures features_;
  std::unique_ptr<screen::RelevanceModel> model_;
};

Status SqliteScreeningProject::EnsureFeatures() {
  StatusOr<int64_t> generation = corpus_->Generation();
  if (!generation.ok()) return generation.status();
  if (*generation == features_generation_ && model_ != nullptr) return Status::Ok();
  rowids_.clear();
  LITRANK_RETURN_IF_ERROR(corpus_->FilterRowids(DocumentFilter{}, &rowids_));
  std::vector<StoredDocument> stored;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(rowids_, &stored));
  std::vector<Document> docs;
  docs.reserve(stored.size());
  slots_.clear();
  rowids_.clear();
  for (StoredDocument& s : stored) {
    slots_[s.rowid] = rowids_.size();
    rowids_.push_back(s.rowid);
    docs.push_back(std::move(s.doc));
  }
  const std::string question = prior_ == "none" ? "" : settings_.question;
  StatusOr<screen::ScreeningFeatures> features =
      screen::BuildScreeningFeatures(docs, question, settings_.model, corpus_->analyzer_stemmer());
  if (!features.ok()) return features.status();
  features_ = std::move(*features);
  if (prior_.rfind("reranker:", 0) == 0) {
    // Reranker scores where computed; records added since get the mean.
    std::vector<double> prior(rowids_.size(), 0.0);
    std::vector<bool> have(rowids_.size(), false);
    sql::Stmt stmt(db_, "SELECT doc, score FROM screen_prior WHERE project = ?");
    stmt.Bind(1, name_);
    double sum = 0;
    size_t n = 0;
    while (stmt.Step()) {
      auto it = slots_.find(stmt.Int(0));
      if (it == slots_.end()) continue;
      prior[it->second] = stmt.Real(1);
      have[it->second] = true;
      sum += stmt.Real(1);
      ++n;
    }
    LITRANK_RETURN_IF_ERROR(stmt.status());
    for (size_t i = 0; i < prior.size(); ++i) {
      if (!have[i]) prior[i] = n > 0 ? sum / static_cast<double>(n) : 0;
    }
    features_.prior = std::move(prior);
  }
  model_ = std::make_unique<screen::RelevanceModel>(features_.rows, features_.prior, settings_.model);
  features_generation_ = *generation;
  return Status::Ok();
}

Status SqliteScreeningProject::LoadLabels(LabelVector* labels, std::vector<bool>* maybe, int64_t* count) {
  labels->assign(rowids_.size(), -1);
  maybe->assign(rowids_.size(), false);
  *count = 0;
  sql::Stmt stmt(db_, "SELECT doc, label FROM screen_labels WHERE project = ?");
  stmt.Bind(1, name_);
  while (stmt.Step()) {
    auto it = slots_.find(stmt.Int(0));
    if (it == slots_.end()) continue;
    const auto label = static_cast<int>(stmt.Int(1));
    if (label == static_cast<int>(ScreenDecision::kMaybe)) {
      (*maybe)[it->second] = true;
    } else {
      (*labels)[it->second] = static_cast<int8_t>(label);
    }
    ++*count;
  }
  return stmt.status();
}

// The ranked unscreened records with their scores (up to `count`): from the
// saved queue while it is fresh enough, else after retraining (saved for the
// next call).
StatusOr<std::vector<std::pair<int64_t, double>>> SqliteScreeningProject::Rank(bool force, size_t count) {
  LITRANK_RETURN_IF_ERROR(EnsureFeatures());
  LabelVector labels;
  std::vector<bool> maybe;
  int64_t labelled = 0;
  LITRANK_RETURN_IF_ERROR(LoadLabels(&labels, &maybe, &labelled));
  auto unscreened = [&](int64_t rowid) {
    auto it = slots_.find(rowid);
    return it != slots_.end() && labels[it->second] < 0 && !maybe[it->second];
  };
  if (!force) {
    sql::Stmt saved(db_, "SELECT labels, queue FROM screen_model WHERE project = ?");
    saved.Bind(1, name_);
    if (saved.Step()) {
      const int64_t at = saved.Int(0);
      const std::string_view blob = saved.Blob(1);
      const size_t step = std::max<size_t>(
          1, static_cast<size_t>(static_cast<double>(labelled) * settings_.model.retrain_share));
      std::vector<std::pair<int64_t, double>> queue;
      for (size_t i = 0; i + kQueueEntry <= blob.size(); i += kQueueEntry) {
        std::pair<int64_t, double> entry;
        std::memcpy(&entry.first, blob.data() + i, sizeof(int64_t));
        std::memcpy(&entry.second, blob.data() + i + sizeof(int64_t), sizeof(double));
        if (unscreened(entry.first)) queue.push_back(entry);
      }
      if (labelled >= at && static_cast<size_t>(labelled - at) < step && queue.size() >= count) {
        queue.resize(std::min(queue.size(), count));
        return queue;
      }
    }
    LITRANK_RETURN_IF_ERROR(saved.status());
  }
  std::vector<double> scores;
  LITRANK_RETURN_IF_ERROR(model_->Score(labels, &scores));
  std::mt19937_64 rng(static_cast<uint64_t>(labelled));
  const std::vector<uint32_t> picked =
      model_->Pick(labels, maybe, scores, std::max(count, kQueueLength), rng);
  std::vector<std::pair<int64_t, double>> ranked;
  std::string blob;
  for (uint32_t slot : picked) {
    ranked.emplace_back(rowids_[slot], scores[slot]);
    blob.append(reinterpret_cast<const char*>(&rowids_[slot]), sizeof(int64_t));
    blob.append(reinterpret_cast<const char*>(&scores[slot]), sizeof(double));
  }
  sql::Stmt put(db_, "INSERT OR REPLACE INTO screen_model VALUES (?, ?, ?, ?, ?)");
  put.Bind(1, name_).Bind(2, labelled).Bind(3, static_cast<int64_t>(model_->trained())).BindBlob(4, blob)
      .Bind(5, Now());
  LITRANK_RETURN_IF_ERROR(put.Run());
  ranked.resize(std::min(ranked.size(), count));
  return ranked;
}

StatusOr<std::vector<ScreenCandidate>> SqliteScreeningProject::Next(size_t count) {
  if (count == 0) return std::vector<ScreenCandidate>();
  StatusOr<std::vector<std::pair<int64_t, double>>> ranked = Rank(/*force=*/false, count);
  if (!ranked.ok()) return ranked.status();
  std::vector<int64_t> ids;
  for (const auto& [rowid, score] : *ranked) ids.push_back(rowid);
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(ids, &docs));
  std::vector<ScreenCandidate> out;
  sql::Transaction tx(db_);
  LITRANK_RETURN_IF_ERROR(tx.status());
  sql::Stmt shown(db_, "INSERT INTO screen_events(project, doc, event, score, at) VALUES (?, ?, 'shown', ?, ?)");
  for (size_t i = 0; i < docs.size(); ++i) {
    const double score = (*ranked)[i].second;
    shown.Bind(1, name_).Bind(2, docs[i].rowid).Bind(3, score).Bind(4, Now());
    LITRANK_RETURN_IF_ERROR(shown.Run());
    out.push_back({docs[i].rowid, score, std::move(docs[i])});
  }
  LITRANK_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Status SqliteScreeningProject::Label(int64_t rowid, ScreenDecision decision, const std::string& source) {
  StatusOr<StoredDocument> doc = corpus_->Get(rowid);
  if (!doc.ok()) return doc.status();
  sql::Transaction tx(db_);
  LITRANK_RETURN_IF_ERROR(tx.status());
  sql::Stmt event(db_, "INSERT INTO screen_events(project, doc, event, label, source, at) VALUES (?, ?, 'label', ?, ?, ?) "
                       "RETURNING seq");
  event.Bind(1, name_).Bind(2, rowid).Bind(3, static_cast<int64_t>(decision)).Bind(4, source).Bind(5, Now());
  if (!event.Step()) return event.status().ok() ? Status::Internal("INSERT ... RETURNING gave no row") : event.status();
  const int64_t seq = event.Int(0);
  event.Reset();
  // A changed decision keeps the record's place in the screening order.
  sql::Stmt put(db_,
                "INSERT INTO screen_labels(project, doc, label, source, seq, labelled_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(project, doc) DO UPDATE SET label = excluded.label, source = excluded.source, "
                "labelled_at = excluded.labelled_at");
  put.Bind(1, name_).Bind(2, rowid).Bind(3, static_cast<int64_t>(decision)).Bind(4, source)
      .Bind(5, seq).Bind(6, Now());
  LITRANK_RETURN_IF_ERROR(put.Run());
  return tx.Commit();
}

Status SqliteScreeningProject::LabelsInOrder(std::vector<std::pair<int64_t, int>>* out) {
  sql::Stmt stmt(db_, "SELECT doc, label FROM screen_labels WHERE project = ? ORDER BY seq");
  stmt.Bind(1, name_);
  while (stmt.Step()) out->emplace_back(stmt.Int(0), static_cast<int>(stmt.Int(1)));
  return stmt.status();
}

Status SqliteScreeningProject::Decided(ScreenDecision decision, std::vector<int64_t>* rowids) {
  std::vector<std::pair<int64_t, int>> labels;
  LITRANK_RETURN_IF_ERROR(LabelsInOrder(&labels));
  for (const auto& [rowid, label] : labels) {
    if (label == static_cast<int>(decision)) rowids->push_back(rowid);
  }
  return Status::Ok();
}

StatusOr<ScreeningStatus> SqliteScreeningProject::GetStatus() {
  ScreeningStatus st;
  st.name = name_;
  st.question = settings_.question;
  st.criteria = settings_.criteria;
  st.prior = prior_;
  StatusOr<int64_t> records = corpus_->Count();
  if (!records.ok()) return records.status();
  st.records = *records;
  std::vector<std::pair<int64_t, int>> labels;
  LITRANK_RETURN_IF_ERROR(LabelsInOrder(&labels));
  std::vector<bool> in_order;
  for (const auto& [doc, label] : labels) {
    ++st.screened;
    if (label == static_cast<int>(ScreenDecision::kInclude)) ++st.included;
    if (label == static_cast<int>(ScreenDecision::kExclude)) ++st.excluded;
    if (label == static_cast<int>(ScreenDecision::kMaybe)) ++st.maybe;
    in_order.push_back(label == static_cast<int>(ScreenDecision::kInclude));
  }
  st.model_trained = st.included > 0 && st.excluded > 0;
  st.stopping = EstimateStopping(in_order, st.records);
  sql::Stmt prior(db_, "SELECT count(*) FROM screen_prior WHERE project = ?");
  prior.Bind(1, name_);
  if (prior.Step()) st.prior_scored = prior.Int(0);
  LITRANK_RETURN_IF_ERROR(prior.status());
  return st;
}

StatusOr<std::string> SqliteScreeningProject::StoredPrior() {
  sql::Stmt current(db_, "SELECT prior FROM screen_projects WHERE name = ?");
  current.Bind(1, name_);
  std::string stored = current.Step() ? current.Text(0) : "";
  LITRANK_RETURN_IF_ERROR(current.status());
  return stored;
}

Status SqliteScreeningProject::BeginRerankerPrior(const std::string& fingerprint, std::vector<int64_t>* todo) {
  const std::string kind = "reranker:" + fingerprint;
  {
    sql::Transaction tx(db_);
    LITRANK_RETURN_IF_ERROR(tx.status());
    StatusOr<std::string> stored = StoredPrior();
    if (!stored.ok()) return stored.status();
    if (*stored != kind) {  // another model's scores are not comparable: start over
      sql::Stmt clear(db_, "DELETE FROM screen_prior WHERE project = ?");
      clear.Bind(1, name_);
      LITRANK_RETURN_IF_ERROR(clear.Run());
      sql::Stmt set(db_, "UPDATE screen_projects SET prior = ? WHERE name = ?");
      set.Bind(1, kind).Bind(2, name_);
      LITRANK_RETURN_IF_ERROR(set.Run());
    }
    LITRANK_RETURN_IF_ERROR(tx.Commit());
  }
  prior_ = kind;
  features_generation_ = -1;
  todo->clear();
  sql::Stmt pending(db_,
                    "SELECT d.rowid FROM documents d LEFT JOIN screen_prior p ON p.project = ? AND p.doc = d.rowid "
                    "WHERE p.doc IS NULL ORDER BY d.rowid");
  pending.Bind(1, name_);
  while (pending.Step()) todo->push_back(pending.Int(0));
  return pending.status();
}

Status SqliteScreeningProject::ScorePrior(Reranker& reranker, const std::vector<int64_t>& rowids,
                                          const std::function<bool()>& cancelled) {
  const std::string kind = "reranker:" + reranker.fingerprint();
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(rowids, &docs));
  std::vector<std::string> texts;
  for (const StoredDocument& d : docs) texts.push_back(SearchText(d.doc));
  RerankOptions options;
  options.instruction = settings_.criteria;
  options.cancelled = cancelled;
  RerankResult result;
  if (!texts.empty()) LITRANK_RETURN_IF_ERROR(reranker.Rerank(settings_.question, texts, options, &result));
  sql::Transaction tx(db_);
  LITRANK_RETURN_IF_ERROR(tx.status());
  StatusOr<std::string> stored = StoredPrior();
  if (!stored.ok()) return stored.status();
  if (*stored != kind) {
    return Status::InvalidArgument("project \"" + name_ + "\" now takes its prior from another model (" + *stored +
                                   "), not " + kind + "; submit the prior again");
  }
  sql::Stmt put(db_, "INSERT OR REPLACE INTO screen_prior VALUES (?, ?, ?)");
  for (const ScoredDocument& sd : result.results) {
    put.Bind(1, name_).Bind(2, docs[sd.index].rowid).Bind(3, sd.logit);
    LITRANK_RETURN_IF_ERROR(put.Run());
  }
  LITRANK_RETURN_IF_ERROR(tx.Commit());
  features_generation_ = -1;
  return Status::Ok();
}

Status SqliteScreeningProject::ComputeRerankerPrior(Reranker& reranker, size_t batch,
                                                    const std::function<void(size_t, size_t)>& progress,
                                                    const std::function<bool()>& cancelled) {
  std::vector<int64_t> todo;
  LITRANK_RETURN_IF_ERROR(BeginRerankerPrior(reranker.fingerprint(), &todo));
  StatusOr<int64_t> total = corpus_->Count();
  if (!total.ok()) return total.status();
  size_t done = static_cast<size_t>(*total) - todo.size();
  if (progress) progress(done, static_cast<size_t>(*total));
  batch = std::max<size_t>(1, batch);
  for (size_t start = 0; start < todo.size(); start += batch) {
    if (cancelled && cancelled()) return Status::Cancelled("prior scoring cancelled; run again to resume");
    const std::vector<int64_t> ids(todo.begin() + static_cast<std::ptrdiff_t>(start),
                                   todo.begin() + static_cast<std::ptrdiff_t>(std::min(todo.size(), start + batch)));
    LITRANK_RETURN_IF_ERROR(ScorePrior(reranker, ids, cancelled));
    done += ids.size();
    if (progress) progress(done, static_cast<size_t>(*total));
  }
  return Status::Ok();
}

Status SqliteScreeningProject::ImportLabels(const std::string& path, int64_t* matched, int64_t* unmatched) {
  std::vector<int64_t> rowids;
  LITRANK_RETURN_IF_ERROR(corpus_->FilterRowids(DocumentFilter{}, &rowids));
  std::vector<StoredDocument> stored;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(rowids, &stored));
  std::vector<std::pair<int64_t, ScreenDecision>> found;
  LITRANK_RETURN_IF_ERROR(screen::MatchLabelledRecords(path, stored, &found, unmatched));
  *matched = static_cast<int64_t>(found.size());
  for (const auto& [rowid, decision] : found) LITRANK_RETURN_IF_ERROR(Label(rowid, decision, "import:" + path));
  return Status::Ok();
}

Status SqliteScreeningProject::Export(const std::string& format, std::ostream& out) {
  std::vector<screen::ExportRow> rows;
  std::unordered_map<int64_t, size_t> row_of;
  std::vector<std::pair<int64_t, int>> labels;
  LITRANK_RETURN_IF_ERROR(LabelsInOrder(&labels));
  for (const auto& [doc, label] : labels) {
    row_of[doc] = rows.size();
    rows.push_back({doc, label, static_cast<int64_t>(rows.size() + 1), 0.0});
  }
  // The rest in the model's order, so the export reads like the next screen.
  StatusOr<std::vector<std::pair<int64_t, double>>> ranked = Rank(/*force=*/true, rowids_.size());
  if (!ranked.ok()) return ranked.status();
  for (const auto& [rowid, score] : *ranked) {
    if (row_of.count(rowid) == 0) rows.push_back({rowid, -1, 0, score});
  }
  std::vector<int64_t> ids;
  for (const screen::ExportRow& r : rows) ids.push_back(r.rowid);
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR(corpus_->GetMany(ids, &docs));
  return screen::WriteProjectExport(format, rows, docs, out);
}

StatusOr<ScreeningSettings> ReadProject(sql::Db& db, const std::string& name, std::string* prior) {
  sql::Stmt stmt(db, "SELECT question, criteria, settings, prior FROM screen_projects WHERE name = ?");
  stmt.Bind(1, name);
  if (!stmt.Step()) {
    LITRANK_RETURN_IF_ERROR(stmt.status());
    return Status::NotFound("no screening project '" + name + "' in this collection");
  }
  ScreeningSettings settings;
  settings.question = stmt.Text(0);
  settings.criteria = stmt.Text(1);
  LITRANK_RETURN_IF_ERROR(screen::ModelOptionsFromJson(stmt.Text(2), &settings.model));
  *prior = stmt.Text(3);
  return settings;
}

}  // namespace

StatusOr<std::unique_ptr<ScreeningProject>> ScreeningProject::Open(const std::string& db_path,
                                                                   const std::string& name) {
  StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::Open(db_path, /*create=*/false);
  if (!corpus.ok()) return corpus.status();
  StatusOr<sql::Db> db = sql::Db::Open(db_path, /*create=*/false);
  if (!db.ok()) return db.status();
  std::string prior;
  StatusOr<ScreeningSettings> settings = ReadProject(*db, name, &prior);
  if (!settings.ok()) {
    if (settings.status().code() != Status::Code::kNotFound) return settings.status();
    std::vector<std::string> names;
    LITRANK_RETURN_IF_ERROR(List(db_path, &names));
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return Status::NotFound(settings.status().message() +
                            (list.empty() ? " (it has none; start one with `screen start`)" : " (projects: " + list + ")"));
  }
  return std::unique_ptr<ScreeningProject>(
      new SqliteScreeningProject(std::move(*corpus), std::move(*db), name, std::move(*settings), std::move(prior)));
}

StatusOr<std::unique_ptr<ScreeningProject>> ScreeningProject::Create(const std::string& db_path,
                                                                     const std::string& name,
                                                                     const ScreeningSettings& settings,
                                                                     int64_t* imported) {
  if (name.empty()) return Status::InvalidArgument("a screening project needs a name");
  if (settings.question.empty()) return Status::InvalidArgument("a screening project needs a research question");
  StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::Open(db_path, /*create=*/false);
  if (!corpus.ok()) return corpus.status();
  StatusOr<int64_t> count = (*corpus)->Count();
  if (!count.ok()) return count.status();
  if (*count == 0) return Status::InvalidArgument("the collection " + sql::DisplayLocation(db_path) + " is empty: ingest records first");
  {
    StatusOr<sql::Db> db = sql::Db::Open(db_path, /*create=*/false);
    if (!db.ok()) return db.status();
    sql::Stmt put(*db, "INSERT INTO screen_projects VALUES (?, ?, ?, ?, 'bm25', ?)");
    put.Bind(1, name).Bind(2, settings.question).Bind(3, settings.criteria)
        .Bind(4, screen::ModelOptionsToJson(settings.model)).Bind(5, Now());
    if (Status st = put.Run(); !st.ok()) {
      return st.code() == Status::Code::kInvalidArgument
                 ? Status::InvalidArgument("a screening project named '" + name + "' already exists")
                 : st;
    }
  }
  StatusOr<std::unique_ptr<ScreeningProject>> project = Open(db_path, name);
  if (!project.ok()) return project.status();
  // Labels the records brought from their files.
  std::vector<int64_t> rowids;
  LITRANK_RETURN_IF_ERROR((*corpus)->FilterRowids(DocumentFilter{}, &rowids));
  std::vector<StoredDocument> docs;
  LITRANK_RETURN_IF_ERROR((*corpus)->GetMany(rowids, &docs));
  int64_t n = 0;
  for (const StoredDocument& d : docs) {
    if (std::optional<ScreenDecision> label = LabelFromRecord(d.doc)) {
      LITRANK_RETURN_IF_ERROR((*project)->Label(d.rowid, *label, "import"));
      ++n;
    }
  }
  if (imported != nullptr) *imported = n;
  return project;
}

Status ScreeningProject::List(const std::string& db_path, std::vector<std::string>* names) {
  StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::Open(db_path, /*create=*/false);  // migrates
  if (!corpus.ok()) return corpus.status();
  StatusOr<sql::Db> db = sql::Db::Open(db_path, /*create=*/false);
  if (!db.ok()) return db.status();
  sql::Stmt stmt(*db, "SELECT name FROM screen_projects ORDER BY created_at, name");
  while (stmt.Step()) names->push_back(stmt.Text(0));
  return stmt.status();
}

}  // namespace litrank
