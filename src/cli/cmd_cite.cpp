// `litrank cite`: the references a draft paragraph should cite, per sentence.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/search_models.h"
#include "ingest/record_writer.h"
#include "litrank/cite.h"
#include "litrank/corpus.h"
#include "report/json_views.h"
#include "util/text_file.h"
#include "util/utf8.h"

namespace litrank::cli {
namespace {

constexpr size_t kMaxDraftBytes = size_t{1} << 20;
/// The reranker's question when the user gives none: does this paper back the sentence?
constexpr const char* kCiteInstruction =
    "Given a sentence from a scientific paper, retrieve the publication that supports the claim it makes";

struct CiteArgs {
  std::string db, draft_file, text, format = "table", bibtex, ris;
  double threshold = -1;
  SearchModelArgs models;
  CiteOptions options;
};

std::string Clip(const std::string& s, size_t bytes) {
  std::string out = s.substr(0, Utf8SafePrefix(s, bytes));
  for (char& c : out) if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return out.size() < s.size() ? out + "…" : out;
}

void PrintTable(const CitationReport& r) {
  for (size_t i = 0; i < r.sentences.size(); ++i) {
    const CitedSentence& s = r.sentences[i];
    std::printf("[%zu] %s\n", i + 1, Clip(s.text, 160).c_str());
    if (!s.searched) std::printf("      (too short to search)\n");
    else if (s.citations.empty()) std::printf("      (nothing found)\n");
    for (const SentenceCitation& c : s.citations) {
      const Document& d = c.document.doc;
      std::printf("      %.4f  %-5s  %s\n", c.score, d.year ? std::to_string(d.year).c_str() : "",
                  Clip(d.title.empty() ? d.abstract : d.title, 100).c_str());
    }
  }
}

Status WriteExports(const CiteArgs& a, const CitationReport& r) {
  if (!a.bibtex.empty()) {
    std::ostringstream out;
    std::set<std::string> used;
    for (const SuggestedReference& ref : r.references) {
      const std::string base = BibtexKey(ref.document.doc, ref.document.rowid);
      std::string key = base;
      for (char suffix = 'a'; used.count(key) && suffix <= 'z'; ++suffix) key = base + suffix;
      if (used.count(key)) key = base + "_" + std::to_string(ref.document.rowid);
      used.insert(key);
      WriteBibtexEntry(ref.document.doc, key, out);
    }
    LITRANK_RETURN_IF_ERROR(WriteTextFile(a.bibtex, out.str()));
  }
  if (!a.ris.empty()) {
    std::ostringstream out;
    for (const SuggestedReference& ref : r.references) {
      std::string supports = "litrank cite: supports sentence";
      supports += ref.sentences.size() > 1 ? "s" : "";
      for (size_t i : ref.sentences) supports += " " + std::to_string(i + 1);
      WriteRisRecord(ref.document.doc, {supports}, out);
    }
    LITRANK_RETURN_IF_ERROR(WriteTextFile(a.ris, out.str()));
  }
  return Status::Ok();
}

int Run(CiteArgs& a) {
  if (a.text.empty() && a.draft_file.empty()) {
    return Fail(Status::InvalidArgument("no draft: give a file (or - for stdin) or --text"));
  }
  if (!a.text.empty() && !a.draft_file.empty()) {
    return Fail(Status::InvalidArgument("give the draft as a file or with --text, not both"));
  }
  std::string draft = a.text;
  if (!a.draft_file.empty()) {
    if (Status st = ReadTextFile(a.draft_file, kMaxDraftBytes, &draft); !st.ok()) return Fail(st);
  } else if (draft.size() > kMaxDraftBytes) {
    return Fail(Status::InvalidArgument("the draft is over 1 MiB"));
  }
  CiteOptions& o = a.options;
  // A bad draft fails before the collection is opened or a model loaded.
  if (Status st = CheckDraft(draft, o); !st.ok()) return Fail(st);
  auto corpus = Corpus::Open(a.db.empty() ? DefaultDbPath() : a.db, /*create=*/false);
  if (!corpus.ok()) return Fail(corpus.status());
  std::unique_ptr<Reranker> reranker;
  std::unique_ptr<Embedder> embedder;
  if (int rc = OpenSearchModels(a.models, &reranker, &embedder); rc != kExitOk) return rc;
  o.search.dense = !a.models.no_dense;
  o.search.rerank = !a.models.no_rerank;
  if (o.search.instruction.empty()) o.search.instruction = kCiteInstruction;
  if (a.threshold >= 0) o.search.threshold = a.threshold;
  auto searcher = Searcher::Create(corpus->get(), reranker.get(), embedder.get());
  if (!searcher.ok()) return Fail(searcher.status());
  StatusOr<CitationReport> r = SuggestCitations(searcher->get(), draft, o);
  if (!r.ok()) return Fail(r.status());
  for (const std::string& note : r->notes) std::fprintf(stderr, "litrank: note: %s\n", note.c_str());
  if (Status st = WriteExports(a, *r); !st.ok()) return Fail(st);
  if (a.format == "json") {
    std::printf("%s\n", report::CitationReportJson(*r).dump(2).c_str());
  } else {
    PrintTable(*r);
    std::fprintf(stderr, "%zu sentences, %zu references suggested\n", r->sentences.size(), r->references.size());
  }
  return kExitOk;
}

}  // namespace

void AddCiteCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<CiteArgs>();
  CiteOptions& o = a->options;
  auto* cmd = app.add_subcommand("cite",
      "Suggest citations for a draft paragraph or abstract: each sentence is searched in the collection\n"
      "(BM25 + dense recall, fusion, the reranker when given); the references it should cite, with scores.");
  cmd->add_option("draft", a->draft_file, "Draft text file, or - for stdin");
  cmd->add_option("--text", a->text, "The draft itself, instead of a file");
  cmd->add_option("--db", a->db, "Collection: a file, or postgresql://USER@HOST:PORT/DB (default: $LITRANK_DB or ./litrank.db)");
  AddSearchModelOptions(cmd, &a->models);
  cmd->add_option("-i,--instruction", o.search.instruction, "Reranker instruction (default: a claim-support one)");
  cmd->add_option("-n,--per-sentence", o.per_sentence, "References per sentence")->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("-t,--threshold", a->threshold, "Drop references whose final score is below T (use with -r)");
  cmd->add_option("--min-words", o.min_words, "Sentences with fewer words are not searched")->capture_default_str();
  cmd->add_option("--year-from", o.search.filter.year_min, "Only references from this year on");
  cmd->add_option("--year-to", o.search.filter.year_max, "Only references up to this year");
  cmd->add_option("--bibtex", a->bibtex, "Write the suggested references as BibTeX");
  cmd->add_option("--ris", a->ris, "Write the suggested references as RIS (N1: the sentences they support)");
  cmd->add_option("-f,--format", a->format, "table | json")->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->footer("\nExamples:\n"
              "  litrank cite draft.txt --db papers.db -r reranker.gguf --bibtex cite.bib\n"
              "  echo \"Statins lower LDL cholesterol in older adults.\" | litrank cite - --db papers.db -f json\n");
  cmd->callback([a, exit_code] { *exit_code = Run(*a); });
}

}  // namespace litrank::cli
