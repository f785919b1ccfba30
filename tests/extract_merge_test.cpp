// The optional merge pass over a long text's window answers (ExtractOptions::model_merge,
// `extract --merge model`): its prompt lists every partial answer in order under the
// extraction rules, the model's merged answer is kept only when it closes and fits,
// otherwise the rule's merge stays exactly, one-window texts are untouched, and the
// pass has its own stored-extraction key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "distributed/task_runner.h"
#include "extract/extract_prompt.h"
#include "extract/json_schema.h"
#include "generate/generator.h"
#include "litrank/extract.h"
#include "process_util.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// A text of `sentences` distinct sentences, several 64-token windows long.
std::string LongText(int sentences, const std::string& topic) {
  std::string s;
  for (int i = 0; i < sentences; ++i) {
    s += "Step " + std::to_string(i) + " of the " + topic + " protocol measured one more quantity in the cohort. ";
  }
  return s;
}

std::unique_ptr<Extractor> OpenTiny(ExtractOptions o) {
  o.threads = 2;
  auto x = Extractor::Open(testing::TinyModel("generator"), o);
  EXPECT_TRUE(x.ok()) << x.status().ToString();
  return x.ok() ? std::move(*x) : nullptr;
}

TEST(MergePrompt, ListsEveryPartInOrderUnderTheExtractionRules) {
  EXPECT_EQ(MergeUserText({json::parse(R"({"a":"x"})"), json::parse(R"({"a":"y","b":[1]})")}),
            "Part 1 of 2: {\"a\":\"x\"}\nPart 2 of 2: {\"a\":\"y\",\"b\":[1]}\n");
  const OrderedJson schema = BuiltInExtractionSchema();
  const std::string merge = MergeSystemPrompt(schema, "zh");
  const std::string extract = ExtractionSystemPrompt(schema, "zh");
  // The same rules and field list as extraction, after its own first paragraph.
  const size_t rules = extract.find("Rules:\n");
  ASSERT_NE(rules, std::string::npos);
  ASSERT_NE(merge.find("Rules:\n"), std::string::npos);
  EXPECT_EQ(merge.substr(merge.find("Rules:\n")), extract.substr(rules));
  EXPECT_NE(merge.find("Merge these partial answers"), std::string::npos);
  EXPECT_NE(merge.find("- Write the values in zh.\n"), std::string::npos);
  for (const char* field : {"problem", "method", "results", "data_contribution"}) {
    EXPECT_NE(merge.find(std::string("- ") + field + " ("), std::string::npos) << field;
  }
}

// With a schema whose every answer is a few tokens, the merge decode always closes:
// the model's answer is the one returned.
TEST(ExtractMerge, TheModelsMergedAnswerIsKeptWhenItClosesAndFits) {
  const std::string schema_text =
      R"({"type":"object","properties":{"blinded":{"type":"boolean"},"design":{"enum":["rct","cohort","other"]}},
          "required":["blinded","design"]})";
  ExtractOptions o;
  o.schema = schema_text;
  o.window_tokens = 64;
  o.max_tokens = 200;
  auto rule = OpenTiny(o);
  o.model_merge = true;
  auto model = OpenTiny(o);
  ASSERT_NE(rule, nullptr);
  ASSERT_NE(model, nullptr);
  const OrderedJson schema = OrderedJson::parse(schema_text);
  const std::vector<std::string> texts = {LongText(20, "blood pressure"), LongText(14, "soil nitrogen"),
                                          "A short randomised trial of 40 adults."};
  std::vector<Extraction> by_rule, by_model;
  std::vector<Status> st_rule, st_model;
  ASSERT_TRUE(rule->ExtractMany(texts, &by_rule, &st_rule).ok());
  ASSERT_TRUE(model->ExtractMany(texts, &by_model, &st_model).ok());
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(st_rule[i].ok() && st_model[i].ok()) << i;
    ASSERT_GE(by_rule[i].windows, 3u) << i;
    ASSERT_TRUE(by_rule[i].complete) << "every window answer closes under this schema";
    EXPECT_EQ(by_rule[i].merged_by, "rule");
    EXPECT_EQ(by_rule[i].attempts, by_rule[i].windows);
    // One more decode, on the same window answers (greedy), and its answer kept.
    EXPECT_EQ(by_model[i].windows, by_rule[i].windows);
    EXPECT_EQ(by_model[i].attempts, by_rule[i].windows + 1);
    EXPECT_GT(by_model[i].prompt_tokens, by_rule[i].prompt_tokens);
    EXPECT_EQ(by_model[i].merged_by, "model");
    std::string why;
    EXPECT_TRUE(ValidateJson(schema, json::parse(by_model[i].json), &why)) << why << by_model[i].json;
  }
  // A one-window text is never merged: the same answer, no extra decode.
  ASSERT_TRUE(st_model[2].ok());
  EXPECT_EQ(by_model[2].windows, 1u);
  EXPECT_EQ(by_model[2].merged_by, "");
  EXPECT_EQ(by_model[2].attempts, by_rule[2].attempts);
  EXPECT_EQ(by_model[2].json, by_rule[2].json);
}

