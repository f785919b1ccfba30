// `litrank bench vectors`: the persisted HNSW index at scale, through the real
// store: synthetic clustered embeddings stored in batches as ingest stores them
// (PutEmbeddings, then the write path's MaintainVectorSnapshot), then the
// search-side open, latency and recall@10 against the exact scan, the file size,
// and the bytes each incremental batch writes. Prints a summary and writes JSON
// under bench/results/.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench_support.h"
#include "cli/cli_common.h"
#include "litrank/corpus.h"
#include "search/vector_persistence.h"
#include "vector/synthetic_vectors.h"
#include "vector/vector_index.h"

namespace litrank::cli {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct VectorBenchArgs {
  size_t vectors = 300000, batch = 10000, queries = 200, increment = 1000;
  uint32_t dims = 1024;
  SnapshotPolicy policy;
  std::vector<size_t> ef_search = {0};  ///< the first is the reported one; 0 = the default (AutoEfSearch)
  std::string work_dir = ".cache/bench-vectors", out_dir = "bench/results";
};

const char* const kModel = "bench-synthetic-embedder";

uint64_t FileBytes(const std::string& path) {
  std::error_code ec;
  uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto size = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += size;
  }
  return total;
}

// Stores vectors [from, to) of `all` as the embeddings of documents from+1..to,
// then runs the write path's snapshot upkeep; fills one batch record.
Status StoreBatch(Corpus& corpus, const VectorBenchArgs& a, const std::vector<float>& all, size_t from, size_t to,
                  nlohmann::json* record) {
  std::vector<int64_t> rowids;
  for (size_t i = from; i < to; ++i) rowids.push_back(static_cast<int64_t>(i + 1));
  const std::vector<float> vectors(all.begin() + from * a.dims, all.begin() + to * a.dims);
  const uint64_t b0 = corpus.BytesWritten();
  const auto t0 = Clock::now();
  LITRANK_RETURN_IF_ERROR(corpus.PutEmbeddings(kModel, a.dims, rowids, vectors));
  const double put_s = Since(t0);
  const uint64_t b1 = corpus.BytesWritten();
  const auto t1 = Clock::now();
  bool written = false;
  LITRANK_RETURN_IF_ERROR(MaintainVectorSnapshot(corpus, kModel, a.dims, a.policy, &written));
  const double maintain_s = Since(t1);
  const uint64_t b2 = corpus.BytesWritten();
  *record = {{"vectors_after", to}, {"batch", to - from}, {"put_seconds", put_s}, {"put_bytes_written", b1 - b0},
             {"snapshot_written", written}, {"maintain_seconds", maintain_s}, {"maintain_bytes_written", b2 - b1}};
  return Status::Ok();
}

