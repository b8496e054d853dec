#!/usr/bin/env bash
# SNS conformance (tests/sns, boto3: SNS speaks the query protocol in every SDK) against
# `sqsbench serve` and LocalStack with SNS and SQS: each must pass the same suite, and every
# exchange, recorded on the wire, must have the same status and XML shape on both
# (tests/sns/compare_captures.py; a recorded pair is kept in tests/sns/wire-captures).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../../scripts/peers.sh"

ensure_venv "$PEERS_DIR/venv-boto3" "$(find_python 11)" boto3==1.44.5 pytest==9.2.0
start_sqsbench_serve
LOCALSTACK_SERVICES=sqs,sns start_localstack
for peer in sqsbench localstack; do
  url=$SERVE_URL
  [[ $peer == localstack ]] && url=$LOCALSTACK_URL
  log "SNS suite against $peer ($url)"
  rm -rf "$PEERS_DIR/sns-captures/$peer"
  SNS_CAPTURE_DIR="$PEERS_DIR/sns-captures/$peer" SNS_ENDPOINT="$url" \
    "$PEERS_DIR/venv-boto3/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/sns"
done
"$PEERS_DIR/venv-boto3/bin/python" "$ROOT/tests/sns/compare_captures.py" \
  "$PEERS_DIR/sns-captures/sqsbench" "$PEERS_DIR/sns-captures/localstack"

# A fan-out run (scenarios/sns-fanout.toml, shortened) on each server: the harness's own SNS
# path — topic, queue policies, filtered subscriptions, PublishBatch, envelopes — as users run it.
for peer in sqsbench localstack; do
  url=$SERVE_URL
  [[ $peer == localstack ]] && url=$LOCALSTACK_URL
  log "fan-out run against $peer ($url)"
  out="$PEERS_DIR/fanout-$peer"
  rm -rf "$out"
  "$SQSBENCH" run "$ROOT/scenarios/sns-fanout.toml" --target "$url" --out "$out" \
    --set run.warmup=0s --set run.duration=3s --set publishers.rate=400/s \
    --set subscriptions.consumers.failure_rate=0.0 >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
  "$PEERS_DIR/venv-boto3/bin/python" "$ROOT/tests/sns/check_fanout.py" "$out"
done
