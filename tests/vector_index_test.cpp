// Vector indexes: exact search against brute force, HNSW recall against exact,
// replace/remove/filter, and serialisation (including damaged blobs).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "util/hash.h"

#include "vector/synthetic_vectors.h"
#include "vector/vector_index.h"

namespace litrank {
namespace {

std::vector<float> Clustered(size_t n, uint32_t dims, size_t clusters, uint64_t seed) {
  return SyntheticEmbeddings(n, dims, clusters, seed);
}

std::vector<int64_t> Ids(size_t n, int64_t first = 1) {
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = first + static_cast<int64_t>(i);
  return ids;
}

std::vector<VectorHit> BruteForce(const std::vector<float>& data, uint32_t dims, const float* q, size_t k) {
  std::vector<VectorHit> all;
  for (size_t i = 0; i < data.size() / dims; ++i) {
    double dot = 0;
    for (uint32_t j = 0; j < dims; ++j) dot += static_cast<double>(data[i * dims + j]) * q[j];
    all.push_back({static_cast<int64_t>(i + 1), static_cast<float>(dot)});
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.score != b.score ? a.score > b.score : a.id < b.id; });
  all.resize(std::min(k, all.size()));
  return all;
}

TEST(VectorIndexTest, FlatMatchesBruteForce) {
  const uint32_t dims = 67;  // not a multiple of the SIMD width
  auto data = Clustered(3000, dims, 20, 1);
  auto index = NewFlatIndex(dims);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(Ids(3000), data.data()).ok());
  EXPECT_EQ((*index)->size(), 3000u);
  auto queries = Clustered(20, dims, 20, 2);
  for (size_t q = 0; q < 20; ++q) {
    std::vector<VectorHit> hits;
    ASSERT_TRUE((*index)->Search(&queries[q * dims], 10, &hits).ok());
    auto expect = BruteForce(data, dims, &queries[q * dims], 10);
    ASSERT_EQ(hits.size(), 10u);
    for (size_t i = 0; i < 10; ++i) {
      EXPECT_EQ(hits[i].id, expect[i].id);
      EXPECT_NEAR(hits[i].score, expect[i].score, 1e-5);
    }
  }
}

TEST(VectorIndexTest, TiesReplaceRemoveAndFilter) {
  for (bool flat : {true, false}) {
    auto index = flat ? NewFlatIndex(2) : NewHnswIndex(2);
    ASSERT_TRUE(index.ok());
    const std::vector<float> v = {1, 0, 1, 0, 0, 1};  // ids 7 and 3 tie, 5 is orthogonal
    ASSERT_TRUE((*index)->Add({7, 3, 5}, v.data()).ok());
    const float q[2] = {1, 0};
    std::vector<VectorHit> hits;
    ASSERT_TRUE((*index)->Search(q, 2, &hits).ok());
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].id, 3);  // tie: smaller id first
    EXPECT_EQ(hits[1].id, 7);
    const float moved[2] = {0, 1};
    ASSERT_TRUE((*index)->Add({3}, moved).ok());  // replace
    EXPECT_EQ((*index)->size(), 3u);
    ASSERT_TRUE((*index)->Search(q, 1, &hits).ok());
    EXPECT_EQ(hits[0].id, 7);
    ASSERT_TRUE((*index)->Remove(7).ok());
    EXPECT_EQ((*index)->Remove(7).code(), Status::Code::kNotFound) << (flat ? "flat" : "hnsw");
    EXPECT_EQ((*index)->size(), 2u);
    ASSERT_TRUE((*index)->Search(q, 5, &hits, [](int64_t id) { return id != 3; }).ok());
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, 5);
  }
}

