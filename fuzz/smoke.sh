#!/usr/bin/env bash
# The fuzz smoke test (CI's `fuzz` suite): installs cargo-fuzz if it is not here, builds every
# target (libFuzzer, `--sanitizer none`: the default AddressSanitizer needs nightly flags), then
# runs each for FUZZ_SECONDS (20) on a copy of its committed corpus, two at a time. Any crash,
# timeout or out-of-memory fails the suite and leaves the input in fuzz/artifacts/<target>/.
#   fuzz/smoke.sh                      every target
#   FUZZ_SECONDS=600 fuzz/smoke.sh sqs_json   one target, ten minutes (docs/fuzzing.md)
set -euo pipefail
cd "$(dirname "$0")"
source ../scripts/lib.sh

CARGO_FUZZ_VERSION=0.13.2
SECONDS_EACH=${FUZZ_SECONDS:-20}
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
# `--dev` (opt-level 1, fuzz/Cargo.toml) builds in about half the time of `--release`; the long
# runs of docs/fuzzing.md use `--release`.
mode=${FUZZ_BUILD:---dev}
started=$SECONDS
cargo fuzz build --sanitizer none --codegen-units 16 "$mode"
log "built the fuzz targets ($mode) in $((SECONDS - started)) s"
profile=release
[[ $mode == --dev ]] && profile=debug
bin="target/x86_64-unknown-linux-gnu/$profile"

targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo fuzz list)
work=$(mktemp -d)
trap 'stop_started; rm -rf "$work"' EXIT
run_one() {
  local t=$1
  mkdir -p "$work/$t" "artifacts/$t"
  "$bin/$t" "$work/$t" "corpus/$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$work/$t.log" 2>&1
}
failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for t in "${targets[@]:i:2}"; do
    run_one "$t" &
    pids+=("$!:$t")
  done
  for entry in "${pids[@]}"; do
    t=${entry#*:}
    if wait "${entry%%:*}"; then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
      features=$(grep -o 'ft: [0-9]*' "$work/$t.log" | tail -1)
      log "ok: $t: $runs executions in ${SECONDS_EACH} s, $features, no crash"
    else
      log "FAILED: $t (the input is in fuzz/artifacts/$t/):"
      tail -30 "$work/$t.log" >&2
      failed=1
    fi
  done
done
exit "$failed"
