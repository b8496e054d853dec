#!/usr/bin/env bash
# The project's test command (the README's, and what CI runs): formatting, lints, every Rust
# test (unit, property, integration with the real aws-sdk-sqs), then the third-party checks:
# the hlog read by the Python HdrHistogram port, the boto3 suite against `sqsbench serve`, the differential check and the
# query-protocol suite (botocore 1.31.80) against LocalStack, the AWS CLI and the JavaScript SDK on both servers, and
# `sqsbench run` against fauxqs and LocalStack, live metrics scraped by Debian's Prometheus (with
# the Grafana dashboard's queries), the Kubernetes manifests (schemas, hadolint, a rehearsal of
# the pods as local processes), report.html in headless Chromium, and the example
# CI gate (scripts/ci-batch-sizes.sh and the GitHub workflow's steps).
# Installs what those need (venvs, npm packages) itself; all servers bind 127.0.0.1.
# Last, pass or fail, it checks that no process it started is still running (scripts/leftovers.py).
set -euo pipefail
cd "$(dirname "$0")/.."

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
step() {
  step_ended
  step_name="$*" step_started=$SECONDS
  printf '\n== %s\n' "$*"
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

step "the leftover-process check catches a leak (its negative control)"
tests/leftovers/control.sh

step "format"
cargo fmt --all --check
step "lints"
cargo clippy --release --all-targets -- -D warnings
step "build"
cargo build --release --all-targets
step "Rust tests (unit, property, aws-sdk-sqs integration, CLI)"
cargo test --release
step "histograms.hlog read by HdrHistogram's Python port"
scripts/test-hlog-python.sh
step "boto3 conformance suite against sqsbench serve"
scripts/test-boto3.sh
step "differential check and the query protocol against LocalStack"
scripts/test-differential.sh
step "SNS conformance suite against sqsbench serve and LocalStack (SQS and SNS)"
scripts/test-sns.sh
step "a tomodachi service (aws_sns_sqs handler with a filter policy) against sqsbench serve"
scripts/test-tomodachi.sh
step "the AWS CLI and the JavaScript SDK against sqsbench serve and LocalStack"
scripts/test-clients.sh
step "sqsbench run against fauxqs and LocalStack"
scripts/test-peer-runs.sh
step "live metrics scraped by a real Prometheus, and the Grafana dashboard's queries"
scripts/test-metrics.sh
step "deploy/kubernetes: schemas, the Dockerfile's lint, and a rehearsal of the pods on one machine"
scripts/test-kubernetes.sh
step "clock offsets: a shard under faketime +3s measured within its bound and flagged by the merge"
scripts/test-clock-skew.sh
step "report.html in headless Chromium"
scripts/test-report-html.sh
step "the example CI gate (scripts/ci-batch-sizes.sh, .github/workflows/batch-sizes.yml)"
scripts/test-ci-example.sh
