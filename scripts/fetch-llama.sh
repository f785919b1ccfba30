#!/usr/bin/env bash
# Fetches the pinned llama.cpp source without GitHub: node-llama-cpp@3.22.1 on
# npm ships llama.cpp as a git bundle. Clones it into DEST, verifies the pinned
# commit and applies the patch node-llama-cpp itself ships with that release
# (llama_model_init_from_user: only create tensors the metadata names).
# Usage: scripts/fetch-llama.sh DEST   (idempotent; prints DEST on success)
set -euo pipefail
readonly PKG="node-llama-cpp@3.22.1"
readonly COMMIT="de3ff815ea7d559ee917f063901b8986f038abc6"
dest=${1:?usage: fetch-llama.sh DEST}
stamp="$dest/.litrank-ready"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$COMMIT" ]; then
  echo "$dest"; exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/litrank-llama.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "litrank: fetching llama.cpp $COMMIT from npm package $PKG" >&2
(cd "$work" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$work"/node-llama-cpp-*.tgz -C "$work" package/llama/gitRelease.bundle package/llama/patches
rm -rf "$dest"
git clone --quiet "$work/package/llama/gitRelease.bundle" "$dest" 2>/dev/null
got=$(git -C "$dest" rev-parse HEAD)
if [ "$got" != "$COMMIT" ]; then
  echo "litrank: llama.cpp bundle is at $got, expected $COMMIT; refusing to build" >&2
  rm -rf "$dest"; exit 1
fi
for p in "$work"/package/llama/patches/*.diff; do
  git -C "$dest" apply "$p"
  echo "litrank: applied $(basename "$p") (shipped with $PKG)" >&2
done
echo "$COMMIT" > "$stamp"
echo "$dest"
