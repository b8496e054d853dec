#!/usr/bin/env bash
# Example CI gate: run the batch-size sweep on the embedded emulator (no AWS account needed),
# compare the batch-10 variant against a stored baseline, and fail the job when it got worse.
# Posts both tables as Markdown to $GITHUB_STEP_SUMMARY when set (GitHub Actions).
#
#   scripts/ci-batch-sizes.sh [BASELINE_DIR]      (default: scripts/baselines/batch-sizes-10)
#
# Environment: OUT (results directory, default results/ci-batch-sizes-<time>), DURATION (the
# measured phase per variant, default 5s), EXTRA_FAIL_IF (more --fail-if rules, space-separated).
# Exit: 0 all good, 1 a rule or an [expect] check failed, 2 bad input.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SQSBENCH="${SQSBENCH:-$ROOT/target/release/sqsbench}"
BASELINE="${1:-$ROOT/scripts/baselines/batch-sizes-10}"
OUT="${OUT:-$ROOT/results/ci-batch-sizes-$(date -u +%Y%m%dT%H%M%SZ)}"
DURATION="${DURATION:-5s}"
SUMMARY="${GITHUB_STEP_SUMMARY:-$OUT.md}"

# The sweep: same seed and schedule per variant; an open-loop rate any runner sustains.
status=0
"$SQSBENCH" run "$ROOT/scenarios/batch-sizes.toml" --duration "$DURATION" \
  --set run.warmup=1s --set producers.rate=500/s --set consumers.wait_time=1s \
  --out "$OUT" --quiet || status=$?
if [[ $status == 2 || ! -f "$OUT/comparison.md" ]]; then
  echo "sweep failed to run (exit $status)" >&2
  exit 2
fi
cat "$OUT/comparison.md" >>"$SUMMARY"
echo >>"$SUMMARY"

# Rules chosen to hold on any healthy runner: integrity is absolute, request counts follow the
# schedule, and latency/throughput get room for a slower machine.
rules=(
  --fail-if "messages.lost:>0"
  --fail-if "messages.duplicates:>0"
  --fail-if "throughput.received_per_sec:-10%"
  --fail-if "requests.SendMessageBatch.count:+5%"
  --fail-if "latency_us.end_to_end.p99:+100%"
)
for r in ${EXTRA_FAIL_IF:-}; do rules+=(--fail-if "$r"); done
compare_status=0
"$SQSBENCH" compare "$BASELINE" "$OUT/producers.batch_size-10" "${rules[@]}" \
  --markdown "$SUMMARY" || compare_status=$?
echo "results: $OUT; Markdown: $SUMMARY"
# The worse of the two: 2 (bad input) over 1 (a check failed) over 0.
exit $((compare_status > status ? compare_status : status))
