// Screening projects in a collection file: start, next, label, resume after
// kill -9, import, export, status, and the CLI's contract.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "litrank/corpus.h"
#include "litrank/reranker.h"
#include "litrank/screening.h"
#include "process_util.h"
#include "synth_fixture.h"
#include "store_backends.h"

namespace litrank {
namespace {

using testing::TempDir;

std::string FreshDb(const std::string& name) {
  std::string path = TempDir() + "/screen_" + name + ".db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return path;
}

// 40 records; every 8th is about statins and dementia, the rest about other things.
std::vector<Document> Records() {
  std::vector<Document> docs;
  const char* other[] = {"crop yields under drought", "graph neural networks for molecules",
                         "ocean heat content", "battery electrode cracking", "bird migration timing",
                         "urban traffic forecasting", "protein folding kinetics"};
  for (int i = 0; i < 40; ++i) {
    Document d;
    if (i % 8 == 0) {
      d.title = "Statin therapy and dementia risk in cohort " + std::to_string(i);
      d.abstract = "Statins lowered the incidence of dementia and cognitive decline among older adults.";
    } else {
      d.title = std::string(other[i % 7]) + " study " + std::to_string(i);
      d.abstract = "We measured " + std::string(other[(i + 3) % 7]) + " in a sample " + std::to_string(i) + ".";
    }
    d.year = 2000 + i % 20;
    d.doi = "10.1000/rec" + std::to_string(i);
    docs.push_back(d);
  }
  return docs;
}

std::string Collection(const std::string& name, std::vector<Document> docs = Records()) {
  const std::string path = FreshDb(name);
  auto corpus = Corpus::Open(path);
  EXPECT_TRUE(corpus.ok());
  EXPECT_TRUE((*corpus)->Add(docs, nullptr).ok());
  return path;
}

ScreeningSettings Settings() {
  ScreeningSettings s;
  s.question = "statins and dementia";
  s.criteria = "Include cohort studies of statin use and incident dementia";
  return s;
}

bool IsStatinPaper(const ScreenCandidate& c) { return c.doc.doc.title.rfind("Statin", 0) == 0; }

// The project store's tests run on a SQLite file and on a PostgreSQL database.
class ScreenProjectStore : public testing::StoreBackendTest {
 protected:
  std::string FreshDb(const std::string& name) { return FreshCollection("screen_" + name); }
  std::string Collection(const std::string& name, std::vector<Document> docs = Records()) {
    const std::string where = FreshDb(name);
    auto corpus = Corpus::Open(where);
    EXPECT_TRUE(corpus.ok()) << corpus.status().ToString();
    EXPECT_TRUE((*corpus)->Add(docs, nullptr).ok());
    return where;
  }
};
LITRANK_ON_BOTH_BACKENDS(ScreenProjectStore);

TEST_P(ScreenProjectStore, ZeroShotOrderThenLearnsFromLabels) {
  const std::string db = Collection("zero_shot");
  auto project = ScreeningProject::Create(db, "p", Settings(), nullptr);
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  // Before any label: BM25 of the question puts the five statin papers first.
  auto next = (*project)->Next(5);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 5u);
  for (const ScreenCandidate& c : *next) EXPECT_TRUE(IsStatinPaper(c)) << c.doc.doc.title;
  // Label two, one of each class: the next ones are the remaining statin papers.
  ASSERT_TRUE((*project)->Label((*next)[0].rowid, ScreenDecision::kInclude, "test").ok());
  auto other = (*project)->Next(40);
  ASSERT_TRUE(other.ok());
  const ScreenCandidate& last = other->back();
  ASSERT_TRUE((*project)->Label(last.rowid, ScreenDecision::kExclude, "test").ok());
  auto after = (*project)->Next(4);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 4u);
  for (const ScreenCandidate& c : *after) {
    EXPECT_TRUE(IsStatinPaper(c)) << c.doc.doc.title;
    EXPECT_NE(c.rowid, (*next)[0].rowid);  // a labelled record is never shown again
  }
  auto status = (*project)->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->records, 40);
  EXPECT_EQ(status->screened, 2);
  EXPECT_EQ(status->included, 1);
  EXPECT_EQ(status->excluded, 1);
  EXPECT_TRUE(status->model_trained);
  EXPECT_EQ(status->prior, "bm25");
}

