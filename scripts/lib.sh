# Shared helpers for the test scripts: sourced, not run. Everything binds 127.0.0.1 only, and
# every server started here is stopped by its PID when the calling script exits.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$ROOT/scripts/.peers}"
SQSBENCH="${SQSBENCH:-$ROOT/target/release/sqsbench}"
STARTED_PIDS=()

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Starts a command in the background, as the leader of a process group of its own, and records
# its PID; sets SPAWNED_PID. A background job is not a group leader, so setsid does not fork: it
# becomes the command, and $! is the command's own PID rather than a subshell's. Backgrounding a
# shell function or a `( … )` instead records the subshell, and stopping that leaves the server
# running (the Kubernetes rehearsal leaked its emulator that way). setsid cannot run a function,
# so the mistake cannot come back through here.
spawn() {
  setsid "$@" &
  SPAWNED_PID=$!
  STARTED_PIDS+=("$SPAWNED_PID")
}

# Stops every group spawn started: TERM, up to 5 s to exit, then KILL. The group, not just its
# leader: wrappers such as faketime or `ip netns exec` and servers with workers (LocalStack,
# Chromium) leave children that must go too.
stop_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -0 -- "-$pid" 2>/dev/null || continue
    kill -TERM -- "-$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap stop_started EXIT

ensure_sqsbench() {
  if [[ ! -x "$SQSBENCH" ]]; then
    log "building sqsbench (release)"
    (cd "$ROOT" && cargo build --release --bin sqsbench)
  fi
}

# A free TCP port on loopback, chosen by the kernel.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until HOST:PORT accepts connections (up to $2 seconds).
wait_for_port() {
  local port=$1 limit=${2:-60}
  for _ in $(seq 1 $((limit * 10))); do
    if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  log "nothing listening on 127.0.0.1:$port after ${limit}s"
  return 1
}

# Starts `sqsbench serve` on a free loopback port; sets SERVE_URL and SERVE_PID.
start_sqsbench_serve() {
  ensure_sqsbench
  local port
  port=$(free_port)
  spawn "$SQSBENCH" serve --bind "127.0.0.1:$port" "$@" >"$PEERS_DIR/sqsbench-serve.log" 2>&1
  SERVE_PID=$SPAWNED_PID
  wait_for_port "$port" 30
  SERVE_URL="http://127.0.0.1:$port"
  log "sqsbench serve at $SERVE_URL (pid $SERVE_PID)"
}

# Creates (once) a venv at $1 with interpreter $2 and installs the remaining arguments.
ensure_venv() {
  local dir=$1 python=$2
  shift 2
  local stamp="$dir/.installed"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$*" ]]; then
    return 0
  fi
  log "creating venv $dir ($python) with: $*"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$*" >"$stamp"
}

# A Python interpreter of at least the given minor version (3.X), from PATH or pyenv.
find_python() {
  local minor=$1
  for candidate in python3.13 python3.12 "$HOME/.pyenv/versions/3.13.0/bin/python3" "$HOME/.pyenv/versions/3.12.1/bin/python3" python3; do
    local path
    path=$(command -v "$candidate" 2>/dev/null || true)
    [[ -n "$path" ]] || continue
    if "$path" -c "import sys; sys.exit(0 if sys.version_info >= (3, $minor) else 1)" 2>/dev/null; then
      echo "$path"
      return 0
    fi
  done
  return 1
}

mkdir -p "$PEERS_DIR"
