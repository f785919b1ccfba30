// Embedder engine on the tiny random-weight Qwen3 embedding GGUF: packed rounds equal
// one-at-a-time decoding, unit vectors, MRL prefixes, de-duplication, progress,
// bad input and models of the wrong kind. (Random weights: the vectors mean nothing,
// the invariants are what is tested.)
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "litrank/embedder.h"
#include "model/fingerprint.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

std::unique_ptr<Embedder> OpenTiny(EmbedderConfig config = {}) {
  config.threads = 2;
  auto e = Embedder::Open(testing::TinyModel("embedding"), config);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : nullptr;
}

// Lengths from 2 to ~70 tokens, several scripts.
const std::vector<std::string> kTexts = {
    "Lithium dendrites penetrate the ceramic separator along grain boundaries.",
    "ok",
    "基于深度学习的中文文本检索方法研究。",
    "CRISPR base editors avoid double-strand breaks and reduce indels in primary cells.",
    "A much longer text about solid-state batteries, interfaces, impedance growth, cathode coatings, "
    "and the many ways that sulfide electrolytes decompose at high voltage during cycling; it goes on "
    "to discuss lithium metal anodes, pressure, temperature and the formation of voids at the interface.",
    "Über die Elektrochemie fester Elektrolyte",
    "x"};

double Dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

double MaxAbsDiff(const float* a, const float* b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
  return m;
}

// Reference: every text decoded alone (one sequence per round).
std::vector<float> OneAtATime(const std::vector<std::string>& texts, bool flash_attention) {
  EmbedderConfig c;
  c.max_sequences = 1;
  c.flash_attention = flash_attention;
  auto e = OpenTiny(c);
  std::vector<float> all;
  for (const std::string& t : texts) {
    std::vector<float> one;
    EXPECT_TRUE(e->EmbedDocuments({t}, {}, &one).ok());
    all.insert(all.end(), one.begin(), one.end());
  }
  return all;
}

// Packs kTexts under several layouts and compares each vector with `expected`.
void ExpectLayoutsMatch(const std::vector<float>& expected, bool flash_attention, double tolerance) {
  struct Layout {
    uint32_t batch, ubatch, seqs;
  };
  // Default; many small rounds; physical batches that split sequences; long text over
  // the round budget (decoded alone, in several llama_decode calls); two per round;
  // everything in one physical batch.
  for (const Layout& l : {Layout{0, 0, 0}, Layout{32, 32, 64}, Layout{256, 40, 64}, Layout{48, 48, 2},
                          Layout{4096, 4096, 255}}) {
    EmbedderConfig c;
    c.batch_tokens = l.batch, c.ubatch_tokens = l.ubatch, c.max_sequences = l.seqs;
    c.flash_attention = flash_attention;
    auto e = OpenTiny(c);
    ASSERT_TRUE(e);
    const uint32_t w = e->width();
    std::vector<float> got;
    ASSERT_TRUE(e->EmbedDocuments(kTexts, {}, &got).ok());
    ASSERT_EQ(got.size(), kTexts.size() * w);
    for (size_t i = 0; i < kTexts.size(); ++i) {
      EXPECT_LT(MaxAbsDiff(&got[i * w], &expected[i * w], w), tolerance)
          << "text " << i << " batch " << l.batch << " ubatch " << l.ubatch << " seqs " << l.seqs;
    }
  }
}

// With f32 attention, packing changes nothing beyond float rounding: texts in one
// round do not see each other.
TEST(EmbedEngine, PackedRoundsEqualOneAtATime) {
  ExpectLayoutsMatch(OneAtATime(kTexts, /*flash_attention=*/false), false, 1e-4);
}

// ggml's CPU flash attention keeps partial sums in f16 for fewer than 64 query rows
// and uses an f32 tiled kernel from 64 rows on, so a text alone and the same text in
// a big round differ by ~2e-4 (both that far from f32 attention), not more.
TEST(EmbedEngine, PackedRoundsWithFlashAttentionMatchWithinItsPrecision) {
  const std::vector<float> exact = OneAtATime(kTexts, false);
  const std::vector<float> alone = OneAtATime(kTexts, true);
  EXPECT_LT(MaxAbsDiff(alone.data(), exact.data(), exact.size()), 1e-3);
  ExpectLayoutsMatch(alone, true, 1e-3);
}