TEST(VectorIndexTest, RepeatedIdInOneBatchKeepsTheLastRow) {
  for (bool flat : {true, false}) {
    auto index = flat ? NewFlatIndex(2) : NewHnswIndex(2);
    const std::vector<float> v = {1, 0, 0, 1, -1, 0};
    ASSERT_TRUE((*index)->Add({4, 9, 4}, v.data()).ok());
    EXPECT_EQ((*index)->size(), 2u);
    const float q[2] = {-1, 0};
    std::vector<VectorHit> hits;
    ASSERT_TRUE((*index)->Search(q, 1, &hits).ok());
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, 4) << (flat ? "flat" : "hnsw");
    EXPECT_NEAR(hits[0].score, 1.0f, 1e-6);
  }
}

TEST(VectorIndexTest, SaveLoadRoundTripAndDamagedBlobs) {
  const uint32_t dims = 32;
  auto data = Clustered(500, dims, 5, 3);
  for (bool flat : {true, false}) {
    auto index = flat ? NewFlatIndex(dims) : NewHnswIndex(dims);
    ASSERT_TRUE((*index)->Add(Ids(500), data.data()).ok());
    std::string blob;
    ASSERT_TRUE((*index)->Save(&blob).ok());
    auto loaded = LoadVectorIndex(blob);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ((*loaded)->size(), 500u);
    EXPECT_EQ((*loaded)->dims(), dims);
    std::vector<VectorHit> a, b;
    ASSERT_TRUE((*index)->Search(&data[0], 5, &a).ok());
    ASSERT_TRUE((*loaded)->Search(&data[0], 5, &b).ok());
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(LoadVectorIndex(blob.substr(0, blob.size() / 2)).status().code(), Status::Code::kCorruption);
    std::string wrong = blob;
    wrong[0] = 'X';
    EXPECT_EQ(LoadVectorIndex(wrong).status().code(), Status::Code::kCorruption);
  }
  EXPECT_EQ(LoadVectorIndex("").status().code(), Status::Code::kCorruption);
}

// A blob whose checksum is right but whose hnswlib graph is cut short (as a
// buggy writer could produce) must still come back as Corruption, not a crash.
TEST(VectorIndexTest, HnswGraphCutShortBehindAValidChecksum) {
  const uint32_t dims = 8;
  auto data = Clustered(300, dims, 3, 6);
  auto index = NewHnswIndex(dims);
  ASSERT_TRUE((*index)->Add(Ids(300), data.data()).ok());
  std::string blob;
  ASSERT_TRUE((*index)->Save(&blob).ok());
  const size_t header = 16, digest = 32;  // "LTVI" + version/kind/dims, then SHA-256 of the payload
  ASSERT_EQ(blob.substr(header, digest), Sha256Fields({std::string_view(blob).substr(header + digest)}));
  for (size_t keep : {size_t{24}, size_t{100}, (blob.size() - header - digest) / 2}) {
    const std::string payload = blob.substr(header + digest, keep);
    const std::string forged = blob.substr(0, header) + Sha256Fields({payload}) + payload;
    EXPECT_EQ(LoadVectorIndex(forged).status().code(), Status::Code::kCorruption) << "payload bytes " << keep;
  }
  // Stated sizes hnswlib would believe: element count (offset 16 of its head),
  // bytes per element (24), entry point (52). The head follows our 24 bytes of params.
  for (size_t field : {size_t{16}, size_t{24}, size_t{52}}) {
    std::string payload = blob.substr(header + digest);
    const uint32_t huge = 0x7fffffff;
    std::memcpy(&payload[24 + field], &huge, sizeof huge);
    const std::string forged = blob.substr(0, header) + Sha256Fields({payload}) + payload;
    EXPECT_EQ(LoadVectorIndex(forged).status().code(), Status::Code::kCorruption) << "head field at " << field;
  }
  // The same graph under a header claiming other dimensions.
  std::string other = blob;
  const uint32_t dims16 = 16;
  std::memcpy(&other[12], &dims16, sizeof dims16);
  EXPECT_EQ(LoadVectorIndex(other).status().code(), Status::Code::kCorruption);
}

