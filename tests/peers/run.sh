#!/usr/bin/env bash
# `sqsbench run --target URL` against real third-party SQS servers: starts fauxqs and LocalStack
# on loopback (installing them if needed) and runs a standard and a FIFO scenario against each,
# with each client of the hot calls (`[target] client`: lean, then sdk). Each run must exit 0
# with complete results, no failed requests, and every message received. Against LocalStack,
# work that outlives the visibility timeout is run with a visibility heartbeat (no message comes
# back) and without one (every message does).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../../scripts/peers.sh"

ensure_sqsbench
start_fauxqs
start_localstack
out="$PEERS_DIR/peer-runs"
rm -rf "$out"
mkdir -p "$out"
for server in "fauxqs=$FAUXQS_URL" "localstack=$LOCALSTACK_URL"; do
  name=${server%%=*}
  url=${server#*=}
  for scenario in standard fifo; do
    for client in lean sdk; do
      dir="$out/$name-$scenario-$client"
      log "run $scenario scenario against $name ($url), client $client"
      # A queue of each run's own: SQS refuses a name for 60 s after it was deleted.
      queue="sqsbench-peer-$scenario-$client"
      [[ $scenario == fifo ]] && queue="$queue.fifo"
      "$SQSBENCH" run "$ROOT/tests/peers/$scenario.toml" --target "$url" --set "target.client=\"$client\"" \
        --set "queue.name=\"$queue\"" --out "$dir" --quiet >"$dir.log" 2>&1 || {
        code=$?; cat "$dir.log" >&2; log "$name/$scenario/$client exited $code"; exit 1; }
      python3 "$ROOT/tests/peers/check_summary.py" "$dir" "$client"
    done
  done
done

log "heartbeats against LocalStack: 4 s of work per message on a 2 s visibility timeout"
sed 's/^visibility_heartbeat = .*$//; s/^name = "peer-heartbeat"/name = "peer-no-heartbeat"/' \
  "$ROOT/tests/peers/heartbeat.toml" >"$out/no-heartbeat.toml"
for run in "on=$ROOT/tests/peers/heartbeat.toml" "off=$out/no-heartbeat.toml"; do
  mode=${run%%=*}
  dir="$out/localstack-heartbeat-$mode"
  "$SQSBENCH" run "${run#*=}" --target "$LOCALSTACK_URL" --set "queue.name=\"sqsbench-peer-heartbeat-$mode\"" \
    --out "$dir" --quiet >"$dir.log" 2>&1 || {
    code=$?; cat "$dir.log" >&2; log "localstack/heartbeat-$mode exited $code"; exit 1; }
  python3 "$ROOT/tests/peers/check_heartbeat.py" "$dir" "$mode"
done
