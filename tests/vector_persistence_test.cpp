// The persisted HNSW index (issue #9): snapshots in bounded chunks, written only
// by the write path and only when due, reopened equal to the exact scan after
// incremental writes and removals, bytes per write proportional to the vectors
// written, and damaged snapshots rebuilt from the embeddings instead of failing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "litrank/corpus.h"
#include "search/dense_retriever.h"
#include "search/vector_persistence.h"
#include "store/sql.h"
#include "store/vector_store.h"
#include "store_backends.h"
#include "vector/synthetic_vectors.h"
#include "vector/vector_index.h"

namespace litrank {
namespace {

const char* const kModel = "test-embedder";

std::string FreshDb(const std::string& name) {
  std::string path = testing::TempDir() + "/vecpersist-" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

Document Paper(size_t i, const std::string& abstract = "first version") {
  Document d;
  d.title = "paper number " + std::to_string(i);
  d.abstract = abstract;
  d.doi = "10.1/v" + std::to_string(i);
  return d;
}

// A corpus of `docs` documents (rowids 1..docs) and their future embeddings.
struct Fixture {
  Fixture(std::string where, size_t docs, uint32_t d) : path(std::move(where)), dims(d) {
    auto opened = Corpus::Open(path);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    corpus = std::move(*opened);
    std::vector<Document> papers;
    for (size_t i = 1; i <= docs; ++i) papers.push_back(Paper(i));
    EXPECT_TRUE(corpus->Add(papers, nullptr).ok());
    vectors = SyntheticEmbeddings(docs + 20, dims, 10, 42);  // the last 20 are queries
  }
  // Embeds documents [from, to] (1-based rowids) with their synthetic vectors.
  void Embed(size_t from, size_t to) {
    std::vector<int64_t> ids;
    for (size_t i = from; i <= to; ++i) ids.push_back(static_cast<int64_t>(i));
    std::vector<float> v(vectors.begin() + (from - 1) * dims, vectors.begin() + to * dims);
    ASSERT_TRUE(corpus->PutEmbeddings(kModel, dims, ids, v).ok());
  }
  const float* Query(size_t q, size_t docs) const { return vectors.data() + (docs + q) * dims; }

  std::string path;
  uint32_t dims;
  std::unique_ptr<Corpus> corpus;
  std::vector<float> vectors;
};

// Top-10 ids by the exact scan over exactly the documents in `current`.
std::vector<int64_t> ExactTop(const Fixture& f, const std::vector<int64_t>& current, const float* query) {
  auto flat = NewFlatIndex(f.dims);
  for (int64_t id : current) EXPECT_TRUE((*flat)->Add({id}, f.vectors.data() + (id - 1) * f.dims).ok());
  std::vector<VectorHit> hits;
  EXPECT_TRUE((*flat)->Search(query, 10, &hits).ok());
  std::vector<int64_t> ids;
  for (const VectorHit& h : hits) ids.push_back(h.id);
  return ids;
}

// With a beam wider than the whole index, HNSW search visits every reachable
// node, so it must return exactly the exact scan's top 10.
void ExpectMatchesExact(const Fixture& f, VectorIndex& index, const std::vector<int64_t>& current, size_t docs) {
  std::vector<int64_t> ids;
  index.Ids(&ids);
  EXPECT_EQ(ids, current);
  index.set_search_effort(4 * docs);
  for (size_t q = 0; q < 20; ++q) {
    std::vector<VectorHit> hits;
    ASSERT_TRUE(index.Search(f.Query(q, docs), 10, &hits).ok());
    std::vector<int64_t> got;
    for (const VectorHit& h : hits) got.push_back(h.id);
    EXPECT_EQ(got, ExactTop(f, current, f.Query(q, docs))) << "query " << q;
  }
}

std::vector<int64_t> Range(int64_t from, int64_t to, const std::vector<int64_t>& except = {}) {
  std::vector<int64_t> out;
  for (int64_t i = from; i <= to; ++i) {
    if (std::find(except.begin(), except.end(), i) == except.end()) out.push_back(i);
  }
  return out;
}

// Snapshot tests run on a SQLite file and on a PostgreSQL database.
class VectorStoreTest : public testing::StoreBackendTest {
 protected:
  std::string FreshDb(const std::string& name) { return FreshCollection("vec_" + name); }
};
LITRANK_ON_BOTH_BACKENDS(VectorStoreTest);

TEST_P(VectorStoreTest, SnapshotsWhenDueAndReopensEqualToExactAfterAddsAndRemovals) {
  constexpr size_t kDocs = 900;
  Fixture f(FreshDb("reopen"), kDocs, 64);
  SnapshotPolicy policy;
  policy.tail_fraction = 0.6;
  policy.min_vectors = 200;
  // Six writes of 150. Due: no snapshot and >= 200 current (at 300), or more
  // stored since the snapshot than 0.6 of it (at 450: 150 is not > 180; at 600:
  // 300 > 180; at 900: 300 is not > 0.6 x 598, the two removed not counting).
  const std::vector<bool> expected = {false, true, false, true, false, false};
  std::vector<bool> written;
  for (size_t b = 0; b < 6; ++b) {
    f.Embed(b * 150 + 1, (b + 1) * 150);
    if (b == 2) {
      // Documents 7 and 300 change text: their embeddings are no longer current.
      ASSERT_TRUE(f.corpus->Add({Paper(7, "second version"), Paper(300, "second version")}, nullptr).ok());
    }
    bool w = false;
    ASSERT_TRUE(MaintainVectorSnapshot(*f.corpus, kModel, f.dims, policy, &w).ok());
    written.push_back(w);
  }
  EXPECT_EQ(written, expected);
  // The snapshot at 600 recorded the removals: 600 - 2 vectors, covering write 4.
  auto head = f.corpus->GetVectorIndex(kModel, f.dims, false);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->kind, kHnswGraphSnapshot);
  EXPECT_EQ((*head)->vectors, 598);
  EXPECT_EQ((*head)->max_seq, 4);
  // Reopen: the snapshot, then writes 5 and 6 (300 vectors) replayed.
  auto loaded = LoadCorpusVectorIndex(*f.corpus, kModel, f.dims);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->rebuilt_because.empty());
  EXPECT_EQ(loaded->snapshot_seq, 4);
  EXPECT_EQ(loaded->max_seq, 6);
  EXPECT_EQ(loaded->replayed, 300u);
  ExpectMatchesExact(f, *loaded->index, Range(1, kDocs, {7, 300}), kDocs);
  // Document 7 is embedded again (new text): it is back after the next reopen,
  // and document 450 changing text after the snapshot drops it.
  f.Embed(7, 7);
  ASSERT_TRUE(f.corpus->Add({Paper(450, "second version")}, nullptr).ok());
  loaded = LoadCorpusVectorIndex(*f.corpus, kModel, f.dims);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->replayed, 301u);
  ExpectMatchesExact(f, *loaded->index, Range(1, kDocs, {300, 450}), kDocs);
  // Document 300's text goes back to what was embedded: current again with its
  // old sequence number, absent from the snapshot's live set, still found.
  ASSERT_TRUE(f.corpus->Add({Paper(300, "first version")}, nullptr).ok());
  loaded = LoadCorpusVectorIndex(*f.corpus, kModel, f.dims);
  ASSERT_TRUE(loaded.ok());
  ExpectMatchesExact(f, *loaded->index, Range(1, kDocs, {450}), kDocs);
}

