#!/usr/bin/env bash
# report.html in a real browser: installs Debian's chromium if it is missing, writes a run's, a
# sweep's (among them a burst against three scaling policies, whose backlog-and-consumers
# charts and comparison columns are checked) and a capacity search's report with sqsbench, and loads each from disk in headless
# Chromium — no console errors, no network requests, charts rendered — saving screenshots.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

if ! command -v chromium >/dev/null; then
  log "installing chromium (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
ensure_sqsbench
out="$ROOT/target/report-html"
rm -rf "$out"
mkdir -p "$out"
log "a run (with a failed expectation, so the page shows one) and a sweep"
"$SQSBENCH" run "$ROOT/scenarios/quickstart.toml" --duration 2s --set run.warmup=0s \
  --set consumers.wait_time=1s --set expect.max_e2e_p99=1ms --out "$out/run" --quiet >/dev/null || [[ $? == 1 ]]
"$SQSBENCH" run "$ROOT/scenarios/batch-sizes.toml" --duration 1s --set run.warmup=0s \
  --set producers.rate=500/s --set consumers.wait_time=1s --out "$out/sweep" --quiet >/dev/null
log "a capacity search against a small custom quota"
"$SQSBENCH" run "$ROOT/scenarios/fifo-limits.toml" --set 'emulator.quota={ fifo_tps = 50 }' \
  --set producers.count=2 --set consumers.count=2 --set search.from=100/s --set search.step_duration=1s \
  --set run.warmup=0s --set run.drain_timeout=5s \
  --out "$out/search" --quiet >/dev/null
log "100 queues, quiet and with faults (latencies from a millisecond to seconds)"
"$SQSBENCH" run "$ROOT/scenarios/many-queues.toml" --duration 2s --set run.warmup=0s \
  --set consumers.wait_time=1s --out "$out/queues" --quiet >/dev/null
"$SQSBENCH" run "$ROOT/scenarios/many-queues.toml" --duration 3s --set run.warmup=0s \
  --set consumers.wait_time=1s --set 'queues.0.visibility_timeout="2s"' --set consumers.failure_rate=0.05 \
  --set 'emulator.faults={ duplicate_rate = 0.01, loss_rate = 0.01, reorder_rate = 0.05 }' \
  --out "$out/queues-faults" --quiet >/dev/null || [[ $? == 1 ]]
log "an EventBridge run, quiet and with faults (a second's delivery delay, losses, duplicates)"
"$SQSBENCH" run "$ROOT/scenarios/eventbridge.toml" --duration 2s --set run.warmup=0s --set event_bus.settle=0s \
  --set rules.consumers.wait_time=1s --out "$out/eventbridge" --quiet >/dev/null
"$SQSBENCH" run "$ROOT/scenarios/eventbridge.toml" --duration 3s --set run.warmup=0s --set event_bus.settle=0s \
  --set rules.consumers.wait_time=1s \
  --set 'emulator.faults={ duplicate_rate = 0.02, loss_rate = 0.02, reorder_rate = 0.05, eventbridge_delivery_delay = "1s" }' \
  --out "$out/eventbridge-faults" --quiet >/dev/null || [[ $? == 1 ]]
for page in eventbridge eventbridge-faults; do
  grep -q "<h3>Rules</h3>" "$out/$page/report.html" || { log "no rules table in $page/report.html"; exit 1; }
done
log "a burst against three scaling policies (tests/scenarios/burst-autoscaling-short.toml, about 2 minutes)"
"$SQSBENCH" run "$ROOT/tests/scenarios/burst-autoscaling-short.toml" --out "$out/burst" --quiet >/dev/null
for variant in "$out"/burst/consumers.0-*/; do
  grep -q "backlog and consumers" "$variant/report.html" || {
    log "no backlog-and-consumers chart in $variant/report.html"; exit 1; }
done
grep -q "peak_backlog,drain_seconds,consumer_seconds" "$out/burst/comparison.csv" || {
  log "the burst comparison lacks its backlog columns"; cat "$out/burst/comparison.csv"; exit 1; }
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/run/report.html" "$out/run.png" 4
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/burst/consumers.0-keda/report.html" "$out/burst-keda.png" 4
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/burst/report.html" "$out/burst.png" 4
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/queues/report.html" "$out/queues.png" 6
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/queues-faults/report.html" "$out/queues-faults.png" 6
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/eventbridge/report.html" "$out/eventbridge.png" 6
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/eventbridge-faults/report.html" "$out/eventbridge-faults.png" 6
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/search/report.html" "$out/search.png" 2
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/sweep/report.html" "$out/sweep.png" 4
python3 "$ROOT/tests/browser/check_report.py" chromium "$out/sweep/producers.batch_size-5/report.html" "$out/variant.png" 3
# The checker itself must catch what it looks for: a page with a remote image and a console error.
printf '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script></body></html>' >"$out/bad.html"
if python3 "$ROOT/tests/browser/check_report.py" chromium "$out/bad.html" "$out/bad.png" 0 >"$out/bad.log"; then
  cat "$out/bad.log"; log "the checker passed a page that makes a request and logs an error"; exit 1
fi
grep -q "network request: http://127.0.0.1:9/x.png" "$out/bad.log" && grep -q "console error" "$out/bad.log" || {
  cat "$out/bad.log"; exit 1; }
log "negative control caught: $(tr '\n' ' ' <"$out/bad.log")"
