#!/usr/bin/env bash
# Installs what litrank needs to build and test on Debian 12 (run as root or with sudo).
# Skips apt-get entirely when everything is already installed.
set -euo pipefail
packages=(
  build-essential cmake git pkg-config ca-certificates
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev libgtest-dev
  libsqlite3-dev libicu-dev libstemmer-dev libxml2-dev libhnswlib-dev libxapian-dev
  # screening: the linear learners scikit-learn uses (LinearSVC, LogisticRegression)
  liblinear-dev
  # topics (analysis/): truncated SVD and k-means; keyword networks: igraph (Leiden,
  # centralities, GraphML/Pajek), graphviz's libgvc (layout, SVG)
  libeigen3-dev libigraph-dev libgraphviz-dev
  # assess: user criteria files in TOML
  libtomlplusplus-dev
  # ingest: PDF text with MuPDF (Debian ships it static: its own dependencies too)
  libmupdf-dev libmujs-dev libgumbo-dev libopenjp2-7-dev libjbig2dec0-dev libjpeg-dev libharfbuzz-dev libfreetype-dev
  # distributed/: long jobs on a Redis Streams worker pool (tests start their own redis-server)
  libhiredis-dev redis-server
  # store/: collections in PostgreSQL through libpq (tests start their own PostgreSQL 15)
  libpq-dev postgresql-15
  # bench screen runs the reference screening script (../shared/tools) side by side
  python3-sklearn
  # tests/browser: the web page in a real browser; a CJK font so Chinese labels render
  chromium fonts-wqy-microhei
  # tests/fuzz: libFuzzer harnesses (clang's -fsanitize=fuzzer runtime is in libclang-rt-14-dev)
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the pinned llama.cpp source; any npm will do (a NodeSource nodejs ships its own).
command -v npm >/dev/null 2>&1 || missing+=(npm)
# node runs tests/browser/page_test.mjs and tests/clients/clients_test.mjs (playwright-core 1.61,
# cohere-ai 8.1 and openai 4.104 support node >= 18: Debian 12 has 18).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if [ ${#missing[@]} -eq 0 ]; then
  echo "litrank: all build dependencies present" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "litrank: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