// A merge prompt that does not fit the context (every window answer is a string of
// at least 300 characters, ten or more of them, and the context holds 1024 tokens):
// the text keeps exactly the rule's merge, and no decode or token is counted for it.
TEST(ExtractMerge, AMergeThatCannotRunKeepsTheRulesAnswer) {
  GeneratorConfig gc;
  gc.threads = 2;
  gc.max_context = 1024;
  auto opened = Generator::Open(testing::TinyModel("generator"), gc);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::shared_ptr<Generator> generator(std::move(*opened));
  ExtractOptions o;
  o.schema = R"({"type":"object","properties":{"note":{"type":"string","minLength":300,"maxLength":320}},
                 "required":["note"]})";
  o.window_tokens = 64;
  o.max_tokens = 400;
  auto rule = Extractor::Create(generator, o);
  o.model_merge = true;
  auto model = Extractor::Create(generator, o);
  ASSERT_TRUE(rule.ok() && model.ok());
  const std::string text = LongText(40, "renal");
  Extraction by_rule, by_model;
  ASSERT_TRUE((*rule)->Extract(text, &by_rule).ok());
  ASSERT_TRUE((*model)->Extract(text, &by_model).ok());
  ASSERT_GE(by_rule.windows, 10u);
  ASSERT_TRUE(by_rule.complete) << "every window answer closes within 400 tokens";
  EXPECT_EQ(by_model.attempts, by_rule.attempts);
  EXPECT_EQ(by_model.prompt_tokens, by_rule.prompt_tokens);
  EXPECT_EQ(by_model.merged_by, "rule");
  EXPECT_EQ(by_model.json, by_rule.json);
  EXPECT_TRUE(by_model.complete);
}

// A long text merged by the model has its own key; a one-window text, whose answer
// the pass cannot change, keeps the key it had (a rule-merged run's answers are reused).
TEST(ExtractMerge, OnlyALongTextsKeyNamesTheMergePass) {
  ExtractOptions o;
  o.window_tokens = 64;
  auto x = OpenTiny(o);
  ASSERT_NE(x, nullptr);
  const std::string long_text = LongText(12, "statin"), short_text = "Statins lowered LDL cholesterol.";
  ASSERT_TRUE(x->ReadsInWindows(long_text));
  ASSERT_FALSE(x->ReadsInWindows(short_text));
  ExtractOptions merged = o;
  merged.model_merge = true;
  const ExtractionKey long_rule = MakeExtractionKey(*x, o, long_text);
  const ExtractionKey long_model = MakeExtractionKey(*x, merged, long_text);
  EXPECT_NE(long_rule.Hex(), long_model.Hex());
  EXPECT_EQ(long_rule.options.find("merge"), std::string::npos) << long_rule.options;  // keys from before stay
  EXPECT_NE(long_model.options.find(kMergePromptVersion), std::string::npos) << long_model.options;
  EXPECT_EQ(MakeExtractionKey(*x, o, short_text).Hex(), MakeExtractionKey(*x, merged, short_text).Hex());
}

TEST(ExtractMerge, PoolTasksCarryTheMergeChoice) {
  ExtractOptions o;
  o.model_merge = true;
  ExtractOptions back;
  ASSERT_TRUE(ExtractOptionsFromJson(ExtractOptionsJson(o), &back).ok());
  EXPECT_TRUE(back.model_merge);
  ExtractOptions old;  // parameters written before the option existed: merge by the rule
  ASSERT_TRUE(ExtractOptionsFromJson(R"({"max_tokens": 64})", &old).ok());
  EXPECT_FALSE(old.model_merge);
  EXPECT_EQ(old.max_tokens, 64u);
}

/// The JSONL lines `r` printed.
std::vector<json> Lines(const testing::CommandResult& r) {
  std::vector<json> lines;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

TEST(ExtractMergeCli, MergeModelRunsThePassAndSaysSoAndRefusesOtherValues) {
  const fs::path dir = fs::path(testing::TempDir()) / "extract_merge_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "docs.jsonl");
    f << json{{"id", "long"}, {"text", LongText(16, "dialysis")}}.dump() << "\n"
      << R"({"id":"short","text":"Statins lowered LDL cholesterol."})" << "\n";
    // Answers of a few tokens: every window's and the merge's decode closes.
    std::ofstream(dir / "schema.json") << R"({"type":"object","properties":{"blinded":{"type":"boolean"}},"required":["blinded"]})";
  }
  const std::string base = std::string(LITRANK_BINARY) + " extract --model " + testing::TinyModel("generator") +
                           " --docs " + (dir / "docs.jsonl").string() + " --schema " + (dir / "schema.json").string() +
                           " --column text --max-tokens 128 --window-tokens 64 --threads 2";
  testing::CommandResult rule = testing::RunCommand(base + " 2>/dev/null");
  testing::CommandResult model = testing::RunCommand(base + " --merge model 2>/dev/null");
  ASSERT_EQ(rule.exit_code, 0) << rule.output;
  ASSERT_EQ(model.exit_code, 0) << model.output;
  const std::vector<json> by_rule = Lines(rule), lines = Lines(model);
  ASSERT_EQ(by_rule.size(), 2u) << rule.output;
  ASSERT_EQ(lines.size(), 2u) << model.output;
  EXPECT_GE(lines[0]["windows"].get<int>(), 2);
  EXPECT_EQ(by_rule[0]["merged_by"], "rule") << by_rule[0].dump();
  EXPECT_EQ(lines[0]["merged_by"], "model") << lines[0].dump();
  EXPECT_EQ(lines[0]["attempts"].get<int>(), by_rule[0]["attempts"].get<int>() + 1);
  EXPECT_TRUE(lines[0]["extraction"]["blinded"].is_boolean()) << lines[0].dump();
  EXPECT_FALSE(lines[1].contains("merged_by")) << lines[1].dump();
  EXPECT_EQ(lines[1]["attempts"], by_rule[1]["attempts"]);
  testing::CommandResult bad = testing::RunCommand(base + " --merge llm", true);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--merge"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace litrank