TEST(EmbedEngine, VectorsAreUnitLengthAndDistinct) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  const uint32_t w = e->width();
  EXPECT_EQ(w, 128u);  // the tiny shape's hidden size
  std::vector<float> v;
  ASSERT_TRUE(e->EmbedDocuments(kTexts, {}, &v).ok());
  for (size_t i = 0; i < kTexts.size(); ++i) {
    EXPECT_NEAR(Dot(&v[i * w], &v[i * w], w), 1.0, 1e-5) << i;
    for (size_t j = 0; j < i; ++j) EXPECT_LT(Dot(&v[i * w], &v[j * w], w), 0.9) << i << " vs " << j;
  }
}

TEST(EmbedEngine, OrderAndDuplicatesDoNotChangeVectors) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  const uint32_t w = e->width();
  std::vector<float> base, again;
  ASSERT_TRUE(e->EmbedDocuments(kTexts, {}, &base).ok());
  std::vector<std::string> shuffled(kTexts.rbegin(), kTexts.rend());
  shuffled.push_back(kTexts[0]);
  shuffled.push_back(kTexts[0]);
  std::vector<size_t> calls;
  ASSERT_TRUE(e->EmbedDocuments(shuffled, {}, &again, nullptr, [&](size_t done) { calls.push_back(done); }).ok());
  ASSERT_EQ(again.size(), shuffled.size() * w);
  for (size_t i = 0; i < kTexts.size(); ++i) {
    EXPECT_LT(MaxAbsDiff(&again[(kTexts.size() - 1 - i) * w], &base[i * w], w), 1e-4) << i;
  }
  EXPECT_EQ(MaxAbsDiff(&again[kTexts.size() * w], &again[(kTexts.size() - 1) * w], w), 0.0);
  EXPECT_EQ(MaxAbsDiff(&again[(kTexts.size() + 1) * w], &again[(kTexts.size() - 1) * w], w), 0.0);
  // Progress counts input texts (duplicates included), rises, and ends at all of them.
  ASSERT_FALSE(calls.empty());
  EXPECT_TRUE(std::is_sorted(calls.begin(), calls.end()));
  EXPECT_EQ(calls.back(), shuffled.size());
}

TEST(EmbedEngine, ProgressIsCalledPerRound) {
  EmbedderConfig c;
  c.max_sequences = 2;
  auto e = OpenTiny(c);
  ASSERT_TRUE(e);
  std::vector<size_t> calls;
  std::vector<float> v;
  ASSERT_TRUE(e->EmbedDocuments(kTexts, {}, &v, nullptr, [&](size_t done) { calls.push_back(done); }).ok());
  EXPECT_EQ(calls, (std::vector<size_t>{2, 4, 6, 7}));
}

TEST(EmbedEngine, MrlDimsArePrefixesRenormalised) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  const uint32_t w = e->width();
  std::vector<float> full, small;
  ASSERT_TRUE(e->EmbedQueries({"battery aging", "What limits fast charging?"}, "", {}, &full).ok());
  for (uint32_t dims : {32u, 64u, 100u, w}) {
    ASSERT_TRUE(e->EmbedQueries({"battery aging", "What limits fast charging?"}, "", {dims}, &small).ok());
    ASSERT_EQ(small.size(), 2u * dims);
    for (size_t q = 0; q < 2; ++q) {
      const double norm = std::sqrt(Dot(&full[q * w], &full[q * w], dims));
      EXPECT_NEAR(Dot(&small[q * dims], &small[q * dims], dims), 1.0, 1e-5);
      for (uint32_t j = 0; j < dims; ++j) ASSERT_NEAR(small[q * dims + j], full[q * w + j] / norm, 1e-5) << dims;
    }
  }
  for (uint32_t bad : {1u, 31u, w + 1}) {
    const Status st = e->EmbedQueries({"x"}, "", {bad}, &small);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("dims"), std::string::npos) << st.message();
  }
}

TEST(EmbedEngine, QueriesCarryTheTask) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  const uint32_t w = e->width();
  std::vector<float> as_doc, as_query, default_task, other_task;
  ASSERT_TRUE(e->EmbedDocuments({"battery aging"}, {}, &as_doc).ok());
  ASSERT_TRUE(e->EmbedQueries({"battery aging"}, "", {}, &as_query).ok());
  ASSERT_TRUE(e->EmbedQueries({"battery aging"}, kDefaultEmbedTask, {}, &default_task).ok());
  ASSERT_TRUE(e->EmbedQueries({"battery aging"}, "Find papers on materials", {}, &other_task).ok());
  EXPECT_EQ(MaxAbsDiff(as_query.data(), default_task.data(), w), 0.0);
  EXPECT_GT(MaxAbsDiff(as_query.data(), as_doc.data(), w), 1e-3);
  EXPECT_GT(MaxAbsDiff(as_query.data(), other_task.data(), w), 1e-3);
  // A query embeds as the document "Instruct: ...\nQuery:..." does.
  std::vector<float> formatted;
  ASSERT_TRUE(e->EmbedDocuments({FormatEmbeddingQuery("", "battery aging")}, {}, &formatted).ok());
  EXPECT_LT(MaxAbsDiff(as_query.data(), formatted.data(), w), 1e-6);
}

