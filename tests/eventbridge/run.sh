#!/usr/bin/env bash
# EventBridge against sqsbench serve and LocalStack (SERVICES=events,sqs, which needs moto-ext,
# python-crontab and croniter in LocalStack's venv): the pattern corpus through each server's
# TestEventPattern, and the AWS CLI's `aws events` scenario (tests/eventbridge). sqsbench serve
# must answer the whole corpus as AWS's documentation does; LocalStack's differences must be
# exactly those listed in tests/eventbridge/localstack-differences.json (docs/emulator.md
# explains them), so a change on either side is noticed.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../../scripts/peers.sh"

ensure_venv "$PEERS_DIR/venv-boto3" "$(find_python 11)" boto3==1.44.5 pytest==9.2.0
ensure_venv "$PEERS_DIR/venv-awscli" "$(find_python 11)" "awscli==1.46.3"
install_localstack
"$PEERS_DIR/venv-localstack/bin/pip" install -q moto-ext==5.1.54 python-crontab==3.4.0 croniter==7.0.0 jsonpath-rw==1.4.0
CORPUS="$ROOT/crates/sqsbench-emulator/tests/corpus/event-patterns.json"
start_sqsbench_serve
LOCALSTACK_SERVICES=events,sqs start_localstack
for peer in sqsbench localstack; do
  url=$SERVE_URL
  [[ $peer == localstack ]] && url=$LOCALSTACK_URL
  log "pattern corpus against $peer"
  "$PEERS_DIR/venv-boto3/bin/python" "$ROOT/tests/eventbridge/corpus_against.py" "$url" "$CORPUS" "$PEERS_DIR/eventbridge-$peer.json"
  log "aws events against $peer"
  "$PEERS_DIR/venv-awscli/bin/python" "$ROOT/tests/eventbridge/aws_cli_eventbridge.py" "$PEERS_DIR/venv-awscli/bin/aws" "$url"
done
if [[ $(cat "$PEERS_DIR/eventbridge-sqsbench.json") != "[]" ]]; then
  log "sqsbench serve differs from the documented answers:"; cat "$PEERS_DIR/eventbridge-sqsbench.json"; exit 1
fi
if ! diff -u "$ROOT/tests/eventbridge/localstack-differences.json" "$PEERS_DIR/eventbridge-localstack.json"; then
  log "LocalStack's differences from the documentation changed (diff above): update the list and docs/emulator.md"
  exit 1
fi
log "LocalStack differs from the documentation in exactly the $(grep -c '"source"' "$ROOT/tests/eventbridge/localstack-differences.json") listed triples"

# scenarios/eventbridge.toml (shortened) on each server: the harness's own EventBridge path —
# bus, rules, targets with an input transformer and a FIFO queue, queue policies, PutEvents,
# envelopes — as users run it.
for peer in sqsbench localstack; do
  url=$SERVE_URL
  [[ $peer == localstack ]] && url=$LOCALSTACK_URL
  log "EventBridge run against $peer ($url)"
  out="$PEERS_DIR/eventbridge-run-$peer"
  rm -rf "$out"
  "$SQSBENCH" run "$ROOT/scenarios/eventbridge.toml" --target "$url" --out "$out" \
    --set run.warmup=0s --set run.duration=3s --set event_publishers.rate=200/s \
    >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
  "$PEERS_DIR/venv-boto3/bin/python" "$ROOT/tests/eventbridge/check_run.py" "$out"
done
