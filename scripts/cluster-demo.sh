#!/usr/bin/env bash
# A two-worker deployment on one machine, all on loopback: starts a PostgreSQL 15
# (initdb into a temporary folder) and a redis-server, ingests the sample corpus into
# a collection in PostgreSQL, starts two `litrank worker` processes, submits the
# embedding job to them (`litrank embed --queue`), shows `litrank jobs`, searches the
# collection, and stops everything. Run after scripts/build.sh (or it builds first).
# With --sqlite the collection is a SQLite file instead (workers on one machine).
# Model: $LITRANK_EMBEDDER if set, else a tiny RANDOM-WEIGHT embedding model (the
# vectors are meaningless; the demo shows the pool, not the model).
# Run as root, PostgreSQL runs as the `postgres` user (it refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."
LITRANK_BUILD_TARGETS=litrank scripts/build.sh >&2
BIN=$PWD/${LITRANK_BUILD_DIR:-build}/litrank
work=$(mktemp -d /tmp/litrank-cluster.XXXXXX)
port=${LITRANK_REDIS_PORT:-6399}
queue=redis://127.0.0.1:$port
pg_port=${LITRANK_PG_PORT:-6432}
store=postgres
[ "${1:-}" = "--sqlite" ] && store=sqlite
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

if [ "$store" = postgres ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  as_pg=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups --); fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -E UTF8 --locale=C -A trust -U litrank >"$work/initdb.log" 2>&1
  "${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories= >"$work/postgres.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break; sleep 0.1; done
  createdb -h 127.0.0.1 -p "$pg_port" -U litrank papers
  db=postgresql://litrank@127.0.0.1:$pg_port/papers
  echo "PostgreSQL on 127.0.0.1:$pg_port, collection $db" >&2
else
  db=$work/papers.db
fi
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
"$BIN" search --db "$db" -e "$model" -k 3 "reranking scientific abstracts"
