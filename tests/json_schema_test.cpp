// The schema subset of extraction: what is accepted, what is refused and where, the
// validator's verdicts on hand-written answers, minimal answers, the tightened retry
// schema, llama.cpp's grammar from it, and the rule that merges windows' answers.
#include <gtest/gtest.h>

#include "extract/json_schema.h"
#include "extract/merge_answers.h"
#include "litrank/extract.h"

namespace litrank {
namespace {

using nlohmann::json;

OrderedJson Schema(const char* text) { return OrderedJson::parse(text); }

void ExpectRefused(const std::string& schema_text, const std::string& words) {
  const Status st = CheckExtractionSchema(schema_text);
  ASSERT_FALSE(st.ok()) << schema_text;
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find(words), std::string::npos) << st.ToString();
}

TEST(JsonSchema, BuiltInSchemaIsAcceptedAndCompilesToAGrammar) {
  const OrderedJson s = BuiltInExtractionSchema();
  ASSERT_TRUE(CheckSchema(s).ok()) << CheckSchema(s).ToString();
  EXPECT_EQ(s["required"], OrderedJson::parse(R"(["problem","method","results","data_contribution"])"));
  StatusOr<std::string> g = SchemaGrammar(s);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_NE(g->find("root ::="), std::string::npos);
  EXPECT_NE(g->find("problem"), std::string::npos);
  EXPECT_TRUE(CheckExtractionSchema(BuiltInSchemaJson()).ok());
}

TEST(JsonSchema, UnsupportedSchemasAreRefusedSayingWhatAndWhere) {
  ExpectRefused("{not json", "not valid JSON");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"string","pattern":"^x"}}})",
                "/properties/a: unsupported keyword \"pattern\"");
  ExpectRefused(R"({"type":"object","properties":{"a":{"$ref":"#/defs/x"}}})", "unsupported keyword \"$ref\"");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":["string","null"]}}})", "lists of types");
  ExpectRefused(R"({"type":"array","items":{"type":"string"}})", "root must be an object");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"string"}},"required":["b"]})", "\"b\"");
  ExpectRefused(R"({"type":"object","additionalProperties":true})", "additionalProperties");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"array"}}})", "needs \"items\"");
  ExpectRefused(R"({"type":"object","properties":{"a":{}}})", "needs a \"type\"");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"string","minLength":5,"maxLength":2}}})",
                "minLength is above maxLength");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"string","maxLength":-1}}})", "maxLength");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"text"}}})", "unknown type \"text\"");
  // Hostile nesting: the text is refused past 64 brackets before any parse; a parsed
  // schema past 32 levels of schemas with an error, not a stack overflow.
  std::string deep = R"({"type":"object","properties":{"a":)";
  for (int i = 0; i < 40; ++i) deep += R"({"type":"object","properties":{"a":)";
  deep += R"({"type":"string"})";
  for (int i = 0; i < 41; ++i) deep += "}}";
  ExpectRefused(deep, "nests deeper than 64 levels");
  const Status nested = CheckSchema(OrderedJson::parse(deep));
  EXPECT_NE(nested.message().find("nested more than 32 levels"), std::string::npos) << nested.ToString();
  // Bounds llama.cpp's grammar cannot hold, or that no answer (not even the empty
  // one a cut-off extraction gets) can meet, are refused up front.
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"string","minLength":2001}}})", "0 to 2000");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"string","enum":[1]}}})", "not of type string");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"integer","const":"x"}}})", "not of type integer");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"number","minimum":3,"maximum":1}}})",
                "minimum is above maximum");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"integer","minimum":0.5,"maximum":0.9}},"required":["a"]})",
                "no answer can satisfy");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"number","minimum":1e300}}})", "2^53");
  ExpectRefused(R"({"type":"object","properties":{"a":{"type":"string","description":["x"]}}})",
                "\"description\" must be a string");
  // Deep nesting inside an annotation (not walked as a schema) is refused by depth.
  std::string deep_default = R"({"type":"object","default":)";
  deep_default += std::string(100000, '[') + std::string(100000, ']') + "}";
  ExpectRefused(deep_default, "nests deeper than 64");
  // A JSON pointer escapes '/' and '~' in property names.
  ExpectRefused(R"({"type":"object","properties":{"a/b~":{"type":"string","format":"date"}}})",
                "/properties/a~1b~0: unsupported keyword \"format\"");
}

TEST(JsonSchema, ValidatorJudgesHandWrittenAnswers) {
  const OrderedJson s = Schema(R"({"type":"object","properties":{
      "title":{"type":"string","maxLength":3},
      "tags":{"type":"array","items":{"type":"string"},"maxItems":2},
      "kind":{"enum":["trial","review"]},
      "n":{"type":"integer","minimum":1},
      "open":{"type":"boolean"}},
    "required":["title","kind"]})");
  ASSERT_TRUE(CheckSchema(s).ok());
  std::string why;
  EXPECT_TRUE(ValidateJson(s, json::parse(R"({"title":"锂电池","kind":"trial","n":12,"open":true,"tags":["a"]})"), &why)) << why;
  struct Case {
    const char* answer;
    const char* why;
  };
  const Case bad[] = {
      {R"({"kind":"trial"})", "missing \"title\""},
      {R"({"title":"abcd","kind":"trial"})", "/title: longer than maxLength"},  // 4 code points
      {R"({"title":"锂电池x","kind":"trial"})", "/title: longer than maxLength"},
      {R"({"title":"a","kind":"essay"})", "/kind: not one of the enum values"},
      {R"({"title":"a","kind":"trial","extra":1})", "unexpected property \"extra\""},
      {R"({"title":"a","kind":"trial","tags":["x","y","z"]})", "/tags: more items than maxItems"},
      {R"({"title":"a","kind":"trial","tags":[1]})", "/tags/0: not a string"},
      {R"({"title":"a","kind":"trial","n":0})", "/n: below minimum"},
      {R"({"title":"a","kind":"trial","n":1.5})", "/n: not an integer"},
      {R"({"title":"a","kind":"trial","open":"yes"})", "/open: not true or false"},
      {R"(["title"])", "not an object"},
  };
  for (const Case& c : bad) {
    why.clear();
    EXPECT_FALSE(ValidateJson(s, json::parse(c.answer), &why)) << c.answer;
    EXPECT_NE(why.find(c.why), std::string::npos) << c.answer << " -> " << why;
  }
}

