#!/usr/bin/env bash
# Differential checks against LocalStack in host mode:
# 1. the same scripted sequence (tests/differential/sequence.py, boto3 on JSON) against
#    `sqsbench serve` and LocalStack; observable results must match except for the deliberate
#    differences listed in tests/differential/compare.py;
# 2. the query-protocol suite (tests/query, botocore 1.31.80: form-encoded requests, XML
#    responses) against both servers: each must pass it.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../../scripts/peers.sh"

ensure_venv "$PEERS_DIR/venv-boto3" "$(find_python 11)" boto3==1.44.5 pytest==9.2.0
# The last botocore release whose SQS model speaks the query protocol.
ensure_venv "$PEERS_DIR/venv-query" "$(find_python 11)" boto3==1.28.80 botocore==1.31.80 pytest==9.2.0
PY="$PEERS_DIR/venv-boto3/bin/python"
start_sqsbench_serve
start_localstack
"$PY" "$ROOT/tests/differential/sequence.py" "$SERVE_URL" "$PEERS_DIR/diff-sqsbench.json"
"$PY" "$ROOT/tests/differential/sequence.py" "$LOCALSTACK_URL" "$PEERS_DIR/diff-localstack.json"
"$PY" "$ROOT/tests/differential/compare.py" "$PEERS_DIR/diff-sqsbench.json" "$PEERS_DIR/diff-localstack.json"
for peer in sqsbench localstack; do
  url=$SERVE_URL
  [[ $peer == localstack ]] && url=$LOCALSTACK_URL
  log "query protocol suite against $peer ($url)"
  QUERY_PEER=$peer SQSBENCH_ENDPOINT="$url" "$PEERS_DIR/venv-query/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning "$ROOT/tests/query"
done
