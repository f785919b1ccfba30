#!/usr/bin/env bash
# The server driven by the real client libraries from npm (tests/clients/package.json pins
# cohere-ai and openai): starts `litrank serve` with tiny random-weight models, an API key
# and small limits on a free port, and runs clients_test.mjs against it.
#
#   tests/clients/run.sh build/litrank
#
# Needs node and, the first time, npm (scripts/install-deps.sh installs both; npm ci then
# fetches the pinned packages). When they are missing it fails, unless
# LITRANK_CLIENTS_OPTIONAL=1, where it says so and exits 0.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$repo/tests/node_harness.sh"
harness_init "client test" "${1:-}"
harness_require LITRANK_CLIENTS_OPTIONAL "$here" cohere-ai
harness_npm_ci "$here" cohere-ai
harness_tmp
harness_models
key="clients-test-key"
# The limits clients_test.mjs expects (its MAX_DOCUMENTS, MAX_INPUTS, MAX_LENGTH).
harness_serve -r "$tmp/reranker.gguf" -e "$tmp/embedder.gguf" -g "$tmp/generator.gguf" --api-key "$key" --threads 2 \
  --max-documents 8 --max-inputs 8 --max-length 512

echo "client test: server at $url; $(node -p 'const fs = require("fs"); ["cohere-ai", "openai"].map((p) => p + " " + JSON.parse(fs.readFileSync(process.argv[1] + "/node_modules/" + p + "/package.json")).version).join(", ")' "$here"), node $(node --version)"
rc=0
LITRANK_URL="$url" LITRANK_API_KEY="$key" LITRANK_BIN="$bin" LITRANK_RERANKER="$tmp/reranker.gguf" \
  node "$here/clients_test.mjs" || rc=$?
harness_finish "$rc"
