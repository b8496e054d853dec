#!/usr/bin/env bash
# `sqsbench serve --auth sigv4` (and with --tls-cert/--tls-key) against real clients: boto3 and
# the AWS CLI (check_python_clients.py), the JavaScript SDK (check_js_sdk.mjs), each with the
# right secret, a wrong secret and an unknown key, over plain HTTP and over TLS with a CA made
# here by openssl; then `sqsbench run --target https://…` against the locked TLS server. (The
# Rust SDK's checks are in crates/sqsbench-emulator/tests/it/auth.rs.) Installs its clients.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

AWSCLI_VERSION=1.46.3
JS_SDK_VERSION=3.1175.0
ensure_venv "$PEERS_DIR/venv-boto3" "$(find_python 11)" boto3==1.44.5 pytest==9.2.0
ensure_venv "$PEERS_DIR/venv-awscli" "$(find_python 11)" "awscli==$AWSCLI_VERSION"
JS_DIR="$PEERS_DIR/js-client-$JS_SDK_VERSION"
if [[ ! -d "$JS_DIR/node_modules/@aws-sdk/client-sqs" ]]; then
  log "installing @aws-sdk/client-sqs $JS_SDK_VERSION"
  mkdir -p "$JS_DIR"
  (cd "$JS_DIR" && npm install --silent --no-audit --no-fund --prefix . "@aws-sdk/client-sqs@$JS_SDK_VERSION")
fi

work=$(mktemp -d)
trap 'stop_started; rm -rf "$work"' EXIT
# A CA made for this run, and a server certificate for 127.0.0.1 and localhost it signed, with
# the extensions Python 3.13's strict verification asks for (key usage, key identifiers).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sqsbench test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/server.key" \
  -out "$work/server.csr" 2>/dev/null
cat >"$work/san.ext" <<'EXT'
subjectAltName=IP:127.0.0.1,DNS:localhost
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EXT
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
cat >"$work/credentials" <<'KEYS'
[default]
aws_access_key_id = AKIDRIGHT
aws_secret_access_key = right-secret

[temporary]
aws_access_key_id = ASIATEMP
aws_secret_access_key = temp-secret
aws_session_token = the-token
KEYS

start_sqsbench_serve --auth sigv4 --credentials "$work/credentials"
PLAIN_URL=$SERVE_URL
start_sqsbench_serve --auth sigv4 --credentials "$work/credentials" \
  --tls-cert "$work/server.pem" --tls-key "$work/server.key"
TLS_URL=${SERVE_URL/http:/https:}

log "boto3 and the aws cli against $PLAIN_URL and $TLS_URL"
"$PEERS_DIR/venv-boto3/bin/python" "$ROOT/tests/auth/check_python_clients.py" \
  "$PEERS_DIR/venv-awscli/bin/aws" "$PLAIN_URL" "$TLS_URL" "$work/ca.pem"
log "the javascript sdk against both"
NODE_NO_WARNINGS=1 NODE_EXTRA_CA_CERTS="$work/ca.pem" SQS_CLIENT_MODULES="$JS_DIR/node_modules" \
  node "$ROOT/tests/auth/check_js_sdk.mjs" "$PLAIN_URL" "$TLS_URL"

# sqsbench itself through the locked TLS door, trusting the test CA as the AWS CLI and boto3 do
# (AWS_CA_BUNDLE), or as the SDK's default HTTPS client does (SSL_CERT_FILE, which replaces the
# system's roots); the keys come from the environment as for any endpoint.
run_locked() {
  local secret=$1 out=$2 trust=$3 client=${4:-lean}
  env AWS_ACCESS_KEY_ID=AKIDRIGHT AWS_SECRET_ACCESS_KEY="$secret" AWS_REGION=us-east-1 \
    AWS_EC2_METADATA_DISABLED=true "$trust" \
    "$SQSBENCH" run "$ROOT/scenarios/quickstart.toml" --target "$TLS_URL" --duration 2s \
    --set run.warmup=0s --set "target.client=\"$client\"" --set "queue.name=\"sqsbench-auth-$out\"" \
    --out "$work/$out" >"$work/$out.log" 2>&1
}
# Both clients of the hot calls sign and speak TLS: every call must succeed. Each run has a queue
# name of its own: serve, like SQS, refuses a name for 60 s after it was deleted.
for client in lean sdk; do
  log "sqsbench run --target $TLS_URL, client $client"
  run_locked right-secret "run-right-$client" "AWS_CA_BUNDLE=$work/ca.pem" "$client" || {
    cat "$work/run-right-$client.log"; exit 1; }
  summary="$work/run-right-$client/summary.json"
  received=$(jq '.messages.received' "$summary")
  failed=$(jq '[.requests[] | .errors + .timeouts + .connect_failed + .throttled] | add' "$summary")
  [[ $(jq -r '.target.client' "$summary") == "$client" ]] || { log "summary.json names another client"; exit 1; }
  [[ $received -gt 0 && $failed -eq 0 ]] || {
    log "the $client run through TLS and SigV4 received $received, with $failed failed calls"; exit 1; }
  log "ok: sqsbench run over https (AWS_CA_BUNDLE) with SigV4, client $client: received $received messages, no failed call"
done
status=0
run_locked wrong-secret run-wrong "SSL_CERT_FILE=$work/ca.pem" || status=$?
if ((status == 0)) || ! grep -q SignatureDoesNotMatch "$work/run-wrong.log"; then
  log "a run with the wrong secret was not refused with SignatureDoesNotMatch (exit $status)"
  cat "$work/run-wrong.log"
  exit 1
fi
log "ok: sqsbench run over https (SSL_CERT_FILE) with a wrong secret stops with SignatureDoesNotMatch (exit $status)"
status=0
run_locked right-secret run-bad-bundle "AWS_CA_BUNDLE=$work/credentials" || status=$?
if ((status != 2)) || ! grep -q "AWS_CA_BUNDLE=.*holds no PEM certificate" "$work/run-bad-bundle.log"; then
  log "an AWS_CA_BUNDLE without a certificate was not refused with exit 2 (exit $status)"
  cat "$work/run-bad-bundle.log"
  exit 1
fi
log "ok: an AWS_CA_BUNDLE without a certificate is refused, exit 2"
