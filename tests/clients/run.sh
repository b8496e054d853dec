#!/usr/bin/env bash
# Real clients against `sqsbench serve` and LocalStack: the AWS CLI (awscli from PyPI) and the AWS
# SDK for JavaScript v3 (@aws-sdk/client-sqs from npm) each run one scenario (tests/clients:
# create, send, receive, delete, purge, a dead-letter redrive, an error) against both servers;
# what each client observes must be the same on both. Installs both clients itself.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../../scripts/peers.sh"

AWSCLI_VERSION=1.46.3
JS_SDK_VERSION=3.1175.0
ensure_venv "$PEERS_DIR/venv-awscli" "$(find_python 11)" "awscli==$AWSCLI_VERSION"
JS_DIR="$PEERS_DIR/js-client-$JS_SDK_VERSION"
if [[ ! -d "$JS_DIR/node_modules/@aws-sdk/client-sqs" ]]; then
  log "installing @aws-sdk/client-sqs $JS_SDK_VERSION"
  mkdir -p "$JS_DIR"
  (cd "$JS_DIR" && npm install --silent --no-audit --no-fund --prefix . "@aws-sdk/client-sqs@$JS_SDK_VERSION")
fi
start_sqsbench_serve
start_localstack
PY="$PEERS_DIR/venv-awscli/bin/python"
for peer in sqsbench localstack; do
  url=$SERVE_URL
  [[ $peer == localstack ]] && url=$LOCALSTACK_URL
  log "aws cli against $peer"
  "$PY" "$ROOT/tests/clients/aws_cli_scenario.py" "$PEERS_DIR/venv-awscli/bin/aws" "$url" "$PEERS_DIR/cli-$peer.json"
  log "javascript sdk against $peer"
  NODE_NO_WARNINGS=1 SQS_CLIENT_MODULES="$JS_DIR/node_modules" node "$ROOT/tests/clients/js_sdk_scenario.mjs" "$url" "$PEERS_DIR/js-$peer.json"
done
for client in cli js; do
  if ! diff -u "$PEERS_DIR/$client-localstack.json" "$PEERS_DIR/$client-sqsbench.json"; then
    log "the $client client observed something else on sqsbench serve than on LocalStack (diff above)"
    exit 1
  fi
  log "$client: the same on sqsbench serve and LocalStack ($(grep -c '^ "' "$PEERS_DIR/$client-sqsbench.json") observations)"
done
