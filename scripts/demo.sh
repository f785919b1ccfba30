#!/usr/bin/env bash
# The main job: build litrank, then rerank the bundled sample papers for a query and
# print the ranked table. Model: $LITRANK_MODEL if set, else the Qwen3-Reranker-0.6B
# GGUF from Hugging Face (litrank models pull), else — when that cannot be downloaded —
# a tiny RANDOM-WEIGHT model whose ranking is meaningless (it only shows the plumbing).
set -euo pipefail
cd "$(dirname "$0")/.."
query=${1:-"cross-encoder reranking of scientific abstracts"}
shift || true
scripts/build.sh >&2
BIN=${LITRANK_BUILD_DIR:-build}/litrank
model=${LITRANK_MODEL:-}
if [ -z "$model" ]; then
  if model=$("$BIN" models pull qwen3-reranker-0.6b 2>/tmp/litrank-pull.log); then
    :
  else
    echo "litrank: could not download Qwen3-Reranker-0.6B ($(tail -n 1 /tmp/litrank-pull.log))." >&2
    model=.cache/demo-tiny-reranker.gguf
    [ -f "$model" ] || "$BIN" synth-model --kind reranker --shape tiny -o "$model" >/dev/null
    echo "litrank: using a tiny RANDOM-WEIGHT model instead: the ranking below is MEANINGLESS." >&2
    echo "         Set LITRANK_MODEL=/path/to/qwen3-reranker.gguf for real relevance scores." >&2
  fi
fi
echo "query: $query" >&2
"$BIN" rerank --model "$model" --query "$query" --docs data/samples/papers.jsonl --top-k 10 "$@"
