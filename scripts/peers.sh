# Installing and starting the third-party SQS servers used as real peers (sourced after lib.sh).
# LocalStack runs in host mode from PyPI; fauxqs from npm, started from a few lines of Node so
# it binds loopback with logging off. Both are stopped by PID when the calling script exits.

LOCALSTACK_PINS=("localstack-core[base-runtime]==2026.3.0" "cbor2<6" "pyopenssl<25" "cryptography<45" "service_identity<25")
FAUXQS_VERSION=1.9.2

install_localstack() {
  local python
  python=$(find_python 12) || { log "LocalStack needs Python >= 3.12"; return 1; }
  ensure_venv "$PEERS_DIR/venv-localstack" "$python" "${LOCALSTACK_PINS[@]}"
}

# Starts LocalStack on a free loopback port with the services in LOCALSTACK_SERVICES (SQS only
# unless set: "sqs,sns" for the SNS suite); sets LOCALSTACK_URL.
start_localstack() {
  install_localstack
  local port
  port=$(free_port)
  mkdir -p "$PEERS_DIR/localstack-state"
  spawn env -C "$PEERS_DIR/localstack-state" \
    SERVICES="${LOCALSTACK_SERVICES:-sqs}" GATEWAY_LISTEN="127.0.0.1:$port" GATEWAY_SERVER=hypercorn SQS_ENDPOINT_STRATEGY=path \
    EAGER_SERVICE_LOADING=1 DISABLE_EVENTS=1 DNS_ADDRESS=0 LOCALSTACK_VOLUME_DIR="$PEERS_DIR/localstack-state/volume" \
    FILESYSTEM_ROOT="$PEERS_DIR/localstack-state/fs" \
    "$PEERS_DIR/venv-localstack/bin/python" -m localstack.runtime.main >"$PEERS_DIR/localstack.log" 2>&1
  local pid=$SPAWNED_PID
  LOCALSTACK_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 600); do
    if localstack_ready; then
      log "LocalStack at $LOCALSTACK_URL (pid $pid)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -30 "$PEERS_DIR/localstack.log" >&2; return 1; }
    sleep 0.2
  done
  log "LocalStack did not become ready"; tail -30 "$PEERS_DIR/localstack.log" >&2
  return 1
}

# Whether every service of LOCALSTACK_SERVICES is up.
localstack_ready() {
  local health service services=${LOCALSTACK_SERVICES:-sqs}
  health=$(curl -fsS "$LOCALSTACK_URL/_localstack/health" 2>/dev/null) || return 1
  for service in ${services//,/ }; do
    grep -q "\"$service\": *\"\(available\|running\)\"" <<<"$health" || return 1
  done
}

install_fauxqs() {
  local dir="$PEERS_DIR/fauxqs"
  if [[ ! -f "$dir/node_modules/fauxqs/package.json" ]]; then
    log "installing fauxqs@$FAUXQS_VERSION"
    mkdir -p "$dir"
    (cd "$dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "fauxqs@$FAUXQS_VERSION")
  fi
}

# Starts fauxqs on a free loopback port; sets FAUXQS_URL and FAUXQS_PID.
start_fauxqs() {
  install_fauxqs
  local port
  port=$(free_port)
  cat >"$PEERS_DIR/fauxqs/serve.mjs" <<'JS'
import { buildApp } from "fauxqs";
const port = Number(process.argv[2]);
const app = await buildApp({ logger: false });
await app.listen({ host: "127.0.0.1", port });
process.on("SIGTERM", async () => { await app.close(); process.exit(0); });
JS
  spawn env -C "$PEERS_DIR/fauxqs" node serve.mjs "$port" >"$PEERS_DIR/fauxqs.log" 2>&1
  FAUXQS_PID=$SPAWNED_PID
  wait_for_port "$port" 30 || { tail -30 "$PEERS_DIR/fauxqs.log" >&2; return 1; }
  FAUXQS_URL="http://127.0.0.1:$port"
  log "fauxqs at $FAUXQS_URL (pid $FAUXQS_PID)"
}
