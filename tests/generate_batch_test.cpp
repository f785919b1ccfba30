// Several prompts decoded together (parallel sequences of one context) on the
// random-weight generator: the same answers as one at a time, the shared prefix
// decoded once, seeded sampling that repeats, prompts too long alone refused while
// the others go on, and ExtractMany agreeing with Extract document by document.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "extract/json_schema.h"
#include "generate/generator.h"
#include "litrank/extract.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

const std::vector<std::string> kTexts = {
    "Coral reefs bleach during marine heatwaves.",
    "Sleep loss impairs working memory in adults.",
    "锂电池在低温下快速充电会在石墨负极析出金属锂。",
    "A randomized trial of 400 patients found no effect of vitamin D on fractures.",
    "We release a dataset of 10,000 annotated chest X-rays.",
    "Graph neural networks predict molecular properties from structure."};

std::unique_ptr<Generator> OpenTiny(uint32_t max_sequences, uint32_t max_context = 32768) {
  GeneratorConfig c;
  c.threads = 2;
  c.max_sequences = max_sequences;
  c.max_context = max_context;
  auto g = Generator::Open(testing::TinyModel("generator"), c);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : nullptr;
}

std::vector<ChatPrompt> Prompts(const Generator& g, const std::vector<std::string>& texts) {
  std::vector<ChatPrompt> out;
  for (const std::string& t : texts) {
    StatusOr<ChatPrompt> p = g.Chat("Answer with one JSON object: the problem, method, results and data.", "Text:\n", t);
    EXPECT_TRUE(p.ok());
    out.push_back(*p);
  }
  return out;
}

std::string Grammar() {
  StatusOr<std::string> g = SchemaGrammar(BuiltInExtractionSchema());
  EXPECT_TRUE(g.ok());
  return *g;
}

TEST(GenerateMany, BatchedGreedyAnswersEqualOneAtATimeAndShareThePrefix) {
  auto single = OpenTiny(1);
  auto batched = OpenTiny(4);
  ASSERT_TRUE(single && batched);
  const std::vector<ChatPrompt> prompts = Prompts(*batched, kTexts);
  const std::string grammar = Grammar();
  std::vector<Generation> many;
  std::vector<Status> statuses;
  ASSERT_TRUE(batched->GenerateMany(prompts, grammar, 64, Sampling{}, &many, &statuses).ok());
  ASSERT_EQ(many.size(), prompts.size());
  // The common prefix: the same head, tokenised alike, up to the first token that differs.
  const size_t head_tokens = batched->CountTokens("Answer with one JSON object: the problem, method, results and data.");
  for (size_t i = 0; i < prompts.size(); ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].ToString();
    Generation one;
    ASSERT_TRUE(single->Generate(prompts[i], grammar, 64, &one).ok());
    EXPECT_EQ(many[i].text, one.text) << "prompt " << i;
    EXPECT_EQ(many[i].generated_tokens, one.generated_tokens);
    EXPECT_EQ(many[i].prompt_tokens, one.prompt_tokens);
    // Every member after a group's first starts on the decoded prefix (groups of 4: 0-3, 4-5).
    if (i % 4 != 0) {
      EXPECT_GT(many[i].reused_tokens, head_tokens) << i;
      EXPECT_LT(many[i].reused_tokens, many[i].prompt_tokens) << i;
      if (i % 4 > 1) {
        EXPECT_EQ(many[i].reused_tokens, many[i - 1].reused_tokens) << i;
      }
    }
  }
  // A second call finds the prefix cached for its first member too.
  ASSERT_TRUE(batched->GenerateMany(prompts, grammar, 8, Sampling{}, &many, &statuses).ok());
  EXPECT_GT(many[0].reused_tokens, head_tokens);
}