TEST(VectorPersistenceTest, BytesWrittenPerWriteAreProportionalToNewVectors) {
  constexpr size_t kDocs = 2500;
  constexpr uint32_t kDims = 256;
  Fixture f(FreshDb("bytes"), kDocs, kDims);
  SnapshotPolicy policy;
  policy.tail_fraction = 0.5;
  policy.min_vectors = 1000;
  // A write that is not due a snapshot costs its embeddings rows and nothing else.
  auto write = [&](size_t from, size_t to) -> uint64_t {
    const uint64_t b0 = f.corpus->BytesWritten();
    f.Embed(from, to);
    const uint64_t b1 = f.corpus->BytesWritten();
    bool written = true;
    EXPECT_TRUE(MaintainVectorSnapshot(*f.corpus, kModel, kDims, policy, &written).ok());
    EXPECT_FALSE(written) << "write " << from << ".." << to;
    EXPECT_EQ(f.corpus->BytesWritten(), b1) << "the upkeep wrote for " << from << ".." << to;
    return b1 - b0;
  };
  auto snapshot_at = [&](size_t to) {
    f.Embed(to - 999, to);
    bool written = false;
    ASSERT_TRUE(MaintainVectorSnapshot(*f.corpus, kModel, kDims, policy, &written).ok());
    ASSERT_TRUE(written);
  };
  snapshot_at(1000);  // 1000 >= min_vectors
  const uint64_t a100 = write(1001, 1100);       // 100 on top of 1000
  snapshot_at(2100);  // 1100 since > 0.5 x 1000: the index now holds 2100
  const uint64_t b100 = write(2101, 2200);       // 100 on top of 2100
  const uint64_t c100 = write(2201, 2300);       // 100 more: tail 200 of 2100, not due
  const uint64_t d200 = write(2301, 2500);       // 200: tail 400, not due
  const uint64_t vector_bytes = kDims * sizeof(float);
  EXPECT_GE(a100, 100 * vector_bytes);  // at least the vectors themselves
  // The same for 100 new vectors whether the index holds 1000 or 2100 ...
  EXPECT_GE(static_cast<double>(b100), 0.8 * static_cast<double>(a100));
  EXPECT_LE(static_cast<double>(b100), 1.25 * static_cast<double>(a100));
  // ... and for the next 100 (the tail growing changes nothing either) ...
  EXPECT_GE(static_cast<double>(c100), 0.8 * static_cast<double>(b100));
  EXPECT_LE(static_cast<double>(c100), 1.25 * static_cast<double>(b100));
  // ... while twice the vectors cost about twice the bytes.
  EXPECT_GE(static_cast<double>(d200), 1.6 * static_cast<double>(c100));
  EXPECT_LE(static_cast<double>(d200), 2.4 * static_cast<double>(c100));
  // Opening for search writes nothing, even with a tail to replay.
  const uint64_t before = f.corpus->BytesWritten();
  auto retriever = DenseRetriever::Open(*f.corpus, kModel, kDims, 100, false);
  ASSERT_TRUE(retriever.ok());
  EXPECT_EQ((*retriever)->kind(), "hnsw");
  EXPECT_EQ((*retriever)->size(), kDocs);
  EXPECT_EQ(f.corpus->BytesWritten(), before);
}

