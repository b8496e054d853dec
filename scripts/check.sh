#!/usr/bin/env bash
# The project's test command (the README's, and what CI runs): every suite below, in order, or
# only those named.
#
#   scripts/check.sh                 every suite (what .ci/run runs)
#   scripts/check.sh rust metrics    only these suites
#   scripts/check.sh --list          each suite with its typical time on a 2-core machine
#
# Each suite's helper script sits with its tests (tests/<suite>/run.sh) and installs what it
# needs (venvs, npm packages) itself; all servers bind 127.0.0.1. Each step's time is printed as
# it ends and listed again at the end. Last, pass or fail, it checks that no process it started
# is still running (scripts/leftovers.py).
set -euo pipefail
cd "$(dirname "$0")/.."

# name | typical seconds (`.ci/run` on a fresh clone on the 2-core machine, 2026-12-05: 1,119 s in
# all; lints and build compile everything, later suites reuse the build) | what it checks | the command
SUITES=(
  "fmt|1|formatting|cargo fmt --all --check"
  "lints|92|clippy, warnings as errors|cargo clippy --release --all-targets -- -D warnings"
  "build|388|the release build of every target|cargo build --release --all-targets"
  "rust|158|Rust tests: unit, property, snapshots, aws-sdk-sqs integration, CLI, docs|cargo test --release"
  "hlog|9|histograms.hlog read by HdrHistogram's Python port|tests/hlog/run.sh"
  "boto3|7|boto3 conformance suite against sqsbench serve|tests/boto3/run.sh"
  "differential|27|differential check and the query protocol against LocalStack|tests/differential/run.sh"
  "sns|27|SNS conformance suite against sqsbench serve and LocalStack|tests/sns/run.sh"
  "tomodachi|11|a tomodachi service (aws_sns_sqs handler, filter policy) against sqsbench serve|tests/tomodachi/run.sh"
  "eventbridge|30|the EventBridge pattern corpus and the AWS CLI against sqsbench serve and LocalStack|tests/eventbridge/run.sh"
  "clients|30|the AWS CLI and the JavaScript SDK against sqsbench serve and LocalStack|tests/clients/run.sh"
  "auth|25|serve --auth sigv4 and --tls with boto3, the AWS CLI, the JS SDK and sqsbench run|tests/auth/run.sh"
  "peers|33|sqsbench run against fauxqs and LocalStack|tests/peers/run.sh"
  "metrics|17|live metrics scraped by a real Prometheus, and the Grafana dashboard's queries|tests/metrics/run.sh"
  "kubernetes|95|deploy/kubernetes and overlays/s3: schemas, the Dockerfile's lint, the pods rehearsed on one machine|tests/kubernetes/run.sh"
  "s3|40|results in S3 (moto's server): run, shards, merge, report, compare; a killed shard; refused and failed uploads|tests/s3/run.sh"
  "clock-skew|13|a shard under faketime +3s measured within its bound and flagged by the merge|tests/clock-skew/run.sh"
  "browser|44|report.html in headless Chromium|tests/browser/run.sh"
  "ci-example|200|the example CI gate (scripts/ci-batch-sizes.sh, the GitHub workflow's steps)|tests/ci-example/run.sh"
  "fuzz|400|every fuzz target built (cargo-fuzz, libFuzzer) and run for 20 s on its corpus|fuzz/smoke.sh"
  "conventions|4|completions, man pages, init templates and the scenario JSON Schema|tests/conventions/run.sh"
)
field() { cut -d'|' -f"$2" <<<"$1"; }

if [[ ${1:-} == --list ]]; then
  for s in "${SUITES[@]}"; do
    printf '%-13s %5ss  %s\n' "$(field "$s" 1)" "$(field "$s" 2)" "$(field "$s" 3)"
  done
  exit 0
fi
wanted=("$@")
for w in "${wanted[@]}"; do
  known=0
  for s in "${SUITES[@]}"; do [[ $(field "$s" 1) == "$w" ]] && known=1; done
  if ((!known)); then
    echo "error: no suite named $w (scripts/check.sh --list names them)" >&2
    exit 2
  fi
done

# The venvs are made once per clone; pip's wheel cache would only hold a second copy on disk.
export PIP_NO_CACHE_DIR=1

# Everything a step starts inherits this run's token and the step's name, so a process left
# running can be traced to its step even after it is reparented (scripts/leftovers.py).
export SQSBENCH_CI_RUN="check-$$-$(date +%s%N)"
started_with=$(mktemp)
python3 scripts/leftovers.py snapshot "$started_with"
# Each step's wall time, said as it ends and listed again at the end.
times=()
step_name="" step_started=$SECONDS
step_ended() {
  [[ -n $step_name ]] || return 0
  local took=$((SECONDS - step_started))
  printf '   (%ds)\n' "$took"
  times+=("$(printf '%5ds  %s' "$took" "$step_name")")
}
# Free disk space, said with each step: a full disk (seen once on a CI machine, during a venv's
# install) is then plain from the log.
disk_free() { df -h --output=avail . 2>/dev/null | tail -1 | tr -d ' '; }
step() {
  step_ended
  step_name="$*" step_started=$SECONDS
  printf '\n== %s\n' "$*"
  printf '   (disk: %s free)\n' "$(disk_free)"
  export SQSBENCH_CI_STEP="$*"
}
finish() {
  local status=$?
  step "no process started by this run is left running"
  python3 scripts/leftovers.py check "$started_with" || status=1
  rm -f "$started_with"
  step_ended
  step_name=""
  printf '\n== step times (seconds)\n'
  printf '%s\n' "${times[@]}"
  ((status)) || step "all checks passed"
  exit "$status"
}
trap finish EXIT
# A run stopped by a signal ends through finish with the signal's status, never "all checks passed".
trap 'exit 130' INT
trap 'exit 143' TERM

step "the leftover-process check catches a leak (its negative control)"
tests/leftovers/control.sh

for s in "${SUITES[@]}"; do
  name=$(field "$s" 1)
  if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  step "$name: $(field "$s" 3)"
  bash -c "$(field "$s" 4)"
done
