#!/usr/bin/env bash
# Real-browser test of the built-in web page: sets up tiny random-weight models and a
# collection from data/samples in a temp dir, starts `litrank serve` on a free port, and
# runs page_test.mjs in Debian's chromium (playwright-core).
#
#   tests/browser/run.sh build/litrank
#
# Needs /usr/bin/chromium and node (scripts/install-deps.sh installs both). When either is
# missing it fails, unless LITRANK_BROWSER_OPTIONAL=1, where it says so and exits 0.
# Screenshot: ${LITRANK_SCREENSHOT:-<dir of the binary>/browser-page.png}.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-}"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "browser test: usage: $0 PATH/TO/litrank (got '${bin}')" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
build="$(dirname "$bin")"
chromium="${LITRANK_CHROMIUM:-/usr/bin/chromium}"

missing=()
[ -x "$chromium" ] || missing+=("$chromium (Debian package chromium)")
command -v node >/dev/null 2>&1 || missing+=("node (Debian package nodejs)")
if [ ! -d "$here/node_modules/playwright-core" ] && ! command -v npm >/dev/null 2>&1; then
  missing+=("npm (to install playwright-core)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${LITRANK_BROWSER_OPTIONAL:-0}" = "1" ]; then
    echo "browser test: SKIPPED (LITRANK_BROWSER_OPTIONAL=1): missing ${missing[*]}; run scripts/install-deps.sh"
    exit 0
  fi
  echo "browser test: FAILED: missing ${missing[*]}; run scripts/install-deps.sh (or set LITRANK_BROWSER_OPTIONAL=1 to skip)" >&2
  exit 1
fi

if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "browser test: npm ci in tests/browser" >&2
  (cd "$here" && npm ci --silent --no-audit --no-fund) || {
    echo "browser test: FAILED: npm ci could not install playwright-core (offline? see tests/browser/package-lock.json)" >&2
    exit 1
  }
fi

started=$(date +%s.%N)
tmp="$(mktemp -d "${TMPDIR:-/tmp}/litrank-browser.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

quiet() {  # runs a setup step, showing its output only when it fails
  if ! "$@" >"$tmp/step.log" 2>&1; then
    echo "browser test: FAILED: $*" >&2
    cat "$tmp/step.log" >&2
    exit 1
  fi
}
quiet "$bin" synth-model --kind reranker --shape tiny -o "$tmp/reranker.gguf"
quiet "$bin" synth-model --kind embedding --shape tiny -o "$tmp/embedder.gguf"
quiet "$bin" ingest --db "$tmp/papers.db" --no-progress "$repo/data/samples/papers.jsonl" "$repo/data/samples/papers_zh.jsonl"
quiet "$bin" embed --db "$tmp/papers.db" -m "$tmp/embedder.gguf" --no-progress

# Port 0: the server picks a free port and prints "serving on http://HOST:PORT/" on stderr.
"$bin" serve -r "$tmp/reranker.gguf" -e "$tmp/embedder.gguf" --db "$tmp/papers.db" \
  --data-dir "$tmp/collections" --host 127.0.0.1 -p 0 --threads 2 >"$tmp/server.log" 2>&1 &
server_pid=$!

url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's#.*serving on \(http://[^/ ]*/\).*#\1#p' "$tmp/server.log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser test: FAILED: litrank serve did not report its address" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

# Wait for /health 200 (503 while the models load).
health_ok() {
  node -e 'fetch(process.argv[1] + "health").then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$url"
}
ready=0
for _ in $(seq 1 120); do
  if health_ok; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.25
done
if [ "$ready" != 1 ]; then
  echo "browser test: FAILED: $url/health never answered 200" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

echo "browser test: server at $url (page built into $bin)"
rc=0
LITRANK_URL="$url" LITRANK_CHROMIUM="$chromium" \
  LITRANK_SCREENSHOT="${LITRANK_SCREENSHOT:-$build/browser-page.png}" \
  node "$here/page_test.mjs" || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "browser test: FAILED (exit $rc); server log:" >&2
  tail -n 30 "$tmp/server.log" >&2
fi
echo "browser test: $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s in all"
exit "$rc"
