// Crash safety: `litrank ingest` killed with SIGKILL mid-ingest loses no
// committed document, leaves a sound file, and the next run resumes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "litrank/corpus.h"
#include "process_util.h"
#include "store/sql.h"
#include "synth_fixture.h"

namespace litrank {
namespace {

TEST(CrashSafetyTest, KillNineMidIngestLosesNothingCommittedAndResumes) {
  const std::string dir = testing::TempDir();
  const std::string input = dir + "/crash-input.jsonl";
  const std::string db = dir + "/crash.db";
  std::remove(db.c_str());
  constexpr int kRecords = 30000;
  {
    std::ofstream out(input);
    for (int i = 0; i < kRecords; ++i) {
      out << R"({"id": "r)" << i << R"(", "title": "Record number )" << i
          << R"( about lithium batteries", "abstract": "Synthetic abstract )" << i
          << R"( with enough words to take some time to index and store.", "year": )" << 1990 + i % 30 << "}\n";
    }
  }
  // The ingest's test gate holds it after its first committed batch: it is certainly
  // still running (no race with how fast it is). Released, it goes on writing the
  // next batch, and is killed at once, in the middle of its work.
  std::remove((dir + "/crash-gate.ready").c_str());
  std::remove((dir + "/crash-gate.go").c_str());
  testing::CliGate gate(dir + "/crash-gate");
  const int64_t seen = 100;
  {
    testing::ChildProcess ingest({"/usr/bin/env", "LITRANK_TEST_INGEST_GATE=" + gate.prefix(), LITRANK_BINARY, "ingest",
                                  "--db", db, "--batch", "100", "--no-progress", input});
    ASSERT_TRUE(gate.WaitReady(ingest)) << "ingest did not commit a batch";
    ASSERT_TRUE(ingest.running());
    gate.Release();
    ingest.Signal(SIGKILL);
  }
  int64_t committed = 0;
  {
    auto raw = sql::Db::Open(db, false);
    ASSERT_TRUE(raw.ok());
    sql::Stmt check(*raw, "PRAGMA integrity_check");
    ASSERT_TRUE(check.Step());
    EXPECT_EQ(check.Text(0), "ok");
    auto c = Corpus::Open(db, false);
    ASSERT_TRUE(c.ok());
    committed = *(*c)->Count();
    EXPECT_GE(committed, seen);          // nothing committed was lost
    EXPECT_LT(committed, kRecords);      // it really was interrupted
    EXPECT_EQ(committed % 100, 0);       // batches are all-or-nothing
    auto job = (*c)->GetJob(std::filesystem::absolute(input).lexically_normal().string());
    ASSERT_TRUE(job.ok() && job->has_value());
    EXPECT_EQ((*job)->records_done, committed);
    EXPECT_FALSE((*job)->finished);
  }
  auto rerun = testing::RunCommand(std::string(LITRANK_BINARY) + " ingest --no-progress --db " + db + " " + input);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("resumed after record " + std::to_string(committed)), std::string::npos) << rerun.output;
  auto c = Corpus::Open(db, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*(*c)->Count(), kRecords);
  // Re-ingesting the same file again changes nothing.
  auto again = testing::RunCommand(std::string(LITRANK_BINARY) + " ingest --no-progress --db " + db + " " + input);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 added, 0 updated, " + std::to_string(kRecords) + " unchanged"), std::string::npos)
      << again.output;
}

}  // namespace
}  // namespace litrank
