#!/usr/bin/env bash
# Live metrics scraped by a real Prometheus (Debian's package, 2.42, installed here if missing;
# if it cannot be installed the test fails and says why). `sqsbench serve --metrics` and a short
# `sqsbench run --metrics … --metrics-linger 3s` against it are scraped every second; then:
# both expositions parse with prometheus_client's OpenMetrics parser, both targets are up with no
# scrape error, the last scraped sqsbench_messages_sent_total equals summary.json's
# sent_including_warmup, and every query of deploy/grafana/sqsbench.json returns data. Then a run
# of 100 queues: a series per queue adding up to its sends, and the dashboard still answering.
# SCREENSHOT=FILE also saves Prometheus's graph page of the run (docs/live-metrics.md's picture);
# RUN_DURATION (8s) and any arguments (say --set producers.rate=…) shape the run.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

if ! command -v prometheus >/dev/null; then
  log "installing prometheus (Debian package)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; }; then
    log "FAIL: Debian's prometheus package could not be installed, so the live metrics were not checked"
    exit 1
  fi
fi
prometheus --version 2>&1 | head -1
ensure_sqsbench
ensure_venv "$PEERS_DIR/venv-prom" "$(find_python 11)" prometheus-client==0.21.1
PY="$PEERS_DIR/venv-prom/bin/python"
CHECK="$ROOT/tests/metrics/check_prometheus.py"

work=$(mktemp -d)
emulator_metrics=$(free_port)
run_metrics=$(free_port)
prom_port=$(free_port)
start_sqsbench_serve --metrics "127.0.0.1:$emulator_metrics"
wait_for_port "$emulator_metrics" 10
# EventBridge on the same serve, in AWS JSON 1.1 as any SDK sends it: a rule on the default bus,
# a queue target, and two events of which one matches (check_prometheus.py eventbridge).
call() {
  curl -sf "$SERVE_URL/" -H "X-Amz-Target: $1" -H "Content-Type: application/x-amz-json-1.${3:-1}" -d "$2" >/dev/null
}
call AmazonSQS.CreateQueue '{"QueueName":"metrics-events"}' 0
call AWSEvents.PutRule '{"Name":"metrics-rule","EventPattern":"{\"detail\":{\"n\":[{\"numeric\":[\">\",1]}]}}"}'
call AWSEvents.PutTargets '{"Rule":"metrics-rule","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:000000000000:metrics-events"}]}'
call AWSEvents.PutEvents '{"Entries":[{"Source":"m","DetailType":"d","Detail":"{\"n\":5}"},{"Source":"m","DetailType":"d","Detail":"{\"n\":0}"}]}'

cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: run
    static_configs: [{ targets: ["127.0.0.1:$run_metrics"] }]
  - job_name: emulator
    static_configs: [{ targets: ["127.0.0.1:$emulator_metrics"] }]
YAML

duration=${RUN_DURATION:-8s}
log "a $duration run against sqsbench serve, metrics on 127.0.0.1:$run_metrics"
spawn "$SQSBENCH" run "$ROOT/scenarios/quickstart.toml" --target "$SERVE_URL" --duration "$duration" \
  --set run.warmup=1s --metrics "127.0.0.1:$run_metrics" --metrics-linger 3s \
  --out "$work/run" --quiet "$@" >"$work/run.log" 2>&1
run_pid=$SPAWNED_PID
wait_for_port "$run_metrics" 30
# Prometheus starts once the run's endpoint is up, so no scrape of it can fail before it starts.
spawn prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1
prom="http://127.0.0.1:$prom_port"
started=$(date +%s.%N)
wait_for_port "$prom_port" 30
until curl -sf "$prom/-/ready" >/dev/null; do sleep 0.2; done

# Mid-run expositions, once the measured phase has sent something.
until curl -sf "127.0.0.1:$run_metrics/metrics" -o "$work/run.metrics" \
  && grep -q 'sqsbench_phase{.*phase="measured"} 1' "$work/run.metrics"; do sleep 0.2; done
curl -sf "127.0.0.1:$emulator_metrics/metrics" -o "$work/emulator.metrics"
"$PY" "$CHECK" parse "$work/run.metrics" "$work/emulator.metrics"

spawn "$PY" "$CHECK" watch "$prom" "$run_pid"
watcher=$SPAWNED_PID
if ! wait "$run_pid"; then
  cat "$work/run.log"; log "FAIL: the run exited non-zero"; exit 1
fi
ended=$(date +%s.%N)
wait "$watcher"
"$PY" "$CHECK" verify "$prom" "$work/run/summary.json" "$ROOT/deploy/grafana/sqsbench.json" "$started" "$ended"

# A run of 100 queues, scraped by the same Prometheus once its config names it (SIGHUP reloads).
queues_metrics=$(free_port)
printf '  - job_name: queues\n    static_configs: [{ targets: ["127.0.0.1:%s"] }]\n' "$queues_metrics" >>"$work/prometheus.yml"
kill -HUP "$(pgrep -f -- "--config.file=$work/prometheus.yml")"
until curl -sf "$prom/api/v1/targets" | grep -q "$queues_metrics"; do sleep 0.2; done
log "a run of 100 queues, metrics on 127.0.0.1:$queues_metrics"
started=$(date +%s.%N)
"$SQSBENCH" run "$ROOT/scenarios/many-queues.toml" --duration 3s --set run.warmup=0s \
  --set consumers.wait_time=1s --metrics "127.0.0.1:$queues_metrics" --metrics-linger 3s \
  --out "$work/queues" --quiet >"$work/queues.log" 2>&1 || { cat "$work/queues.log"; exit 1; }
ended=$(date +%s.%N)
"$PY" "$CHECK" queues "$prom" "$work/queues/summary.json" "$ROOT/deploy/grafana/sqsbench.json" "$started" "$ended"

if [[ -n "${SCREENSHOT:-}" ]]; then
  range=${SCREENSHOT_RANGE:-1m}
  q() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$1"; }
  sel='run_id!=""'
  g0=$(q "sum by (fleet) (rate(sqsbench_messages_sent_total{$sel}[4s]))")
  g1=$(q "histogram_quantile(0.99, sum by (le) (rate(sqsbench_end_to_end_latency_seconds_bucket{$sel}[4s])))")
  url="$prom/graph?g0.expr=$g0&g0.tab=0&g0.range_input=$range&g1.expr=$g1&g1.tab=0&g1.range_input=$range"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chrome" --window-size=1400,1550 --virtual-time-budget=8000 \
    --screenshot="$SCREENSHOT" "$url" 2>/dev/null
  log "screenshot: $SCREENSHOT"
fi
rm -rf "$work"
