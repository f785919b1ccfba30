// ExtractionStore over the collection's SQLite file (table `extractions`,
// schema version 4); keys from the model, schema, prompt, options and text.
#include <chrono>

#include "extract/extract_prompt.h"
#include "litrank/corpus.h"
#include "litrank/extract.h"
#include "store/schema.h"
#include "store/sql.h"
#include "util/hash.h"

namespace litrank {
namespace {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class SqliteExtractionStore final : public ExtractionStore {
 public:
  explicit SqliteExtractionStore(sql::Db db) : db_(std::move(db)) {}

  StatusOr<std::optional<StoredExtraction>> Get(int64_t rowid, const ExtractionKey& key) override {
    sql::Stmt stmt(db_, "SELECT model, schema_hash, prompt_version, json, complete, created_at FROM extractions "
                        "WHERE doc = ? AND key = ?");
    stmt.Bind(1, rowid).Bind(2, key.Hex());
    if (!stmt.Step()) {
      if (!stmt.status().ok()) return stmt.status();
      return std::optional<StoredExtraction>{};
    }
    return std::optional<StoredExtraction>(Row(stmt, rowid));
  }

  Status Put(int64_t rowid, const ExtractionKey& key, const Extraction& e) override {
    sql::Stmt exists(db_, "SELECT 1 FROM documents WHERE rowid = ?");
    exists.Bind(1, rowid);
    if (!exists.Step()) {
      return exists.status().ok() ? Status::NotFound("no document " + std::to_string(rowid)) : exists.status();
    }
    sql::Stmt put(db_, "INSERT OR REPLACE INTO extractions(doc, key, model, schema_hash, prompt_version, text_hash, "
                       "json, complete, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    put.Bind(1, rowid).Bind(2, key.Hex()).Bind(3, key.model).Bind(4, key.schema_hash).Bind(5, key.prompt_version)
        .Bind(6, key.text_hash).Bind(7, e.json).Bind(8, static_cast<int64_t>(e.complete ? 1 : 0)).Bind(9, NowMillis());
    return put.Run();
  }

  Status Latest(const std::vector<int64_t>& rowids, std::vector<StoredExtraction>* out) override {
    sql::Stmt stmt(db_, "SELECT model, schema_hash, prompt_version, json, complete, created_at FROM extractions "
                        "WHERE doc = ? ORDER BY created_at DESC, key LIMIT 1");
    for (int64_t rowid : rowids) {
      stmt.Reset();
      stmt.Bind(1, rowid);
      if (stmt.Step()) out->push_back(Row(stmt, rowid));
      if (!stmt.status().ok()) return stmt.status();
    }
    return Status::Ok();
  }

 private:
  static StoredExtraction Row(const sql::Stmt& stmt, int64_t rowid) {
    StoredExtraction x;
    x.rowid = rowid;
    x.model = stmt.Text(0);
    x.schema_hash = stmt.Text(1);
    x.prompt_version = stmt.Text(2);
    x.json = stmt.Text(3);
    x.complete = stmt.Int(4) != 0;
    x.created_at = stmt.Int(5);
    return x;
  }
  sql::Db db_;
};

}  // namespace

std::string ExtractionKey::Hex() const {
  return ToHex(Sha256Fields({model, schema_hash, prompt_version, text_hash, options}));
}

ExtractionKey MakeExtractionKey(const Extractor& extractor, const ExtractOptions& o, const std::string& text) {
  ExtractionKey k;
  k.model = extractor.model_fingerprint();
  k.schema_hash = ToHex(Sha256Fields({extractor.schema_json()}));
  k.prompt_version = Extractor::prompt_version();
  k.text_hash = ToHex(Sha256Fields({text}));
  k.options = "lang=" + o.language + ";max_tokens=" + std::to_string(o.max_tokens) +
              ";window_tokens=" + std::to_string(o.window_tokens);
  // The merge pass changes only a long text's answer: one window's key stays as it was.
  if (o.model_merge && extractor.ReadsInWindows(text)) k.options += std::string(";merge=") + kMergePromptVersion;
  if (o.temperature > 0) {  // sampled answers depend on these too (greedy keys stay as they were)
    k.options += ";temperature=" + std::to_string(o.temperature) + ";top_p=" + std::to_string(o.top_p) +
                 ";seed=" + std::to_string(o.seed);
  }
  return k;
}

StatusOr<std::unique_ptr<ExtractionStore>> ExtractionStore::Open(const std::string& db_path) {
  // Corpus::Open migrates the schema (and refuses a file that is no collection).
  StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::Open(db_path, /*create=*/false);
  if (!corpus.ok()) return corpus.status();
  StatusOr<sql::Db> db = sql::Db::Open(db_path, /*create=*/false);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ExtractionStore>(new SqliteExtractionStore(std::move(*db)));
}

}  // namespace litrank