TEST(EmbedEngine, LongTextsAreCutAndFlagged) {
  EmbedderConfig c;
  c.max_length = 16;
  auto e = OpenTiny(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->max_length(), 16u);
  std::vector<float> v, cut_alone;
  std::vector<bool> truncated;
  ASSERT_TRUE(e->EmbedDocuments({kTexts[4], "short", kTexts[4]}, {}, &v, &truncated).ok());
  EXPECT_EQ(truncated, (std::vector<bool>{true, false, true}));
  // The cut text embeds as its first 15 tokens + EOS would.
  const auto tokens = e->Tokens(kTexts[4], false, "");
  ASSERT_EQ(tokens.size(), 16u);
  EXPECT_EQ(tokens.back(), 151643);
  auto full = OpenTiny();
  ASSERT_TRUE(full);
  const auto all = full->Tokens(kTexts[4], false, "");
  EXPECT_GT(all.size(), 16u);
  EXPECT_TRUE(std::equal(tokens.begin(), tokens.end() - 1, all.begin()));
  // The model's trained context caps max_length.
  c.max_length = 1u << 20;
  auto capped = OpenTiny(c);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->max_length(), 8192u);  // the tiny shape's context
}

TEST(EmbedEngine, RejectsBadInputNamingTheText) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  std::vector<float> out = {42.0f};
  Status st = e->EmbedDocuments({"fine", ""}, {}, &out);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("text 1 is empty"), std::string::npos) << st.message();
  st = e->EmbedDocuments({"fine", "ok", " \n\t "}, {}, &out);
  EXPECT_NE(st.message().find("text 2 is empty"), std::string::npos) << st.message();
  st = e->EmbedDocuments({"bad \xc3", "fine"}, {}, &out);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("text 0 is not valid UTF-8"), std::string::npos) << st.message();
  st = e->EmbedQueries({"ok", "\xff"}, "", {}, &out);
  EXPECT_NE(st.message().find("query 1 is not valid UTF-8"), std::string::npos) << st.message();
  st = e->EmbedQueries({"ok"}, "bad task \xc0", {}, &out);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("task"), std::string::npos) << st.message();
  EXPECT_EQ(out, std::vector<float>{42.0f});  // untouched on error
  // No texts: no vectors, no error.
  ASSERT_TRUE(e->EmbedDocuments({}, {}, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(EmbedEngine, RefusesModelsOfTheWrongKind) {
  for (const char* kind : {"reranker", "broken", "cross-encoder"}) {
    auto r = Embedder::Open(testing::TinyModel(kind));
    EXPECT_EQ(r.status().code(), Status::Code::kUnsupported) << kind;
    EXPECT_NE(r.status().message().find("reranker"), std::string::npos) << r.status().message();
  }
  auto lm = Embedder::Open(testing::TinyModel("generator"));
  EXPECT_EQ(lm.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(lm.status().message().find("causal language model"), std::string::npos) << lm.status().message();
  EXPECT_EQ(Embedder::Open(testing::TempDir() + "/missing.gguf").status().code(), Status::Code::kNotFound);
  const std::string junk = testing::TempDir() + "/junk.gguf";
  std::ofstream(junk) << "this is not a GGUF file, just some text";
  EXPECT_EQ(Embedder::Open(junk).status().code(), Status::Code::kCorruption);
}

TEST(EmbedEngine, RejectsConfigsThatCannotWork) {
  EmbedderConfig c;
  c.max_sequences = 300;
  auto r = Embedder::Open(testing::TinyModel("embedding"), c);
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("max_sequences"), std::string::npos) << r.status().message();
  c = {};
  c.max_length = 1;
  r = Embedder::Open(testing::TinyModel("embedding"), c);
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("max_length"), std::string::npos) << r.status().message();
}

TEST(EmbedEngine, FingerprintAndInfoDescribeTheFile) {
  auto e = OpenTiny();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->fingerprint().size(), 64u);
  EXPECT_EQ(e->info().kind, ModelKind::kEmbedding);
  EXPECT_EQ(e->info().pooling, "last");
  auto again = OpenTiny();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->fingerprint(), e->fingerprint());
  // The reranker's fingerprint scheme, so stored vectors and cached scores key alike.
  auto fp = ModelFingerprint(testing::TinyModel("embedding"));
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(e->fingerprint(), *fp);
}

}  // namespace
}  // namespace litrank