TEST(GenerateMany, SeededSamplingRepeatsInAnyBatchAndFollowsTheSeed) {
  auto g = OpenTiny(4);
  ASSERT_TRUE(g);
  const std::vector<ChatPrompt> prompts = Prompts(*g, kTexts);
  const std::string grammar = Grammar();
  Sampling s;
  s.temperature = 1.0f;
  s.top_p = 0.95f;
  s.seed = 11;
  std::vector<Generation> a, b, c;
  std::vector<Status> st;
  ASSERT_TRUE(g->GenerateMany(prompts, grammar, 24, s, &a, &st).ok());
  // The same prompts in another order and grouping: each draws as before.
  const std::vector<ChatPrompt> reversed(prompts.rbegin(), prompts.rend());
  ASSERT_TRUE(g->GenerateMany(reversed, grammar, 24, s, &b, &st).ok());
  for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(a[i].text, b[prompts.size() - 1 - i].text) << i;
  s.seed = 12;
  ASSERT_TRUE(g->GenerateMany(prompts, grammar, 24, s, &c, &st).ok());
  size_t differ = 0;
  for (size_t i = 0; i < prompts.size(); ++i) differ += a[i].text != c[i].text;
  EXPECT_GT(differ, 0u);
  // Sampled answers that finished are still grammatical JSON.
  for (const Generation& gen : a) {
    if (gen.finished) {
      EXPECT_FALSE(nlohmann::json::parse(gen.text, nullptr, false).is_discarded()) << gen.text;
    }
  }
}

TEST(GenerateMany, APromptTooLongAloneIsRefusedAndTheOthersGoOn) {
  auto g = OpenTiny(4, /*max_context=*/1024);
  ASSERT_TRUE(g);
  std::vector<std::string> texts = kTexts;
  std::string huge;
  for (int i = 0; i < 400; ++i) huge += "word" + std::to_string(i) + " ";
  texts.insert(texts.begin() + 2, huge);
  const std::vector<ChatPrompt> prompts = Prompts(*g, texts);
  std::vector<Generation> out;
  std::vector<Status> st;
  ASSERT_TRUE(g->GenerateMany(prompts, Grammar(), 128, Sampling{}, &out, &st).ok());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i == 2) {
      EXPECT_EQ(st[i].code(), Status::Code::kTooLong) << st[i].ToString();
      EXPECT_EQ(out[i].generated_tokens, 0u);
    } else {
      EXPECT_TRUE(st[i].ok()) << i << ": " << st[i].ToString();
      EXPECT_GT(out[i].generated_tokens, 0u);
    }
  }
  EXPECT_EQ(g->GenerateMany(prompts, Grammar(), 0, Sampling{}, &out, &st).code(), Status::Code::kInvalidArgument);
  // A grammar llama.cpp cannot read fails the call before anything is decoded.
  EXPECT_EQ(g->GenerateMany(prompts, "root ::= (", 8, Sampling{}, &out, &st).code(), Status::Code::kInvalidArgument);
}

TEST(ExtractMany, AgreesWithExtractDocumentByDocument) {
  ExtractOptions o;
  o.threads = 2;
  o.max_tokens = 96;
  o.parallel = 4;
  auto many = Extractor::Open(testing::TinyModel("generator"), o);
  o.parallel = 1;
  auto one = Extractor::Open(testing::TinyModel("generator"), o);
  ASSERT_TRUE(many.ok() && one.ok());
  std::vector<std::string> texts = kTexts;
  texts.push_back("  \n ");        // blank: empty fields, no model call
  texts.push_back("bad \xff utf8");  // refused alone
  std::vector<Extraction> outs;
  std::vector<Status> statuses;
  ASSERT_TRUE((*many)->ExtractMany(texts, &outs, &statuses).ok());
  ASSERT_EQ(outs.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    Extraction e;
    const Status st = (*one)->Extract(texts[i], &e);
    EXPECT_EQ(statuses[i].code(), st.code()) << i;
    if (!st.ok()) continue;
    EXPECT_EQ(outs[i].json, e.json) << i;
    EXPECT_EQ(outs[i].complete, e.complete) << i;
    std::string why;
    EXPECT_TRUE(ValidateJson(BuiltInExtractionSchema(), nlohmann::json::parse(outs[i].json), &why)) << why;
  }
  EXPECT_EQ(statuses[texts.size() - 1].code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(outs[texts.size() - 2].attempts, 0u);
}

}  // namespace
}  // namespace litrank