TEST_P(ScreenProjectStore, ErrorsAreClear) {
  const std::string db = Collection("errors");
  auto project = ScreeningProject::Create(db, "p", Settings(), nullptr);
  ASSERT_TRUE(project.ok());
  EXPECT_EQ((*project)->Label(999999, ScreenDecision::kInclude, "t").code(), Status::Code::kNotFound);
  auto again = ScreeningProject::Create(db, "p", Settings(), nullptr);
  EXPECT_NE(again.status().message().find("already exists"), std::string::npos) << again.status().ToString();
  auto missing = ScreeningProject::Open(db, "nope");
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("projects: p"), std::string::npos);
  ScreeningSettings no_question;
  EXPECT_EQ(ScreeningProject::Create(db, "q", no_question, nullptr).status().code(),
            Status::Code::kInvalidArgument);
  const std::string empty = FreshDb("empty");
  ASSERT_TRUE(Corpus::Open(empty).ok());
  EXPECT_NE(ScreeningProject::Create(empty, "p", Settings(), nullptr).status().message().find("empty"),
            std::string::npos);
  std::ostringstream out;
  EXPECT_EQ((*project)->Export("xlsx", out).code(), Status::Code::kInvalidArgument);
}

TEST_P(ScreenProjectStore, MaybeIsNeverShownAgainAndDecisionsCanChange) {
  const std::string db = Collection("maybe");
  auto project = ScreeningProject::Create(db, "p", Settings(), nullptr);
  ASSERT_TRUE(project.ok());
  auto first = (*project)->Next(1);
  ASSERT_TRUE(first.ok());
  const int64_t id = (*first)[0].rowid;
  ASSERT_TRUE((*project)->Label(id, ScreenDecision::kMaybe, "t").ok());
  auto all = (*project)->Next(100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 39u);
  for (const ScreenCandidate& c : *all) EXPECT_NE(c.rowid, id);
  ASSERT_TRUE((*project)->Label(id, ScreenDecision::kInclude, "t").ok());
  auto st = (*project)->GetStatus();
  EXPECT_EQ(st->screened, 1);
  EXPECT_EQ(st->included, 1);
  EXPECT_EQ(st->maybe, 0);
}

// Labels are committed before Label returns: a process killed with SIGKILL
// right after acknowledging N labels leaves exactly those N in the file.
TEST(ScreenProject, KillNineLosesNoAcknowledgedLabel) {
  const std::string db = Collection("kill9");
  ASSERT_TRUE(ScreeningProject::Create(db, "p", Settings(), nullptr).ok());
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(acks[0]);
    close(go[1]);
    auto p = ScreeningProject::Open(db, "p");
    if (!p.ok()) _exit(2);
    for (int64_t id = 1; id <= 40; ++id) {
      if (!(*p)->Label(id, id % 2 ? ScreenDecision::kExclude : ScreenDecision::kInclude, "child").ok()) _exit(3);
      char c = 1;
      if (write(acks[1], &c, 1) != 1) _exit(4);
      if (id == 7) {  // wait here until the parent has seen 7 acknowledgements
        if (read(go[0], &c, 1) != 1) _exit(5);
      }
    }
    _exit(0);
  }
  close(acks[1]);
  close(go[0]);
  int seen = 0;
  char c;
  while (seen < 7 && read(acks[0], &c, 1) == 1) ++seen;
  ASSERT_EQ(seen, 7);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  close(go[1]);
  close(acks[0]);
  auto p = ScreeningProject::Open(db, "p");
  ASSERT_TRUE(p.ok());
  auto st = (*p)->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->screened, 7);
  EXPECT_EQ(st->included, 3);  // ids 2, 4, 6
  // Resuming: the next records are the unlabelled ones.
  auto next = (*p)->Next(40);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->size(), 33u);
  for (const ScreenCandidate& cand : *next) EXPECT_GT(cand.rowid, 7);
}

TEST_P(ScreenProjectStore, ImportsLabelsFromRecordsAndFiles) {
  std::vector<Document> docs = Records();
  docs[0].extra_json = R"({"label": 1})";
  docs[1].extra_json = R"({"label": 0})";
  docs[2].extra_json = R"({"label": -1})";
  const std::string db = Collection("import", docs);
  int64_t imported = 0;
  auto project = ScreeningProject::Create(db, "p", Settings(), &imported);
  ASSERT_TRUE(project.ok());
  EXPECT_EQ(imported, 2);
  // An ASReview CSV with labels matched by DOI and by title.
  const std::string csv = TempDir() + "/screen_labels.csv";
  std::ofstream(csv) << "title,doi,label_included\n"
                     << "x,10.1000/rec8,1\n"
                     << "\"Statin therapy and dementia risk in cohort 16\",,1\n"
                     << "not in the collection,10.9999/none,0\n";
  int64_t matched = 0, unmatched = 0;
  ASSERT_TRUE((*project)->ImportLabels(csv, &matched, &unmatched).ok());
  EXPECT_EQ(matched, 2);
  EXPECT_EQ(unmatched, 1);
  EXPECT_EQ((*project)->GetStatus()->included, 3);
  const std::string none = TempDir() + "/screen_nomatch.csv";
  std::ofstream(none) << "title,doi,label_included\nzzz,10.9/zz,1\n";
  Status st = (*project)->ImportLabels(none, &matched, &unmatched);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("matches a record"), std::string::npos);
}

