#!/usr/bin/env bash
# A second real client: runs the boto3 conformance suite (tests/boto3) against `sqsbench serve`.
# Installs boto3 and pytest into a venv of its own; starts and stops the server by PID.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

ensure_venv "$PEERS_DIR/venv-boto3" "$(find_python 11)" boto3==1.44.5 pytest==9.2.0
start_sqsbench_serve --quota fifo_tps=1000
SQSBENCH_ENDPOINT="$SERVE_URL" "$PEERS_DIR/venv-boto3/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/tests/boto3" "$@"