TEST(JsonSchema, MinimalAnswersAndTheTightenedRetrySchema) {
  const OrderedJson s = BuiltInExtractionSchema();
  const json minimal = MinimalInstance(s);
  EXPECT_EQ(minimal, json::parse(R"({"problem":"","method":"","results":[],"data_contribution":""})"));
  std::string why;
  EXPECT_TRUE(ValidateJson(s, minimal, &why)) << why;
  const OrderedJson bounded = Schema(R"({"type":"object","properties":{
      "k":{"type":"string","minLength":2},"n":{"type":"integer","minimum":3},
      "l":{"type":"array","items":{"type":"boolean"},"minItems":1},"e":{"enum":["x","y"]}},
    "required":["k","n","l","e"]})");
  EXPECT_EQ(MinimalInstance(bounded), json::parse(R"({"k":"--","n":3,"l":[false],"e":"x"})"));

  // The retry: lengths divided by four, optional fields dropped; what fits it fits the original.
  const OrderedJson t = TightenSchema(s, 4, 400, true);
  EXPECT_EQ(t["properties"]["problem"]["maxLength"], 100);
  EXPECT_EQ(t["properties"]["results"]["maxItems"], 1);
  EXPECT_EQ(t["properties"]["results"]["items"]["maxLength"], 75);
  EXPECT_FALSE(t["properties"].contains("datasets"));
  EXPECT_TRUE(CheckSchema(t).ok());
  const json fits_tight = json::parse(R"({"problem":"p","method":"m","results":["r"],"data_contribution":""})");
  EXPECT_TRUE(ValidateJson(t, fits_tight, &why)) << why;
  EXPECT_TRUE(ValidateJson(s, fits_tight, &why)) << why;
  // A string without a bound gets the default first; minimums are kept.
  const OrderedJson u = TightenSchema(Schema(R"({"type":"string","minLength":50})"), 4, 400, true);
  EXPECT_EQ(u["maxLength"], 100);
  EXPECT_EQ(TightenSchema(Schema(R"({"type":"string","minLength":50,"maxLength":60})"), 4, 400, true)["maxLength"], 50);
  // Never looser than the original: a bound of 0 stays 0; a list without maxItems
  // keeps room for its minItems.
  EXPECT_EQ(TightenSchema(Schema(R"({"type":"string","maxLength":0})"), 4, 400, true)["maxLength"], 0);
  EXPECT_EQ(TightenSchema(Schema(R"({"type":"array","items":{"type":"string"},"maxItems":0})"), 4, 400, true)["maxItems"], 0);
  EXPECT_EQ(TightenSchema(Schema(R"({"type":"array","items":{"type":"string"},"minItems":10})"), 4, 400, true)["maxItems"], 10);
}

TEST(MergeAnswers, JoinsStringsConcatenatesListsAndKeepsTheFirstOfTheRest) {
  const OrderedJson s = Schema(R"({"type":"object","properties":{
      "problem":{"type":"string","maxLength":12},
      "results":{"type":"array","items":{"type":"string"},"maxItems":3},
      "kind":{"enum":["trial","review"]},
      "n":{"type":"integer"}},
    "required":["problem","results"]})");
  const std::vector<json> windows = {
      json::parse(R"({"problem":"Low yield","results":["a","b"],"kind":"review"})"),
      json::parse(R"({"problem":"","results":["b","c","d"],"n":7})"),
      json::parse(R"({"problem":"Low yield","results":[],"kind":"trial","n":9})"),
      json::parse(R"({"problem":"in drought","results":["e"]})")};
  const json merged = MergeAnswers(s, windows);
  // "Low yield" once, "" skipped, then " in drought", cut to 12 code points.
  EXPECT_EQ(merged["problem"], "Low yield in");
  EXPECT_EQ(merged["results"], json::parse(R"(["a","b","c"])"));  // no repeat, maxItems 3
  EXPECT_EQ(merged["kind"], "review");
  EXPECT_EQ(merged["n"], 7);
  std::string why;
  EXPECT_TRUE(ValidateJson(s, merged, &why)) << why;
  // One window: its answer as it is; Chinese is cut by code points, not bytes.
  EXPECT_EQ(MergeAnswers(s, {windows[1]}), windows[1]);
  const json zh = MergeAnswers(Schema(R"({"type":"string","maxLength":4})"), {json("锂电池容量"), json("下降")});
  EXPECT_EQ(zh, "锂电池容");
}

}  // namespace
}  // namespace litrank
