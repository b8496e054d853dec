#!/usr/bin/env bash
# A real SNS client as its users run it: a tomodachi service (tests/tomodachi/service.py) with
# an `aws_sns_sqs` handler behind a filter policy, publishing with `aws_sns_sqs_publish`,
# against `sqsbench serve`. The handler must get exactly the matching messages; the emulator's
# metrics show that tomodachi asked STS GetCallerIdentity on the same endpoint and was answered.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

ensure_venv "$PEERS_DIR/venv-tomodachi" "$(find_python 12)" tomodachi==0.29.0
metrics_port=$(free_port)
start_sqsbench_serve --metrics "127.0.0.1:$metrics_port"
result="$PEERS_DIR/tomodachi-result.json"
rm -f "$result"
log "tomodachi service against $SERVE_URL"
# tomodachi imports the service by a path relative to where it runs.
cd "$ROOT"
SQSBENCH_ENDPOINT="$SERVE_URL" TOMODACHI_RESULT="$result" \
  timeout 120 "$PEERS_DIR/venv-tomodachi/bin/tomodachi" run --production tests/tomodachi/service.py \
  >"$PEERS_DIR/tomodachi.log" 2>&1 || { tail -40 "$PEERS_DIR/tomodachi.log" >&2; exit 1; }
"$PEERS_DIR/venv-tomodachi/bin/python" "$ROOT/tests/tomodachi/check.py" "$result"
identity=$(curl -fsS "http://127.0.0.1:$metrics_port/metrics" | grep '^sqsbench_emulator_requests_total{action="GetCallerIdentity",outcome="ok"}' || true)
[[ -n $identity ]] || { echo "FAIL: tomodachi never asked STS GetCallerIdentity" >&2; exit 1; }
log "STS answered: $identity"
