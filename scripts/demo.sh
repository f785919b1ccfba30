#!/usr/bin/env bash
# The main job: build litrank, ingest the bundled sample corpus into a collection, embed
# it, and run a two-stage search (BM25 + dense recall, fusion, Qwen3-Reranker) for a
# query, printing the ranked table with each stage's rank and score.
# With --serve first, it then starts the HTTP server on the same models and collection
# (port $LITRANK_PORT, default 8080) and opens the web page when a desktop is there.
# Then it extracts the problem, method, results and data of three sample papers as JSON
# (`litrank extract`, the generator from $LITRANK_GENERATOR or Qwen3-0.6B).
# Models: $LITRANK_RERANKER / $LITRANK_EMBEDDER if set, else the Qwen3 0.6B GGUFs from
# Hugging Face (litrank models pull), else — when they cannot be downloaded — tiny
# RANDOM-WEIGHT models whose ranking is meaningless (they only show the plumbing).
set -euo pipefail
cd "$(dirname "$0")/.."
serve=0
if [ "${1:-}" = "--serve" ]; then serve=1; shift; fi
query=${1:-"cross-encoder reranking of scientific abstracts"}
shift || true
LITRANK_BUILD_TARGETS=litrank scripts/build.sh >&2   # only the binary: no anchors, no tests
BIN=${LITRANK_BUILD_DIR:-build}/litrank
mkdir -p .cache

# model_for KIND NAME: a GGUF path for the kind (reranker | embedding | generator) on stdout.
model_for() {
  local kind=$1 name=$2 path
  if path=$("$BIN" models pull "$name" 2>/tmp/litrank-pull.log); then
    echo "$path"
    return
  fi
  echo "litrank: could not download $name ($(tail -n 1 /tmp/litrank-pull.log))." >&2
  path=.cache/demo-tiny-$kind.gguf
  [ -f "$path" ] || "$BIN" synth-model --kind "$kind" --shape tiny -o "$path" >/dev/null
  echo "litrank: using a tiny RANDOM-WEIGHT $kind instead: its contribution below is MEANINGLESS." >&2
  touch .cache/demo-random-models
  echo "$path"
}
rm -f .cache/demo-random-models
reranker=${LITRANK_RERANKER:-${LITRANK_MODEL:-}}
[ -n "$reranker" ] || reranker=$(model_for reranker qwen3-reranker-0.6b)
embedder=${LITRANK_EMBEDDER:-}
[ -n "$embedder" ] || embedder=$(model_for embedding qwen3-embedding-0.6b)

db=.cache/demo.db
"$BIN" ingest --db "$db" --no-progress data/samples/papers.jsonl data/samples/papers_zh.jsonl data/samples/posts.jsonl >&2
"$BIN" embed --db "$db" --model "$embedder" --no-progress >&2
echo "query: $query" >&2
if [ -f .cache/demo-random-models ]; then
  # Random weights rank at random: the table worth reading is BM25's; the full
  # pipeline runs after it only to show that every stage works.
  echo "== BM25 ranking (real; no model involved) ==" >&2
  "$BIN" search --db "$db" --no-dense --no-rerank -k 10 "$query" "$@"
  echo >&2
  echo "== plumbing check: the whole pipeline with RANDOM-WEIGHT models (its order is meaningless) ==" >&2
fi
"$BIN" search --db "$db" --reranker "$reranker" --embedder "$embedder" --explain -k 10 "$query" "$@"

# Extraction: problem, method, results and data of three sample papers, as JSON that
# always fits the schema (a random-weight model writes nonsense into valid JSON).
rm -f .cache/demo-random-models
generator=${LITRANK_GENERATOR:-}
[ -n "$generator" ] || generator=$(model_for generator qwen3-0.6b)
echo >&2
if [ -f .cache/demo-random-models ]; then
  echo "== extraction (plumbing check: a RANDOM-WEIGHT generator, its fields are MEANINGLESS) ==" >&2
else
  echo "== extraction ==" >&2
fi
head -n 3 data/samples/papers.jsonl > .cache/demo-extract.jsonl
"$BIN" extract --model "$generator" --docs .cache/demo-extract.jsonl --format jsonl --max-tokens 256

# The map of the field as a report (no model: topics, trends, keywords, assessment, outline).
echo >&2
echo "== review report ==" >&2
"$BIN" review --db "$db" --out .cache/demo-report --question "$query" >&2
echo "litrank: open .cache/demo-report/report.html (report.md beside it)" >&2

if [ "$serve" = 1 ]; then
  port=${LITRANK_PORT:-8080}
  url="http://127.0.0.1:$port/"
  echo "litrank: starting the server: open $url (Ctrl+C stops it)" >&2
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && command -v xdg-open >/dev/null 2>&1; then
    (sleep 2; xdg-open "$url" >/dev/null 2>&1 || true) &
  fi
  exec "$BIN" serve --reranker "$reranker" --embedder "$embedder" --db "$db" --data-dir .cache/collections --port "$port"
fi
