// The Embedder on variants of the tiny embedding GGUF (a tokenizer that adds EOS
// itself; CLS and MEAN pooling) and its parity with llama.cpp's own llama-server.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "ggml.h"
#include "gguf.h"
#include "litrank/embedder.h"
#include "process_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

constexpr int32_t kEndOfText = 151643;

const std::vector<std::string> kDocs = {
    "Interfacial reactions between sulfide electrolytes and cathodes raise impedance.",
    "ok",
    "基于深度学习的中文文本检索。",
    "Lithium dendrites penetrate the ceramic separator along grain boundaries, causing short circuits "
    "after a few hundred cycles at high current density.",
    "solid rock"};

/// Copy of the tiny embedding GGUF with `edit` applied to its metadata, written once
/// per `name` into the test's temp folder.
std::string Variant(const std::string& name, const std::function<void(gguf_context*)>& edit) {
  const std::string out = testing::TempDir() + "/tiny-embedding-" + name + ".gguf";
  if (std::filesystem::exists(out)) return out;
  ggml_context* data = nullptr;
  gguf_init_params params{/*no_alloc=*/false, &data};
  gguf_context* src = gguf_init_from_file(testing::TinyModel("embedding").c_str(), params);
  EXPECT_TRUE(src != nullptr && data != nullptr);
  if (src == nullptr || data == nullptr) return out;
  gguf_context* dst = gguf_init_empty();
  gguf_set_kv(dst, src);
  for (int64_t i = 0; i < gguf_get_n_tensors(src); ++i) gguf_add_tensor(dst, ggml_get_tensor(data, gguf_get_tensor_name(src, i)));
  edit(dst);
  EXPECT_TRUE(gguf_write_to_file(dst, out.c_str(), false));
  gguf_free(dst);
  gguf_free(src);
  ggml_free(data);
  return out;
}

std::string AddsEosVariant() {
  return Variant("add-eos", [](gguf_context* g) { gguf_set_val_bool(g, "tokenizer.ggml.add_eos_token", true); });
}

std::string PoolingVariant(const std::string& name, uint32_t pooling) {
  return Variant(name, [pooling](gguf_context* g) { gguf_set_val_u32(g, "qwen3.pooling_type", pooling); });
}

std::unique_ptr<Embedder> Open(const std::string& path, bool flash_attention = true, uint32_t max_sequences = 0) {
  EmbedderConfig c;
  c.threads = 2;
  c.flash_attention = flash_attention;
  c.max_sequences = max_sequences;
  auto e = Embedder::Open(path, c);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : nullptr;
}

double MaxAbsDiff(const float* a, const float* b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
  return m;
}

double Cosine(const float* a, const float* b, size_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb);
}

TEST(EmbedVariant, TokenizerThatAddsEosGetsItOnce) {
  auto stock = Open(testing::TinyModel("embedding"));
  auto adds = Open(AddsEosVariant());
  ASSERT_TRUE(stock && adds);
  EXPECT_NE(stock->fingerprint(), adds->fingerprint());
  for (const std::string& d : kDocs) {
    const auto t = adds->Tokens(d, false, "");
    EXPECT_EQ(t, stock->Tokens(d, false, "")) << d;
    EXPECT_EQ(t.back(), kEndOfText);
    EXPECT_EQ(std::count(t.begin(), t.end(), kEndOfText), 1) << d;
  }
  std::vector<float> a, b;
  ASSERT_TRUE(stock->EmbedDocuments(kDocs, {}, &a).ok());
  ASSERT_TRUE(adds->EmbedDocuments(kDocs, {}, &b).ok());
  EXPECT_LT(MaxAbsDiff(a.data(), b.data(), a.size()), 1e-6);
}

// Qwen3 is causal, so CLS pooling (the first token's state) depends on the first
// token only: proof that the GGUF's pooling is what runs.
TEST(EmbedVariant, ClsPoolingIsHonoured) {
  auto cls = Open(PoolingVariant("cls", 2));
  auto last = Open(testing::TinyModel("embedding"));
  ASSERT_TRUE(cls && last);
  EXPECT_EQ(cls->info().pooling, "cls");
  const std::vector<std::string> texts = {"solid-state batteries", "solid rock"};  // both start with "solid"
  ASSERT_EQ(cls->Tokens(texts[0], false, "")[0], cls->Tokens(texts[1], false, "")[0]);
  std::vector<float> c, l;
  ASSERT_TRUE(cls->EmbedDocuments(texts, {}, &c).ok());
  ASSERT_TRUE(last->EmbedDocuments(texts, {}, &l).ok());
  const uint32_t w = cls->width();
  EXPECT_LT(MaxAbsDiff(&c[0], &c[w], w), 1e-4);
  EXPECT_GT(MaxAbsDiff(&l[0], &l[w], w), 1e-3);
}

