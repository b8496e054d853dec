#!/usr/bin/env bash
# The leftover-process check (scripts/leftovers.py) catches a leak and names its step: a step
# that leaks a sleep on purpose (leaky-step.sh) must fail the check, with the sleep's PID and the
# step's name; once the sleep is stopped by its PID, the same check passes.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; cat "$work/check.out" >&2 2>/dev/null || true; exit 1; }

# A token of its own, so this control neither sees nor hides the processes of a run around it.
export SQSBENCH_CI_RUN="leftovers-control-$$"
python3 "$ROOT/scripts/leftovers.py" snapshot "$work/before"
SQSBENCH_CI_STEP="a step that leaks on purpose" bash "$ROOT/tests/leftovers/leaky-step.sh" "$work/sleep.pid"
leaked=$(cat "$work/sleep.pid")

if python3 "$ROOT/scripts/leftovers.py" check "$work/before" --grace 0 >"$work/check.out"; then
  kill "$leaked"
  fail "the check passed with a leaked sleep (pid $leaked) running"
fi
grep -q "pid $leaked (parent [0-9]*), started in step \"a step that leaks on purpose\": sleep 600" "$work/check.out" \
  || { kill "$leaked"; fail "the check did not name the leaked sleep and its step"; }
echo "negative control caught: $(grep "pid $leaked" "$work/check.out")"

# The control's own cleanup, by PID; then nothing is left and the check passes.
kill "$leaked"
python3 "$ROOT/scripts/leftovers.py" check "$work/before" >"$work/check.out" \
  || fail "the check still reports something after the leaked sleep was stopped"
echo "and once the sleep is stopped: $(cat "$work/check.out")"