// Flips one byte of the first chunk, or cuts it, or deletes it.
void Damage(const std::string& path, const std::string& how) {
  auto db = sql::Db::Open(path, false);
  ASSERT_TRUE(db.ok());
  if (how == "delete") {
    ASSERT_TRUE(db->Exec("DELETE FROM vector_snapshot_chunks WHERE chunk = 0").ok());
    return;
  }
  std::string data;
  {
    sql::Stmt get(*db, "SELECT data FROM vector_snapshot_chunks WHERE chunk = 0");
    ASSERT_TRUE(get.Step());
    data = std::string(get.Blob(0));
  }
  if (how == "flip") {
    data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0xFF);
  } else {
    data.resize(data.size() / 2);
  }
  sql::Stmt put(*db, "UPDATE vector_snapshot_chunks SET data = ? WHERE chunk = 0");
  ASSERT_TRUE(put.BindBlob(1, data).Run().ok());
}

TEST_P(VectorStoreTest, DamagedSnapshotIsRebuiltFromTheEmbeddings) {
  for (const std::string how : {"flip", "cut", "delete"}) {
    SCOPED_TRACE(how);
    constexpr size_t kDocs = 400;
    Fixture f(FreshDb("damage-" + how), kDocs, 48);
    f.Embed(1, kDocs);
    SnapshotPolicy policy;
    policy.min_vectors = 100;
    bool written = false;
    ASSERT_TRUE(MaintainVectorSnapshot(*f.corpus, kModel, f.dims, policy, &written).ok());
    ASSERT_TRUE(written);
    Damage(f.path, how);
    // A cut or missing chunk is caught by the store, a flipped byte by the checksum.
    auto saved = f.corpus->GetVectorIndex(kModel, f.dims);
    if (how == "flip") {
      ASSERT_TRUE(saved.ok());
      auto graph = LoadVectorGraph((*saved)->data, f.dims, [](const auto&) { return Status::Ok(); });
      EXPECT_EQ(graph.status().code(), Status::Code::kCorruption);
    } else {
      EXPECT_EQ(saved.status().code(), Status::Code::kCorruption);
    }
    auto loaded = LoadCorpusVectorIndex(*f.corpus, kModel, f.dims);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_FALSE(loaded->rebuilt_because.empty());
    EXPECT_EQ(loaded->replayed, kDocs);  // every embedding, none from the snapshot
    ExpectMatchesExact(f, *loaded->index, Range(1, kDocs), kDocs);
    // The search path says so, and leaves the damaged snapshot to the write path.
    auto retriever = DenseRetriever::Open(*f.corpus, kModel, f.dims, 100, false);
    ASSERT_TRUE(retriever.ok());
    EXPECT_NE((*retriever)->note().find("rebuilt from the embeddings"), std::string::npos);
    EXPECT_EQ((*retriever)->size(), kDocs);
  }
}