// MEAN pooling runs through llama.cpp's pooling (one physical batch per round):
// packing still changes nothing, and the vectors are neither LAST's nor CLS's.
TEST(EmbedVariant, MeanPoolingIsHonouredAndPacks) {
  auto packed = Open(PoolingVariant("mean", 1), /*flash_attention=*/false);
  auto single = Open(PoolingVariant("mean", 1), false, /*max_sequences=*/1);
  auto last = Open(testing::TinyModel("embedding"), false);
  auto cls = Open(PoolingVariant("cls", 2), false);
  ASSERT_TRUE(packed && single && last && cls);
  EXPECT_EQ(packed->info().pooling, "mean");
  const uint32_t w = packed->width();
  std::vector<float> p, l, c;
  ASSERT_TRUE(packed->EmbedDocuments(kDocs, {}, &p).ok());
  ASSERT_TRUE(last->EmbedDocuments(kDocs, {}, &l).ok());
  ASSERT_TRUE(cls->EmbedDocuments(kDocs, {}, &c).ok());
  for (size_t i = 0; i < kDocs.size(); ++i) {
    std::vector<float> one;
    ASSERT_TRUE(single->EmbedDocuments({kDocs[i]}, {}, &one).ok());
    EXPECT_LT(MaxAbsDiff(&p[i * w], one.data(), w), 1e-4) << i;
    EXPECT_GT(MaxAbsDiff(&p[i * w], &l[i * w], w), 1e-3) << i;
    EXPECT_GT(MaxAbsDiff(&p[i * w], &c[i * w], w), 1e-3) << i;
  }
  // Small rounds, then a text of ~400 tokens that makes the context grow.
  EmbedderConfig small;
  small.threads = 2, small.flash_attention = false, small.batch_tokens = 32;
  auto grows = Embedder::Open(PoolingVariant("mean", 1), small);
  ASSERT_TRUE(grows.ok()) << grows.status().ToString();
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "Sulfide electrolytes decompose at high voltage. ";
  std::vector<std::string> texts = kDocs;
  texts.push_back(long_text);
  ASSERT_GT(packed->Tokens(long_text, false, "").size(), 300u);
  std::vector<float> g, one;
  ASSERT_TRUE((*grows)->EmbedDocuments(texts, {}, &g).ok());
  for (size_t i = 0; i < kDocs.size(); ++i) EXPECT_LT(MaxAbsDiff(&g[i * w], &p[i * w], w), 1e-4) << i;
  ASSERT_TRUE(single->EmbedDocuments({long_text}, {}, &one).ok());
  EXPECT_LT(MaxAbsDiff(&g[kDocs.size() * w], one.data(), w), 1e-4);
}

/// A llama-server (--embedding --pooling last) on `model`, for the test's lifetime.
class EmbeddingServer {
 public:
  explicit EmbeddingServer(const std::string& model)
      : port_(testing::FreePort()),
        log_(testing::TempDir() + "/llama-server-embed.log"),
        proc_({LITRANK_LLAMA_SERVER, "-m", model, "--embedding", "--pooling", "last", "--host", "127.0.0.1", "--port",
               std::to_string(port_), "-t", "2", "-c", "2048", "-np", "1", "--no-webui"},
              "", log_.write_fd()),
        cli_("127.0.0.1", port_) {
    log_.CloseWriteEnd();
    cli_.set_read_timeout(120, 0);
    ready_ = testing::WaitLlamaServerReady(log_, cli_);
  }
  bool ready() const { return ready_; }

  /// The server's tokens for `text`, special tokens added and parsed, as /v1/embeddings does.
  std::vector<int32_t> Tokenize(const std::string& text) {
    nlohmann::json body = {{"content", text}, {"add_special", true}, {"parse_special", true}};
    auto res = cli_.Post("/tokenize", body.dump(), "application/json");
    if (!res || res->status != 200) return {};
    return nlohmann::json::parse(res->body)["tokens"].get<std::vector<int32_t>>();
  }

  /// /v1/embeddings for one text input.
  std::vector<float> Embed(const std::string& text) {
    nlohmann::json body = {{"input", text}, {"encoding_format", "float"}};
    auto res = cli_.Post("/v1/embeddings", body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no reply");
    if (!res || res->status != 200) return {};
    return nlohmann::json::parse(res->body)["data"][0]["embedding"].get<std::vector<float>>();
  }

 private:
  int port_;
  testing::LinePipe log_;  // before proc_: outlives the child writing to it
  testing::ChildProcess proc_;
  httplib::Client cli_;
  bool ready_ = false;
};

/// Ours vs llama-server for kDocs; `suffix` is what the server's input needs appended
/// so that it sees the same tokens (checked through /tokenize first).
void ExpectServerParity(const std::string& model, const std::string& suffix) {
  auto e = Open(model);
  ASSERT_TRUE(e);
  EmbeddingServer server(model);
  ASSERT_TRUE(server.ready()) << "llama-server did not start; see " << testing::TempDir() << "/llama-server-embed.log";
  std::vector<float> ours;
  ASSERT_TRUE(e->EmbedDocuments(kDocs, {}, &ours).ok());
  const uint32_t w = e->width();
  for (size_t i = 0; i < kDocs.size(); ++i) {
    ASSERT_EQ(server.Tokenize(kDocs[i] + suffix), e->Tokens(kDocs[i], false, "")) << "document " << i;
    const std::vector<float> theirs = server.Embed(kDocs[i] + suffix);
    ASSERT_EQ(theirs.size(), w);
    EXPECT_LT(1.0 - Cosine(&ours[i * w], theirs.data(), w), 1e-3) << "document " << i;
  }
}

class EmbedParity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(LITRANK_LLAMA_SERVER)) GTEST_SKIP() << "llama-server not built (LITRANK_ANCHORS=OFF)";
  }
};

// The synthetic GGUF's tokenizer adds no EOS, so llama-server does not append one to
// text input: the document needs "<|endoftext|>" written out (the server parses special
// tokens) to get the Qwen3-Embedding input litrank builds.
TEST_F(EmbedParity, DocumentsEqualLlamaServerWhenTheTokenizerAddsNoEos) {
  ExpectServerParity(testing::TinyModel("embedding"), "<|endoftext|>");
}

// A GGUF with tokenizer.ggml.add_eos_token (as converted Qwen3-Embedding files have):
// llama-server appends the EOS itself, litrank does not add a second one.
TEST_F(EmbedParity, DocumentsEqualLlamaServerWhenTheTokenizerAddsEos) {
  ExpectServerParity(AddsEosVariant(), "");
}

}  // namespace
}  // namespace litrank