Status Run(const VectorBenchArgs& a, nlohmann::json* out) {
  const size_t n = a.vectors, nq = a.queries, total = a.vectors + a.increment;
  std::filesystem::create_directories(a.work_dir);
  const std::string db_path = a.work_dir + "/vectors.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  std::printf("generating %zu + %zu queries synthetic %u-d vectors\n", total, nq, a.dims);
  std::fflush(stdout);
  const std::vector<float> all = SyntheticEmbeddings(total + nq, a.dims, 1000, 5);
  auto corpus = Corpus::Open(db_path);
  if (!corpus.ok()) return corpus.status();
  Corpus& c = **corpus;
  // The documents the embeddings belong to (titles only: this measures vectors).
  auto t = Clock::now();
  for (size_t i = 0; i < total; i += 10000) {
    std::vector<Document> docs;
    for (size_t j = i; j < std::min(total, i + 10000); ++j) {
      Document d;
      d.title = "synthetic vector document " + std::to_string(j + 1);
      docs.push_back(std::move(d));
    }
    LITRANK_RETURN_IF_ERROR(c.Add(docs, nullptr));
  }
  const double docs_s = Since(t);
  // Ingest: batches through PutEmbeddings and the snapshot upkeep.
  nlohmann::json batches = nlohmann::json::array();
  double put_s = 0, maintain_s = 0;
  uint64_t ingest_bytes = 0;
  size_t snapshots = 0;
  for (size_t i = 0; i < n; i += a.batch) {
    nlohmann::json r;
    LITRANK_RETURN_IF_ERROR(StoreBatch(c, a, all, i, std::min(n, i + a.batch), &r));
    put_s += r["put_seconds"].get<double>();
    maintain_s += r["maintain_seconds"].get<double>();
    ingest_bytes += r["put_bytes_written"].get<uint64_t>() + r["maintain_bytes_written"].get<uint64_t>();
    snapshots += r["snapshot_written"].get<bool>();
    std::printf("%8zu vectors  put %6.2f s  upkeep %7.2f s%s\n", r["vectors_after"].get<size_t>(),
                r["put_seconds"].get<double>(), r["maintain_seconds"].get<double>(),
                r["snapshot_written"].get<bool>() ? "  (snapshot)" : "");
    std::fflush(stdout);
    batches.push_back(r);
  }
  // The search side: open (snapshot + replay of the tail), then queries.
  t = Clock::now();
  auto loaded = LoadCorpusVectorIndex(c, kModel, a.dims, a.policy.params);
  if (!loaded.ok()) return loaded.status();
  const double open_s = Since(t);
  VectorIndex& hnsw = *loaded->index;
  auto flat = NewFlatIndex(a.dims);
  if (!flat.ok()) return flat.status();
  int64_t ignored = 0;
  size_t flat_added = 0;
  LITRANK_RETURN_IF_ERROR(AddCorpusEmbeddings(c, kModel, a.dims, 0, nullptr, flat->get(), &ignored, &flat_added));
  // Exact answers first, then each beam width on the one loaded graph.
  std::vector<double> exact_ms;
  std::vector<std::vector<VectorHit>> exact(nq);
  for (size_t q = 0; q < nq; ++q) {
    const auto tq = Clock::now();
    LITRANK_RETURN_IF_ERROR((*flat)->Search(all.data() + (total + q) * a.dims, 10, &exact[q]));
    exact_ms.push_back(Since(tq) * 1000);
  }
  nlohmann::json beams = nlohmann::json::array();
  for (size_t ef_asked : a.ef_search) {
    hnsw.set_search_effort(ef_asked);
    const size_t ef = ef_asked ? ef_asked : AutoEfSearch(hnsw.size());
    std::vector<double> ms;
    size_t found = 0;
    for (size_t q = 0; q < nq; ++q) {
      std::vector<VectorHit> hits;
      const auto tq = Clock::now();
      LITRANK_RETURN_IF_ERROR(hnsw.Search(all.data() + (total + q) * a.dims, 10, &hits));
      ms.push_back(Since(tq) * 1000);
      for (const VectorHit& h : hits) {
        for (const VectorHit& e : exact[q]) found += e.id == h.id;
      }
    }
    beams.push_back({{"ef_search", ef}, {"ef_search_default", ef_asked == 0}, {"latency_p50_ms", bench::Percentile(ms, 50)},
                     {"latency_p99_ms", bench::Percentile(ms, 99)},
                     {"recall@10_vs_exact", static_cast<double>(found) / (10.0 * nq)}});
    std::printf("ef_search %4zu  p50 %.2f ms  p99 %.2f ms  recall@10 %.4f\n", ef, beams.back()["latency_p50_ms"].get<double>(),
                beams.back()["latency_p99_ms"].get<double>(), beams.back()["recall@10_vs_exact"].get<double>());
    std::fflush(stdout);
  }
  auto head = c.GetVectorIndex(kModel, a.dims);
  if (!head.ok()) return head.status();
  const uint64_t snapshot_bytes = head->has_value() ? (*head)->data.size() : 0;
  // One more write of `increment` vectors on top of the full index.
  nlohmann::json inc;
  LITRANK_RETURN_IF_ERROR(StoreBatch(c, a, all, n, total, &inc));
  corpus->reset();  // closes the file (checkpoints the WAL) before measuring it
  const uint64_t vector_bytes = uint64_t{a.dims} * sizeof(float);
  *out = {{"dataset", "synthetic-clustered-embeddings"}, {"seed", 5}, {"vectors", n}, {"dims", a.dims},
          {"batch", a.batch}, {"m", a.policy.params.m}, {"ef_construction", a.policy.params.ef_construction},
          {"ef_search", beams[0]["ef_search"]}, {"tail_fraction", a.policy.tail_fraction},
          {"min_vectors", a.policy.min_vectors}, {"documents_seconds", docs_s},
          {"ingest_index_seconds", put_s + maintain_s}, {"put_seconds", put_s}, {"upkeep_seconds", maintain_s},
          {"snapshots_written", snapshots}, {"ingest_bytes_written", ingest_bytes},
          {"ingest_bytes_written_per_vector", static_cast<double>(ingest_bytes) / n},
          {"open_seconds", open_s}, {"open_replayed", loaded->replayed}, {"snapshot_seq", loaded->snapshot_seq},
          {"snapshot_bytes", snapshot_bytes}, {"snapshot_chunks", (snapshot_bytes + kVectorIndexChunkBytes - 1) / kVectorIndexChunkBytes},
          {"queries", nq}, {"latency_p50_ms", beams[0]["latency_p50_ms"]}, {"latency_p99_ms", beams[0]["latency_p99_ms"]},
          {"recall@10_vs_exact", beams[0]["recall@10_vs_exact"]}, {"search", beams},
          {"exact_latency_p50_ms", bench::Percentile(exact_ms, 50)},
          {"file_bytes", FileBytes(db_path)}, {"vector_bytes", vector_bytes},
          {"increment", inc}, {"increment_bytes_written_per_vector",
                               static_cast<double>(inc["put_bytes_written"].get<uint64_t>() +
                                                   inc["maintain_bytes_written"].get<uint64_t>()) / a.increment},
          {"batches", batches}};
  return Status::Ok();
}

