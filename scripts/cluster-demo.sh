#!/usr/bin/env bash
# A two-worker pool on one machine, all on loopback: starts a redis-server, ingests
# the sample corpus into a collection, starts two `litrank worker` processes, submits
# the embedding job to them (`litrank embed --queue`), shows `litrank jobs`, and stops
# everything. Run after scripts/build.sh (or it builds the binary first).
# Model: $LITRANK_EMBEDDER if set, else a tiny RANDOM-WEIGHT embedding model (the
# vectors are meaningless; the demo shows the pool, not the model).
# Today the collection is a SQLite file, so the workers share one machine; workers on
# other machines need the collection on PostgreSQL (issue #13, not built yet).
set -euo pipefail
cd "$(dirname "$0")/.."
LITRANK_BUILD_TARGETS=litrank scripts/build.sh >&2
BIN=$PWD/${LITRANK_BUILD_DIR:-build}/litrank
work=$(mktemp -d /tmp/litrank-cluster.XXXXXX)
port=${LITRANK_REDIS_PORT:-6399}
queue=redis://127.0.0.1:$port
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly yes >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "redis-server on $queue" >&2

db=$work/papers.db
"$BIN" ingest --db "$db" data/samples/papers.jsonl data/samples/papers_zh.jsonl >&2
model=${LITRANK_EMBEDDER:-}
if [ -z "$model" ]; then
  model=$work/tiny-embedding.gguf
  "$BIN" synth-model --kind embedding --shape tiny -o "$model" >/dev/null
  echo "litrank: a tiny RANDOM-WEIGHT embedding model: the vectors are MEANINGLESS, the pool is real." >&2
fi

for i in 1 2; do
  "$BIN" worker --db "$db" --queue "$queue" --name "worker-$i" --threads 1 >"$work/worker-$i.log" 2>&1 &
  pids+=($!)
done
echo "two workers started; submitting the embedding job" >&2
embedded=$("$BIN" embed --db "$db" -m "$model" --queue "$queue" --task-size 8 --no-progress)
echo "documents embedded by the pool: $embedded"
"$BIN" jobs --queue "$queue"