TEST(VectorIndexTest, ConcurrentSearchesAgreeWithSerialOnes) {
  const uint32_t dims = 48;
  auto data = Clustered(4000, dims, 40, 7);
  auto queries = Clustered(64, dims, 40, 8);
  for (bool flat : {true, false}) {
    auto index = flat ? NewFlatIndex(dims) : NewHnswIndex(dims);
    ASSERT_TRUE((*index)->Add(Ids(4000), data.data()).ok());
    // Odd queries ask for more hits, so HNSW's shared beam width changes between calls.
    auto k_of = [](size_t q) -> size_t { return q % 2 ? 150 : 10; };
    std::vector<std::vector<VectorHit>> serial(64), parallel(64);
    for (size_t q = 0; q < 64; ++q) ASSERT_TRUE((*index)->Search(&queries[q * dims], k_of(q), &serial[q]).ok());
    std::vector<std::thread> threads;
    for (size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (size_t q = t; q < 64; q += 4) (void)(*index)->Search(&queries[q * dims], k_of(q), &parallel[q]);
      });
    }
    for (auto& th : threads) th.join();
    for (size_t q = 0; q < 64; ++q) {
      ASSERT_EQ(parallel[q].size(), k_of(q));
      for (size_t i = 0; i < k_of(q); ++i) EXPECT_EQ(parallel[q][i].id, serial[q][i].id) << (flat ? "flat" : "hnsw");
    }
  }
}

TEST(VectorIndexTest, HnswRecallAgainstExact) {
  const uint32_t dims = 256;
  const size_t n = 20000;
  auto data = Clustered(n, dims, 200, 4);
  auto flat = NewFlatIndex(dims);
  auto hnsw = NewHnswIndex(dims);
  ASSERT_TRUE((*flat)->Add(Ids(n), data.data()).ok());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE((*hnsw)->Add(Ids(n), data.data()).ok());
  const double build = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto queries = Clustered(200, dims, 200, 5);
  size_t found = 0;
  double flat_s = 0, hnsw_s = 0;
  for (size_t q = 0; q < 200; ++q) {
    std::vector<VectorHit> exact, approx;
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE((*flat)->Search(&queries[q * dims], 10, &exact).ok());
    auto t2 = std::chrono::steady_clock::now();
    ASSERT_TRUE((*hnsw)->Search(&queries[q * dims], 10, &approx).ok());
    auto t3 = std::chrono::steady_clock::now();
    flat_s += std::chrono::duration<double>(t2 - t1).count();
    hnsw_s += std::chrono::duration<double>(t3 - t2).count();
    for (auto& a : approx) for (auto& e : exact) found += a.id == e.id;
  }
  const double recall = found / 2000.0;
  std::printf("HNSW recall@10 vs exact on %zu synthetic %u-d embeddings: %.4f (build %.1fs); "
              "mean query latency flat %.3f ms, HNSW %.3f ms\n",
              n, dims, recall, build, flat_s / 200 * 1e3, hnsw_s / 200 * 1e3);
  EXPECT_GE(recall, 0.95);
}

}  // namespace
// The default beam grows with the index (the rule in vector_index.h: 256 up to
// 100k vectors, then 256 per 100k rounded to a multiple of 32, capped at 4096).
TEST(VectorIndexTest, DefaultBeamGrowsWithTheIndex) {
  EXPECT_EQ(AutoEfSearch(0), 256u);
  EXPECT_EQ(AutoEfSearch(100000), 256u);
  EXPECT_EQ(AutoEfSearch(150000), 384u);
  EXPECT_EQ(AutoEfSearch(300000), 768u);
  EXPECT_EQ(AutoEfSearch(1000000), 2560u);
  EXPECT_EQ(AutoEfSearch(50000000), 4096u);
  for (size_t n = 100000; n <= 2000000; n += 12345) {
    EXPECT_EQ(AutoEfSearch(n) % 32, 0u) << n;
    EXPECT_LE(AutoEfSearch(n), AutoEfSearch(n + 12345)) << n;
  }
}

}  // namespace litrank
