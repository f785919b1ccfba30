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
source "$repo/tests/node_harness.sh"
harness_init "browser test" "${1:-}"
build="$(dirname "$bin")"
chromium="${LITRANK_CHROMIUM:-/usr/bin/chromium}"

chromium_missing=()
[ -x "$chromium" ] || chromium_missing+=("$chromium (Debian package chromium)")
harness_require LITRANK_BROWSER_OPTIONAL "$here" playwright-core ${chromium_missing[@]+"${chromium_missing[@]}"}
harness_npm_ci "$here" playwright-core
harness_tmp
harness_models
harness_quiet "$bin" ingest --db "$tmp/papers.db" --no-progress "$repo/data/samples/papers.jsonl" "$repo/data/samples/papers_zh.jsonl"
harness_quiet "$bin" embed --db "$tmp/papers.db" -m "$tmp/embedder.gguf" --no-progress
harness_serve -r "$tmp/reranker.gguf" -e "$tmp/embedder.gguf" -g "$tmp/generator.gguf" --db "$tmp/papers.db" \
  --data-dir "$tmp/collections" --threads 2

echo "browser test: server at $url (page built into $bin)"
rc=0
LITRANK_URL="$url" LITRANK_CHROMIUM="$chromium" \
  LITRANK_SCREENSHOT="${LITRANK_SCREENSHOT:-$build/browser-page.png}" \
  node "$here/page_test.mjs" || rc=$?
harness_finish "$rc"
