#!/usr/bin/env bash
# Differential check: the same scripted sequence (tests/differential/sequence.py) against
# `sqsbench serve` and LocalStack in host mode; observable results must match except for the
# deliberate differences listed in tests/differential/compare.py.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/peers.sh"

ensure_venv "$PEERS_DIR/venv-boto3" "$(find_python 11)" boto3==1.44.5 pytest==9.2.0
PY="$PEERS_DIR/venv-boto3/bin/python"
start_sqsbench_serve
start_localstack
"$PY" "$ROOT/tests/differential/sequence.py" "$SERVE_URL" "$PEERS_DIR/diff-sqsbench.json"
"$PY" "$ROOT/tests/differential/sequence.py" "$LOCALSTACK_URL" "$PEERS_DIR/diff-localstack.json"
"$PY" "$ROOT/tests/differential/compare.py" "$PEERS_DIR/diff-sqsbench.json" "$PEERS_DIR/diff-localstack.json"
