#include "store/vector_store.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

namespace litrank {

namespace {

StatusOr<std::optional<Corpus::SavedIndex>> ReadInTransaction(sql::Db& db, const std::string& model, uint32_t dims,
                                                              bool with_data) {
  sql::Stmt head(db, "SELECT kind, max_seq, vectors, chunks, bytes FROM vector_snapshots WHERE model = ? AND dims = ?");
  head.Bind(1, model).Bind(2, static_cast<int64_t>(dims));
  if (!head.Step()) {
    LITRANK_RETURN_IF_ERROR(head.status());
    return std::optional<Corpus::SavedIndex>();
  }
  Corpus::SavedIndex saved{head.Text(0), head.Int(1), head.Int(2), {}};
  const int64_t chunks = head.Int(3), bytes = head.Int(4);
  head.Reset();
  if (chunks < 0 || bytes < 0) return Status::Corruption("vector index snapshot header is inconsistent");
  if (!with_data) return std::optional<Corpus::SavedIndex>(std::move(saved));
  sql::Stmt get(db, "SELECT chunk, data FROM vector_snapshot_chunks WHERE model = ? AND dims = ? ORDER BY chunk");
  get.Bind(1, model).Bind(2, static_cast<int64_t>(dims));
  int64_t next = 0;
  while (get.Step()) {
    if (get.Int(0) != next) {
      return Status::Corruption("vector index snapshot chunk " + std::to_string(next) + " is missing");
    }
    const std::string_view data = get.Blob(1);
    if (static_cast<int64_t>(saved.data.size() + data.size()) > bytes) {
      return Status::Corruption("vector index snapshot is longer than recorded");
    }
    if (saved.data.empty()) saved.data.reserve(static_cast<size_t>(bytes));
    saved.data.append(data);
    ++next;
  }
  LITRANK_RETURN_IF_ERROR(get.status());
  if (next != chunks || static_cast<int64_t>(saved.data.size()) != bytes) {
    return Status::Corruption("vector index snapshot is truncated (" + std::to_string(next) + " of " +
                              std::to_string(chunks) + " chunks, " + std::to_string(saved.data.size()) + " of " +
                              std::to_string(bytes) + " bytes)");
  }
  return std::optional<Corpus::SavedIndex>(std::move(saved));
}

}  // namespace

StatusOr<std::optional<Corpus::SavedIndex>> ReadVectorSnapshot(sql::Db& db, const std::string& model,
                                                               uint32_t dims, bool with_data) {
  // Header and chunks from one consistent state: a read transaction (takes no write lock).
  LITRANK_RETURN_IF_ERROR(db.Exec("BEGIN DEFERRED"));
  auto saved = ReadInTransaction(db, model, dims, with_data);
  Status end = db.Exec("COMMIT");
  if (!saved.ok()) return saved.status();
  LITRANK_RETURN_IF_ERROR(end);
  return saved;
}

Status WriteVectorSnapshot(sql::Db& db, const std::string& model, uint32_t dims, const Corpus::SavedIndex& index,
                           size_t chunk_bytes) {
  if (chunk_bytes == 0) return Status::InvalidArgument("vector index chunk size must be positive");
  sql::Transaction tx(db);
  LITRANK_RETURN_IF_ERROR(tx.status());
  sql::Stmt clear(db, "DELETE FROM vector_snapshot_chunks WHERE model = ? AND dims = ?");
  LITRANK_RETURN_IF_ERROR(clear.Bind(1, model).Bind(2, static_cast<int64_t>(dims)).Run());
  sql::Stmt put(db, "INSERT INTO vector_snapshot_chunks(model, dims, chunk, data) VALUES (?, ?, ?, ?)");
  int64_t chunks = 0;
  for (size_t at = 0; at < index.data.size(); at += chunk_bytes, ++chunks) {
    const std::string_view part = std::string_view(index.data).substr(at, chunk_bytes);
    put.Bind(1, model).Bind(2, static_cast<int64_t>(dims)).Bind(3, chunks).BindBlob(4, part);
    LITRANK_RETURN_IF_ERROR(put.Run());
  }
  sql::Stmt head(db, "INSERT OR REPLACE INTO vector_snapshots VALUES (?, ?, ?, ?, ?, ?, ?)");
  head.Bind(1, model).Bind(2, static_cast<int64_t>(dims)).Bind(3, index.kind).Bind(4, index.max_seq)
      .Bind(5, index.vectors).Bind(6, chunks).Bind(7, static_cast<int64_t>(index.data.size()));
  LITRANK_RETURN_IF_ERROR(head.Run());
  return tx.Commit();
}

Status WritePassageEmbeddings(sql::Db& db, const std::string& model, uint32_t dims,
                              const std::vector<StoredPassage>& passages, const std::vector<float>& vectors) {
  if (vectors.size() != passages.size() * dims) {
    return Status::InvalidArgument("PutPassageEmbeddings: vectors do not match passages x dims");
  }
  sql::Transaction tx(db);
  LITRANK_RETURN_IF_ERROR(tx.status());
  // Each document's windows as given, to be checked against what lex_passages holds now.
  std::map<int64_t, std::set<std::tuple<int64_t, int64_t, int64_t>>> given;
  for (const StoredPassage& p : passages) {
    given[p.rowid].emplace(p.passage, static_cast<int64_t>(p.begin), static_cast<int64_t>(p.end));
  }
  sql::Stmt clear(db, "DELETE FROM passage_embeddings WHERE model = ? AND doc = ?");
  sql::Stmt current(db, "SELECT passage, begin_byte, end_byte FROM lex_passages WHERE doc = ? AND end_byte > begin_byte");
  std::set<int64_t> stale;
  for (const auto& [doc, windows] : given) {
    LITRANK_RETURN_IF_ERROR(clear.Bind(1, model).Bind(2, doc).Run());
    std::set<std::tuple<int64_t, int64_t, int64_t>> now;
    current.Bind(1, doc);
    while (current.Step()) now.emplace(current.Int(0), current.Int(1), current.Int(2));
    LITRANK_RETURN_IF_ERROR(current.status());
    current.Reset();
    // The text changed while it was being embedded: its windows are not these any
    // more. Nothing is stored for it, so the next `embed` does it again.
    if (now != windows) stale.insert(doc);
  }
  sql::Stmt put(db, "INSERT OR REPLACE INTO passage_embeddings(model, doc, passage, begin_byte, end_byte, dims, vector)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (size_t i = 0; i < passages.size(); ++i) {
    const StoredPassage& p = passages[i];
    if (stale.count(p.rowid)) continue;
    const std::string_view bytes(reinterpret_cast<const char*>(vectors.data() + i * dims), dims * sizeof(float));
    put.Bind(1, model).Bind(2, p.rowid).Bind(3, static_cast<int64_t>(p.passage))
        .Bind(4, static_cast<int64_t>(p.begin)).Bind(5, static_cast<int64_t>(p.end))
        .Bind(6, static_cast<int64_t>(dims)).BindBlob(7, bytes);
    LITRANK_RETURN_IF_ERROR(put.Run());
  }
  return tx.Commit();
}

Status ReadPassageEmbeddings(sql::Db& db, const std::string& model,
                             const std::function<void(const StoredPassage&, const float*, uint32_t)>& fn) {
  sql::Stmt stmt(db, "SELECT doc, passage, begin_byte, end_byte, dims, vector FROM passage_embeddings"
                     " WHERE model = ? ORDER BY doc, passage");
  stmt.Bind(1, model);
  std::vector<float> buffer;
  while (stmt.Step()) {
    const StoredPassage p{stmt.Int(0), static_cast<uint32_t>(stmt.Int(1)), static_cast<uint64_t>(stmt.Int(2)),
                          static_cast<uint64_t>(stmt.Int(3)), 0};
    const auto dims = static_cast<uint32_t>(stmt.Int(4));
    const std::string_view bytes = stmt.Blob(5);
    if (bytes.size() != size_t{dims} * sizeof(float)) {
      return Status::Corruption("embedding of passage " + std::to_string(p.passage) + " of document " +
                                std::to_string(p.rowid) + " has the wrong size");
    }
    buffer.resize(dims);
    std::memcpy(buffer.data(), bytes.data(), bytes.size());
    fn(p, buffer.data(), dims);
  }
  return stmt.status();
}

}  // namespace litrank
