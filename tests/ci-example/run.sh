#!/usr/bin/env bash
# Exercises the example CI gate the way GitHub Actions would: runs every `run:` step of
# .github/workflows/batch-sizes.yml in order (the `uses:` steps are GitHub's: checkout, the
# toolchain and the artifact upload) with $GITHUB_STEP_SUMMARY pointing at a file, and expects
# exit 0 with both tables posted; then checks that a broken rule fails the gate (exit 1) and a
# malformed one is bad input (exit 2).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
ensure_sqsbench
cd "$ROOT"
work="$ROOT/target/ci-example"
rm -rf "$work" "$ROOT/results/ci-batch-sizes"
mkdir -p "$work"
trap 'rm -rf "$ROOT/results/ci-batch-sizes"; stop_started' EXIT

export GITHUB_STEP_SUMMARY="$work/step-summary.md"
steps=$(sed -n 's/^ *run: //p' .github/workflows/batch-sizes.yml)
[[ -n "$steps" ]] || { log "no run: steps found in the workflow"; exit 1; }
while IFS= read -r step; do
  log "workflow step: $step"
  bash -c "$step"
done <<<"$steps"
grep -q "### sqsbench sweep: batch-sizes" "$GITHUB_STEP_SUMMARY"
grep -q "### sqsbench compare" "$GITHUB_STEP_SUMMARY"
grep -q 'every `--fail-if` rule holds' "$GITHUB_STEP_SUMMARY"
log "the workflow's steps pass and post both tables"

export GITHUB_STEP_SUMMARY="$work/broken.md"
code=0
OUT="$work/broken" DURATION=2s EXTRA_FAIL_IF="messages.sent:<1000000" scripts/ci-batch-sizes.sh >"$work/broken.log" 2>&1 || code=$?
[[ $code == 1 ]] || { cat "$work/broken.log"; log "a broken rule exited $code, not 1"; exit 1; }
grep -q 'FAILED messages.sent:<1000000' "$work/broken.log"
grep -q 'a `--fail-if` rule is broken' "$GITHUB_STEP_SUMMARY"
log "a broken rule fails the gate with exit 1"

code=0
OUT="$work/malformed" DURATION=1s EXTRA_FAIL_IF="messages.sent<5" scripts/ci-batch-sizes.sh >"$work/malformed.log" 2>&1 || code=$?
[[ $code == 2 ]] || { cat "$work/malformed.log"; log "a malformed rule exited $code, not 2"; exit 1; }
grep -q '"messages.sent<5"' "$work/malformed.log"
log "a malformed rule is bad input, exit 2"