TEST_P(ScreenProjectStore, ExportsReadBackWithTheirDecisions) {
  const std::string db = Collection("export");
  auto project = ScreeningProject::Create(db, "p", Settings(), nullptr);
  ASSERT_TRUE(project.ok());
  ASSERT_TRUE((*project)->Label(1, ScreenDecision::kInclude, "t").ok());
  ASSERT_TRUE((*project)->Label(2, ScreenDecision::kExclude, "t").ok());
  ASSERT_TRUE((*project)->Label(9, ScreenDecision::kInclude, "t").ok());
  for (const char* format : {"csv", "ris"}) {
    const std::string path = TempDir() + "/screen_export." + format;
    {
      std::ofstream out(path, std::ios::binary);
      ASSERT_TRUE((*project)->Export(format, out).ok());
    }
    // The export is a labelled file in its own right: another collection of the
    // same records imports exactly these three decisions from it.
    const std::string other = Collection(std::string("export_into_") + format);
    auto q = ScreeningProject::Create(other, "q", Settings(), nullptr);
    ASSERT_TRUE(q.ok());
    int64_t matched = 0, unmatched = 0;
    ASSERT_TRUE((*q)->ImportLabels(path, &matched, &unmatched).ok()) << format;
    EXPECT_EQ(matched, 3) << format;
    EXPECT_EQ(unmatched, 0) << format;
    auto st = (*q)->GetStatus();
    EXPECT_EQ(st->included, 2) << format;
    EXPECT_EQ(st->excluded, 1) << format;
  }
  std::ostringstream bib;
  ASSERT_TRUE((*project)->Export("bibtex", bib).ok());
  const std::string text = bib.str();
  size_t entries = text.rfind('@', 0) == 0 ? 1 : 0;  // entries start a line
  for (size_t at = text.find("\n@"); at != std::string::npos; at = text.find("\n@", at + 1)) ++entries;
  EXPECT_EQ(entries, 2u);  // the included records only
  EXPECT_NE(text.find("10.1000/rec8"), std::string::npos);
  std::ostringstream csv;
  ASSERT_TRUE((*project)->Export("csv", csv).ok());
  std::string header;
  std::istringstream lines(csv.str());
  std::getline(lines, header);
  EXPECT_EQ(header, "record_id,title,abstract,authors,year,doi,keywords,label_included,decision,screening_order,model_score");
  size_t rows = 0;
  for (std::string line; std::getline(lines, line);) ++rows;
  EXPECT_EQ(rows, 40u);
}

// The zero-shot prior from the (random-weight) reranker: every record scored in
// committed batches; a cancelled run keeps its batches and a rerun scores only
// the rest. Scores are meaningless; the plumbing is what is tested.
TEST_P(ScreenProjectStore, RerankerPriorIsBatchedCancellableAndResumable) {
  const std::string db = Collection("prior");
  auto project = ScreeningProject::Create(db, "p", Settings(), nullptr);
  ASSERT_TRUE(project.ok());
  auto reranker = Reranker::Open(testing::TinyModel("reranker"));
  ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
  size_t committed = 0;  // cancel once the first batch is in the file
  Status st = (*project)->ComputeRerankerPrior(**reranker, 7, [&](size_t d, size_t) { committed = d; },
                                               [&] { return committed >= 7; });
  EXPECT_EQ(st.code(), Status::Code::kCancelled) << st.ToString();
  auto status = (*project)->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->prior, "reranker:" + (*reranker)->fingerprint());
  EXPECT_EQ(status->prior_scored, 7);  // the one committed batch
  // Resume from another object (as a new process would): only 33 are left.
  auto again = ScreeningProject::Open(db, "p");
  ASSERT_TRUE(again.ok());
  std::vector<size_t> done;
  ASSERT_TRUE((*again)->ComputeRerankerPrior(**reranker, 7, [&](size_t d, size_t t) {
    EXPECT_EQ(t, 40u);
    done.push_back(d);
  }, {}).ok());
  ASSERT_FALSE(done.empty());
  EXPECT_EQ(done.front(), 7u);
  EXPECT_EQ(done.back(), 40u);
  EXPECT_EQ(done.size(), 1u + 5u);  // the starting point, then ceil(33 / 7) batches
  EXPECT_EQ((*again)->GetStatus()->prior_scored, 40);
  // The ranking now follows the reranker's scores: the first record shown is
  // the one it scores highest for the question.
  auto next = (*again)->Next(1);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  std::vector<std::string> texts;
  for (const Document& d : Records()) texts.push_back(SearchText(d));
  RerankResult direct;
  RerankOptions options;
  options.instruction = Settings().criteria;
  ASSERT_TRUE((*reranker)->Rerank(Settings().question, texts, options, &direct).ok());
  EXPECT_EQ(next->front().doc.doc.title, Records()[direct.results.front().index].title);
}

