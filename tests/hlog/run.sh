#!/usr/bin/env bash
# The hlog is readable by another HdrHistogram implementation: runs a short scenario on the
# embedded emulator, then reads its histograms.hlog with the Python port (PyPI hdrhistogram) and
# checks every second's end-to-end percentiles against timeseries.csv (tests/hlog).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

ensure_sqsbench
ensure_venv "$PEERS_DIR/venv-hdrh" "$(find_python 11)" hdrhistogram==0.10.8
out="$(mktemp -d)/run"
"$SQSBENCH" run "$ROOT/scenarios/reference.toml" --duration 3s --set run.warmup=1s \
  --out "$out" --quiet >/dev/null
"$PEERS_DIR/venv-hdrh/bin/python" "$ROOT/tests/hlog/read_with_python_port.py" "$out"
rm -rf "$(dirname "$out")"