int RunVectorBench(const VectorBenchArgs& a) {
  if (a.vectors == 0 || a.batch == 0 || a.increment == 0 || a.dims == 0 || a.queries == 0 || a.ef_search.empty()) {
    return Fail(Status::InvalidArgument("--vectors, --batch, --increment, --queries and --dims must be positive"));
  }
  nlohmann::json r;
  if (Status st = Run(a, &r); !st.ok()) return Fail(st);
  std::printf("\n%zu x %u-d: ingest+index %.1f s (%zu snapshots), open %.1f s (%zu replayed), p50 %.2f ms, "
              "p99 %.2f ms, recall@10 %.4f, file %.0f MiB (snapshot %.1f MiB), +%zu vectors wrote %.0f B/vector\n",
              a.vectors, a.dims, r["ingest_index_seconds"].get<double>(), r["snapshots_written"].get<size_t>(),
              r["open_seconds"].get<double>(), r["open_replayed"].get<size_t>(), r["latency_p50_ms"].get<double>(),
              r["latency_p99_ms"].get<double>(), r["recall@10_vs_exact"].get<double>(),
              r["file_bytes"].get<double>() / (1 << 20), r["snapshot_bytes"].get<double>() / (1 << 20), a.increment,
              r["increment_bytes_written_per_vector"].get<double>());
  nlohmann::json records = nlohmann::json::array({r});
  std::printf("wrote %s\n", bench::WriteBenchJson(a.out_dir, "vectors", records.dump(2)).c_str());
  return kExitOk;
}

}  // namespace

void AddVectorsBenchCommand(CLI::App& bench, int* exit_code) {
  auto a = std::make_shared<VectorBenchArgs>();
  a->policy.min_vectors = 20000;
  auto* cmd = bench.add_subcommand("vectors",
      "The persisted HNSW index at scale through the corpus store: ingest+index time, open time, search\n"
      "p50/p99 and recall@10 against the exact scan, file size, bytes written per incremental batch.");
  cmd->add_option("--vectors", a->vectors, "Synthetic clustered vectors (fixed seed)")->capture_default_str();
  cmd->add_option("--dims", a->dims, "Vector dimensions (1024 = Qwen3-Embedding-0.6B)")->capture_default_str();
  cmd->add_option("--batch", a->batch, "Vectors stored per write")->capture_default_str();
  cmd->add_option("--queries", a->queries, "Queries for latency and recall")->capture_default_str();
  cmd->add_option("--increment", a->increment, "Vectors in the final incremental write")->capture_default_str();
  cmd->add_option("--ef-construction", a->policy.params.ef_construction, "HNSW build beam")->capture_default_str();
  cmd->add_option("--ef-search", a->ef_search, "HNSW query beams to measure on the one graph (first: the reported one; 0: the default, scaled with size)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--tail-fraction", a->policy.tail_fraction, "Snapshot once the vectors stored since exceed this fraction of it")
      ->capture_default_str();
  cmd->add_option("--min-vectors", a->policy.min_vectors, "No snapshot below this many vectors")->capture_default_str();
  cmd->add_option("--work-dir", a->work_dir, "Scratch space for the corpus file")->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "Where the JSON goes")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunVectorBench(*a); });
}

}  // namespace litrank::cli
