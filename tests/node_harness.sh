# Shared by the node-driven tests (tests/browser/run.sh, tests/clients/run.sh); source it.
# It checks the tools a test needs (skipping or failing as LITRANK_<NAME>_OPTIONAL says),
# installs the test's pinned npm packages with `npm ci`, makes a temp dir with tiny
# random-weight models, starts `litrank serve` on a free port, waits for /health 200, and
# stops the server and removes the temp dir on exit.
#
#   harness_init NAME BIN            # NAME labels messages ("browser test"); sets $bin, $tmp
#   harness_require OPTIONAL_VAR DIR PACKAGE [MISSING...]
#                                    # node, npm (unless DIR/node_modules/PACKAGE exists) and
#                                    # the caller's own MISSING items; exits 0 (skipped) when
#                                    # ${!OPTIONAL_VAR} is 1, else 1, when something lacks
#   harness_npm_ci DIR PACKAGE       # npm ci in DIR unless DIR/node_modules/PACKAGE exists
#   harness_quiet CMD...             # runs a setup step, showing its output only on failure
#   harness_models                   # $tmp/reranker.gguf, $tmp/embedder.gguf, $tmp/generator.gguf (tiny)
#   harness_serve ARGS...            # `$bin serve ARGS --host 127.0.0.1 -p 0`; sets $url
#                                    # (http://127.0.0.1:PORT/) and $server_pid
#   harness_elapsed                  # seconds since harness_init, one decimal
#   harness_finish RC                # on failure the server log's tail; the time taken; exits RC

harness_init() {
  harness_name="$1"
  bin="${2:-}"
  if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "$harness_name: usage: $0 PATH/TO/litrank (got '${bin}')" >&2
    exit 2
  fi
  bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
  harness_started=$(date +%s.%N)
  tmp=""
  server_pid=""
  url=""
}

harness_require() {
  local optional_var="$1" dir="$2" package="$3"
  shift 3
  local missing=("$@")
  command -v node >/dev/null 2>&1 || missing+=("node (Debian package nodejs)")
  if [ ! -d "$dir/node_modules/$package" ] && ! command -v npm >/dev/null 2>&1; then
    missing+=("npm (to install $package)")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${!optional_var:-0}" = "1" ]; then
    echo "$harness_name: SKIPPED ($optional_var=1): missing ${missing[*]}; run scripts/install-deps.sh"
    exit 0
  fi
  echo "$harness_name: FAILED: missing ${missing[*]}; run scripts/install-deps.sh (or set $optional_var=1 to skip)" >&2
  exit 1
}

harness_npm_ci() {
  local dir="$1" package="$2"
  [ -d "$dir/node_modules/$package" ] && return 0
  echo "$harness_name: npm ci in $dir" >&2
  (cd "$dir" && npm ci --silent --no-audit --no-fund) || {
    echo "$harness_name: FAILED: npm ci could not install $package (offline? see $dir/package-lock.json)" >&2
    exit 1
  }
}

harness_cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -n "$tmp" ] && rm -rf "$tmp"
}

# Makes $tmp and arms the cleanup; call once, after the checks.
harness_tmp() {
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/litrank-node.XXXXXX")"
  trap harness_cleanup EXIT
  trap 'exit 130' INT TERM
}

harness_quiet() {
  if ! "$@" >"$tmp/step.log" 2>&1; then
    echo "$harness_name: FAILED: $*" >&2
    cat "$tmp/step.log" >&2
    exit 1
  fi
}

harness_models() {
  harness_quiet "$bin" synth-model --kind reranker --shape tiny -o "$tmp/reranker.gguf"
  harness_quiet "$bin" synth-model --kind embedding --shape tiny -o "$tmp/embedder.gguf"
  harness_quiet "$bin" synth-model --kind generator --shape tiny -o "$tmp/generator.gguf"
}

harness_serve() {
  # Port 0: the server picks a free port and prints "serving on http://HOST:PORT/" on stderr.
  "$bin" serve "$@" --host 127.0.0.1 -p 0 >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    url="$(sed -n 's#.*serving on \(http://[^/ ]*/\).*#\1#p' "$tmp/server.log" | head -n 1)"
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "$harness_name: FAILED: litrank serve did not report its address" >&2
    cat "$tmp/server.log" >&2
    exit 1
  fi
  # /health answers 503 while the models load.
  local ready=0
  for _ in $(seq 1 120); do
    if node -e 'fetch(process.argv[1] + "health").then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$url"; then
      ready=1
      break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.25
  done
  if [ "$ready" != 1 ]; then
    echo "$harness_name: FAILED: ${url}health never answered 200" >&2
    cat "$tmp/server.log" >&2
    exit 1
  fi
}

harness_elapsed() {
  awk -v s="$harness_started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'
}

harness_finish() {
  local rc="$1"
  if [ "$rc" -ne 0 ]; then
    echo "$harness_name: FAILED (exit $rc); server log:" >&2
    tail -n 30 "$tmp/server.log" >&2
  fi
  echo "$harness_name: $(harness_elapsed) s in all"
  exit "$rc"
}