// Screening decisions must not hinge on what shared a decode round with a record
// (a resumed prior is cut into other batches): with the batch-invariant engine (the
// default of `screen start|prior`), the prior scored in one packed batch of 40 is
// bit-identical to each record scored alone, from an empty cache, in batches of 7.
TEST(ScreenProject, BatchInvariantPriorIsTheSameWhateverTheBatches) {
  const std::string db = Collection("prior-invariant");
  RerankerConfig alone, packed;
  alone.batch_invariant = packed.batch_invariant = true;
  alone.packing = false;
  const RerankerConfig configs[2] = {alone, packed};
  const size_t batches[2] = {7, 40};
  std::map<int64_t, double> by_run[2];
  for (int run = 0; run < 2; ++run) {
    auto reranker = Reranker::Open(testing::TinyModel("reranker"), configs[run]);
    ASSERT_TRUE(reranker.ok()) << reranker.status().ToString();
    auto project = ScreeningProject::Create(db, "p" + std::to_string(run), Settings(), nullptr);
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    ASSERT_TRUE((*project)->ComputeRerankerPrior(**reranker, batches[run], {}, {}).ok());
    auto all = (*project)->Next(40);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 40u);
    for (const ScreenCandidate& c : *all) by_run[run][c.rowid] = c.score;
  }
  for (const auto& [rowid, score] : by_run[0]) {
    ASSERT_EQ(by_run[1].count(rowid), 1u);
    EXPECT_EQ(score, by_run[1][rowid]) << "record " << rowid;
  }
}

std::string Litrank() { return LITRANK_BINARY; }

TEST(ScreenCli, SimulateWritesTheContractJson) {
  const std::string file = TempDir() + "/screen_sim.jsonl";
  {
    std::ofstream out(file);
    for (const Document& d : Records()) {
      const bool inc = d.title.rfind("Statin", 0) == 0;
      out << R"({"title":")" << d.title << R"(","abstract":")" << d.abstract << R"(","label_included":")"
          << (inc ? 1 : 0) << "\"}\n";
    }
  }
  const std::string json = TempDir() + "/screen_sim.json";
  const std::string svg = TempDir() + "/screen_sim.svg";
  auto r = testing::RunCommand(Litrank() + " screen simulate " + file + " --seeds 2 --json " + json + " --plot " +
                                   svg + " --no-progress",
                               true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(json);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  for (const char* key : {"\"wss95\"", "\"rrf10\"", "\"screened_at_95\"", "\"records\": 40", "\"included\": 5"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
  }
  std::ifstream plot(svg);
  std::string first;
  std::getline(plot, first);
  EXPECT_EQ(first.rfind("<svg", 0), 0u);

  const std::string no_inc = TempDir() + "/screen_noinc.csv";
  std::ofstream(no_inc) << "title,abstract,label_included\na,b,0\nc,d,0\n";
  r = testing::RunCommand(Litrank() + " screen simulate " + no_inc + " --json /dev/null", true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("no included record"), std::string::npos) << r.output;
  const std::string no_col = TempDir() + "/screen_nocol.csv";
  std::ofstream(no_col) << "title,abstract\na,b\nc,d\n";
  r = testing::RunCommand(Litrank() + " screen simulate " + no_col + " --json /dev/null", true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("carries a label"), std::string::npos) << r.output;
}

TEST(ScreenCli, StartNextLabelStatusExport) {
  const std::string db = Collection("cli");
  const std::string b = Litrank() + " screen ";
  auto r = testing::RunCommand(b + "start --db " + db + " -q 'statins and dementia'", true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = testing::RunCommand(b + "next --db " + db + " --json -n 1", true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Statin"), std::string::npos) << r.output;
  r = testing::RunCommand(b + "label --db " + db + " 1 include", true);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = testing::RunCommand(b + "label --db " + db + " 1 perhaps", true);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = testing::RunCommand(b + "label --db " + db + " 4242 include", true);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("4242"), std::string::npos) << r.output;
  r = testing::RunCommand(b + "status --db " + db + " --json", true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"included\": 1"), std::string::npos) << r.output;
  r = testing::RunCommand(b + "export --db " + db + " -f bibtex", true);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("@misc{"), std::string::npos) << r.output;  // no venue: @misc
}

}  // namespace
}  // namespace litrank
