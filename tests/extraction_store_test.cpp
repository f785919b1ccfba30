// Extractions kept in the collection: a repeated run decodes nothing and gives
// the same answers, any change to the key decodes again, search shows the
// stored answers, and the store refuses rows it has no document for.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "litrank/corpus.h"
#include "litrank/extract.h"
#include "process_util.h"
#include "synth_fixture.h"
#include "store_backends.h"

namespace litrank {
namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> Lines(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(ExtractionKeyTest, EveryPartChangesTheKey) {
  ExtractionKey k{"model", "schema", "extract-v1", "text", "lang=;max_tokens=1024"};
  const std::string base = k.Hex();
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(ExtractionKey(k).Hex(), base);
  for (std::string ExtractionKey::*field : {&ExtractionKey::model, &ExtractionKey::schema_hash,
                                            &ExtractionKey::prompt_version, &ExtractionKey::text_hash,
                                            &ExtractionKey::options}) {
    ExtractionKey changed = k;
    changed.*field += "x";
    EXPECT_NE(changed.Hex(), base);
  }
  // Fields are length-prefixed: moving a character between fields changes the key.
  ExtractionKey shifted{"mode", "lschema", "extract-v1", "text", "lang=;max_tokens=1024"};
  EXPECT_NE(shifted.Hex(), base);
}

// The extraction store runs on a SQLite file and on a PostgreSQL database.
class ExtractionStoreTest : public testing::StoreBackendTest {};
LITRANK_ON_BOTH_BACKENDS(ExtractionStoreTest);

TEST_P(ExtractionStoreTest, PutGetLatestAndUnknownRows) {
  const std::string db = FreshCollection("extraction_store");
  {
    auto corpus = Corpus::Open(db);
    ASSERT_TRUE(corpus.ok());
    Document d;
    d.id = "a";
    d.abstract = "A study of statins.";
    std::vector<AddOutcome> outcomes;
    ASSERT_TRUE((*corpus)->Add({d}, &outcomes).ok());
  }
  auto store = ExtractionStore::Open(db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const ExtractionKey k1{"m", "s", "v", "t", "o"}, k2{"m", "s", "v", "t2", "o"};
  StatusOr<std::optional<StoredExtraction>> none = (*store)->Get(1, k1);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Extraction e;
  e.json = R"({"problem":"p"})";
  e.complete = false;
  ASSERT_TRUE((*store)->Put(1, k1, e).ok());
  StatusOr<std::optional<StoredExtraction>> hit = (*store)->Get(1, k1);
  ASSERT_TRUE(hit.ok() && hit->has_value());
  EXPECT_EQ((*hit)->json, e.json);
  EXPECT_FALSE((*hit)->complete);
  EXPECT_EQ((*hit)->model, "m");
  EXPECT_FALSE((*store)->Get(1, k2)->has_value());
  EXPECT_EQ((*store)->Put(99, k1, e).code(), Status::Code::kNotFound);
  std::vector<StoredExtraction> latest;
  ASSERT_TRUE((*store)->Latest({1, 99}, &latest).ok());
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].rowid, 1);
  EXPECT_FALSE(ExtractionStore::Open(testing::TempDir() + "/no-such-collection.db").ok());
}

TEST(ExtractCliStore, ARepeatedRunDecodesNothingAndSearchShowsTheAnswers) {
  const fs::path dir = fs::path(::testing::TempDir()) / "extract_store_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "docs.jsonl");
    f << R"({"id": "a", "title": "Statins and dementia", "abstract": "A cohort of older adults taking statins."})" "\n"
      << R"({"id": "b", "title": "Battery anodes", "abstract": "Silicon anodes lose capacity when charged fast."})" "\n";
  }
  const std::string bin = LITRANK_BINARY;
  const std::string db = (dir / "c.db").string();
  ASSERT_EQ(testing::RunCommand(bin + " ingest --db " + db + " " + (dir / "docs.jsonl").string(), true).exit_code, 0);
  const std::string base = bin + " extract -m " + testing::TinyModel("generator") + " --db " + db + " --max-tokens 48";
  testing::CommandResult first = testing::RunCommand(base + " -o " + (dir / "1.jsonl").string(), true);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  testing::CommandResult second = testing::RunCommand(base + " -o " + (dir / "2.jsonl").string(), true);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find(" 0 tokens generated"), std::string::npos) << second.output;
  const auto a = Lines(dir / "1.jsonl"), b = Lines(dir / "2.jsonl");
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_FALSE(a[i]["stored"].get<bool>());
    EXPECT_TRUE(b[i]["stored"].get<bool>());
    EXPECT_EQ(a[i]["extraction"], b[i]["extraction"]);
    EXPECT_EQ(a[i]["complete"], b[i]["complete"]);
  }
  // Another token limit is another key: decoded again.
  testing::CommandResult other = testing::RunCommand(base + "0 -o " + (dir / "3.jsonl").string(), true);
  ASSERT_EQ(other.exit_code, 0) << other.output;
  ASSERT_EQ(Lines(dir / "3.jsonl").size(), 2u);
  for (const auto& line : Lines(dir / "3.jsonl")) EXPECT_FALSE(line["stored"].get<bool>());
  // --no-store neither reads (the stored answers exist) nor writes (a later
  // run with the same key still decodes).
  const std::string fresh = bin + " extract -m " + testing::TinyModel("generator") + " --db " + db + " --max-tokens 40";
  testing::CommandResult bypass = testing::RunCommand(base + " --no-store -o " + (dir / "4.jsonl").string(), true);
  ASSERT_EQ(bypass.exit_code, 0) << bypass.output;
  ASSERT_EQ(Lines(dir / "4.jsonl").size(), 2u);
  for (const auto& line : Lines(dir / "4.jsonl")) EXPECT_FALSE(line["stored"].get<bool>());
  ASSERT_EQ(testing::RunCommand(fresh + " --no-store -o " + (dir / "5.jsonl").string(), true).exit_code, 0);
  ASSERT_EQ(testing::RunCommand(fresh + " -o " + (dir / "6.jsonl").string(), true).exit_code, 0);
  ASSERT_EQ(Lines(dir / "6.jsonl").size(), 2u);
  for (const auto& line : Lines(dir / "6.jsonl")) EXPECT_FALSE(line["stored"].get<bool>());

  testing::CommandResult found = testing::RunCommand(
      bin + " search --db " + db + " statins --no-dense --no-rerank --with-extractions -f json");
  ASSERT_EQ(found.exit_code, 0) << found.output;
  const nlohmann::json j = nlohmann::json::parse(found.output);
  ASSERT_FALSE(j["results"].empty());
  for (const auto& r : j["results"]) {
    ASSERT_TRUE(r["extraction"].is_object()) << r.dump();
    EXPECT_TRUE(r["extraction"].contains("problem"));
  }
  // Without the flag the field is absent.
  testing::CommandResult plain = testing::RunCommand(bin + " search --db " + db + " statins --no-dense --no-rerank -f json");
  EXPECT_FALSE(nlohmann::json::parse(plain.output)["results"][0].contains("extraction"));
}

}  // namespace
}  // namespace litrank