TEST_P(VectorStoreTest, SnapshotChunksAreBoundedAndCheckedOnRead) {
  const std::string path = FreshDb("chunks");
  ASSERT_TRUE(Corpus::Open(path).ok());  // creates the schema
  auto db = sql::Db::Open(path, false);
  ASSERT_TRUE(db.ok());
  std::string data(10000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(WriteVectorSnapshot(*db, "m", 8, {"hnsw-graph", 5, 3, data}, 3000).ok());
  {
    sql::Stmt sizes(*db, "SELECT count(*), max(length(data)) FROM vector_snapshot_chunks");
    ASSERT_TRUE(sizes.Step());
    EXPECT_EQ(sizes.Int(0), 4);     // 3000 + 3000 + 3000 + 1000
    EXPECT_EQ(sizes.Int(1), 3000);
  }
  auto back = ReadVectorSnapshot(*db, "m", 8, true);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->data, data);
  EXPECT_EQ((*back)->max_seq, 5);
  EXPECT_EQ((*back)->vectors, 3);
  // A shorter replacement leaves no stale chunk behind.
  ASSERT_TRUE(WriteVectorSnapshot(*db, "m", 8, {"hnsw-graph", 6, 1, data.substr(0, 4000)}, 3000).ok());
  back = ReadVectorSnapshot(*db, "m", 8, true);
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->data, data.substr(0, 4000));
  // A missing middle chunk, or a short last one: Corruption, not a short blob.
  ASSERT_TRUE(WriteVectorSnapshot(*db, "m", 8, {"hnsw-graph", 5, 3, data}, 3000).ok());
  ASSERT_TRUE(db->Exec("DELETE FROM vector_snapshot_chunks WHERE chunk = 2").ok());
  EXPECT_EQ(ReadVectorSnapshot(*db, "m", 8, true).status().code(), Status::Code::kCorruption);
  ASSERT_TRUE(WriteVectorSnapshot(*db, "m", 8, {"hnsw-graph", 5, 3, data}, 3000).ok());
  ASSERT_TRUE(db->Exec("UPDATE vector_snapshot_chunks SET data = substr(data, 1, 10) WHERE chunk = 3").ok());
  EXPECT_EQ(ReadVectorSnapshot(*db, "m", 8, true).status().code(), Status::Code::kCorruption);
  // Other (model, dims) are unaffected and absent ones read as none.
  auto none = ReadVectorSnapshot(*db, "m", 16, true);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace litrank
