#!/usr/bin/env bash
# Results in S3, against moto's S3 server on loopback (and sqsbench serve as the queue):
#  1. a run written to s3:// (segments while it runs, summary.json the last object put, as
#     moto's request recorder shows), then `report` and `compare` reading it from S3;
#  2. two shards and the merge entirely in S3 (`merge s3://…/shard-*`);
#  3. a shard SIGKILLed after its journal's first segments, merged with --allow-missing: its
#     window of unknown receives reported, nothing counted lost;
#  4. failures: a missing bucket and missing credentials exit 2 before any traffic; a user
#     IAM denies writing (moto's IAM-enforcing mode, INITIAL_NO_AUTH_ACTION_COUNT) exits 2
#     before any traffic; a user allowed only the probe and the segments gets exit 4 at the
#     end, naming the object, with the local copy complete.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

ensure_sqsbench
ensure_venv "$PEERS_DIR/venv-moto" "$(find_python 11)" "moto[server]==5.2.5"
PY="$PEERS_DIR/venv-moto/bin/python"
CHECK=("$PY" "$ROOT/tests/s3/check.py")
work="$ROOT/target/s3-suite"
rm -rf "$work"
mkdir -p "$work"

start_moto() { # PORT_VAR LOG [ENV…]: moto's server on a free loopback port
  local port log=$2
  port=$(free_port)
  spawn env "${@:3}" "$PEERS_DIR/venv-moto/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1
  wait_for_port "$port" 30
  printf -v "$1" '%s' "http://127.0.0.1:$port"
}
# Its request recorder writes to a file of its own, here rather than the working directory.
start_moto MOTO "$work/moto.log" MOTO_RECORDER_FILEPATH="$work/moto-recording.jsonl"
start_moto MOTO_IAM "$work/moto-iam.log" INITIAL_NO_AUTH_ACTION_COUNT=7
start_sqsbench_serve
log "moto at $MOTO, moto enforcing IAM at $MOTO_IAM"
bucket=sqsbench-results
"${CHECK[@]}" bucket "$MOTO" "$bucket"
"${CHECK[@]}" iam "$MOTO_IAM" "$bucket" "$work/users.json"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_S3=$MOTO
cat >"$work/scenario.toml" <<'TOML'
name = "s3-results"
[queue]
name = "sqsbench-s3-suite"
[run]
warmup = "0s"
duration = "3s"
drain_timeout = "15s"
[[producers]]
name = "producers"
count = 2
rate = "300/s"
batch_size = 10
[[consumers]]
name = "consumers"
count = 2
wait_time = "1s"
TOML
# Each run its own queue: the emulator, like SQS, refuses a deleted queue's name for 60 s.
runs=0
run() { runs=$((runs + 1)); "$SQSBENCH" run "$work/scenario.toml" --target "$SERVE_URL" --quiet --set "queue.name=sqsbench-s3-$runs" "$@"; }
expect_exit() { # CODE LOG COMMAND…
  local want=$1 log=$2 got=0
  shift 2
  "$@" >"$log" 2>&1 || got=$?
  [[ $got == "$want" ]] || { cat "$log"; log "FAIL: exit $got, expected $want: $*"; exit 1; }
}

log "1. a run into S3, then report and compare from S3"
curl -fsS -X POST "$MOTO/moto-api/recorder/reset-recording" >/dev/null
curl -fsS -X POST "$MOTO/moto-api/recorder/start-recording" >/dev/null
expect_exit 0 "$work/a.log" run --out "s3://$bucket/runs/a" --local "$work/a-local" --upload-every 1s
curl -fsS -X POST "$MOTO/moto-api/recorder/stop-recording" >/dev/null
curl -fsS "$MOTO/moto-api/recorder/download-recording" >"$work/a-recording.jsonl"
grep -q "uploaded: s3://$bucket/runs/a/" "$work/a.log" || { cat "$work/a.log"; exit 1; }
"${CHECK[@]}" run "$MOTO" "$bucket" runs/a/ "$work/a-recording.jsonl"
expect_exit 0 "$work/b.log" run --out "s3://$bucket/runs/b" --local "$work/b-local" --set producers.batch_size=5
expect_exit 0 "$work/report.log" "$SQSBENCH" report "s3://$bucket/runs/a"
grep -q "uploaded: s3://$bucket/runs/a/" "$work/report.log" || { cat "$work/report.log"; exit 1; }
expect_exit 0 "$work/compare.log" "$SQSBENCH" compare "s3://$bucket/runs/a" "s3://$bucket/runs/b" --fail-if "messages.lost:>0"
grep -q "baseline s3://$bucket/runs/a/ → candidate s3://$bucket/runs/b/" "$work/compare.log" || { cat "$work/compare.log"; exit 1; }
expect_exit 1 "$work/compare-fails.log" "$SQSBENCH" compare "s3://$bucket/runs/a" "s3://$bucket/runs/b" --fail-if "messages.sent:<1000000000"
log "report and compare read from S3 (compare's rules: 0 and 1 as expected)"

shards() { # RUN_ID SECONDS: two shards of the run in the background; sets SHARD_PIDS
  local id=$1 start_at
  start_at=$(date -u -d "+4 seconds" +%Y-%m-%dT%H:%M:%SZ)
  SHARD_PIDS=()
  for i in 0 1; do
    spawn "$SQSBENCH" run "$work/scenario.toml" --target "$SERVE_URL" --quiet --set "run.duration=$2s" --set "queue.name=$id" \
      --shard "$i/2" --run-id "$id" --start-at "$start_at" --upload-every 1s \
      --out "s3://$bucket/$id/shard-$i" --local "$work/$id-shard-$i" >"$work/$id-shard-$i.log" 2>&1
    SHARD_PIDS+=("$SPAWNED_PID")
  done
}

log "2. two shards and their merge, all in S3"
shards s3-sharded 3
for pid in "${SHARD_PIDS[@]}"; do wait "$pid" || { cat "$work"/s3-sharded-shard-*.log; exit 1; }; done
expect_exit 0 "$work/merge.log" "$SQSBENCH" merge "s3://$bucket/s3-sharded/shard-*" --out "s3://$bucket/s3-sharded/merged" --local "$work/s3-sharded-merged"
"${CHECK[@]}" merged "$MOTO" "$bucket" s3-sharded/merged/ 2

log "3. a shard SIGKILLed after its journal's first segments; merged with --allow-missing"
shards s3-killed 6
"${CHECK[@]}" wait-segments "$MOTO" "$bucket" s3-killed/shard-1/ 3
kill -KILL "${SHARD_PIDS[1]}"
wait "${SHARD_PIDS[0]}" || { cat "$work/s3-killed-shard-0.log"; exit 1; }
wait "${SHARD_PIDS[1]}" 2>/dev/null || true
expect_exit 2 "$work/killed-refused.log" "$SQSBENCH" merge "s3://$bucket/s3-killed/shard-*" --out "$work/killed-refused"
grep -q "shard 1 .* did not finish" "$work/killed-refused.log" || { cat "$work/killed-refused.log"; exit 1; }
expect_exit 0 "$work/killed.log" "$SQSBENCH" merge "s3://$bucket/s3-killed/shard-*" --allow-missing \
  --out "s3://$bucket/s3-killed/merged" --local "$work/s3-killed-merged"
grep -q "^UNKNOWN: shard 1's uploaded journal ends at second" "$work/killed.log" || { cat "$work/killed.log"; exit 1; }
"${CHECK[@]}" merged "$MOTO" "$bucket" s3-killed/merged/ 2 --killed 1

log "4. failures: before any traffic (exit 2), and at the end (exit 4)"
queues_before=$("$PY" -c "import boto3,sys; print(len(boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1').list_queues().get('QueueUrls', [])))" "$SERVE_URL")
expect_exit 2 "$work/no-bucket.log" run --out "s3://no-such-bucket-here/x" --local "$work/no-bucket"
grep -q "error: --out s3://no-such-bucket-here/x/: the bucket does not exist" "$work/no-bucket.log" || { cat "$work/no-bucket.log"; exit 1; }
expect_exit 2 "$work/no-credentials.log" env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  "$SQSBENCH" run "$work/scenario.toml" --target "$SERVE_URL" --quiet --set queue.name=sqsbench-s3-creds --out "s3://$bucket/x" --local "$work/no-credentials"
grep -q "error: --out s3://$bucket/x/: .*no credentials were found" "$work/no-credentials.log" || { cat "$work/no-credentials.log"; exit 1; }
user() { jq -r ".$1.$2" "$work/users.json"; }
expect_exit 2 "$work/denied.log" env AWS_ENDPOINT_URL_S3="$MOTO_IAM" \
  AWS_ACCESS_KEY_ID="$(user reader key)" AWS_SECRET_ACCESS_KEY="$(user reader secret)" \
  "$SQSBENCH" run "$work/scenario.toml" --target "$SERVE_URL" --quiet --set queue.name=sqsbench-s3-denied --out "s3://$bucket/denied" --local "$work/denied"
grep -q "error: --out s3://$bucket/denied/ cannot be written: access denied" "$work/denied.log" || { cat "$work/denied.log"; exit 1; }
for d in no-bucket no-credentials denied; do
  [[ ! -e "$work/$d" ]] || { log "FAIL: $d wrote a local copy: it ran"; exit 1; }
done
queues_after=$("$PY" -c "import boto3,sys; print(len(boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1').list_queues().get('QueueUrls', [])))" "$SERVE_URL")
[[ $queues_before == "$queues_after" ]] || { log "FAIL: a refused run made a queue ($queues_before → $queues_after)"; exit 1; }
log "a missing bucket, missing credentials and a denied write: exit 2, no queue made, no local copy"
expect_exit 4 "$work/end-fails.log" env AWS_ENDPOINT_URL_S3="$MOTO_IAM" \
  AWS_ACCESS_KEY_ID="$(user partial key)" AWS_SECRET_ACCESS_KEY="$(user partial secret)" \
  "$SQSBENCH" run "$work/scenario.toml" --target "$SERVE_URL" --quiet --set queue.name=sqsbench-s3-partial --out "s3://$bucket/partial" --local "$work/partial" --upload-every 1s
grep -q "error: results incomplete: not uploaded: s3://$bucket/partial/report.html: access denied" "$work/end-fails.log" || { cat "$work/end-fails.log"; exit 1; }
grep -q "s3://$bucket/partial/ is incomplete (no summary.json was uploaded); the local copy is complete at $work/partial" "$work/end-fails.log" || { cat "$work/end-fails.log"; exit 1; }
[[ -s "$work/partial/summary.json" && -s "$work/partial/report.html" ]] || { log "FAIL: the local copy is not complete"; exit 1; }
AWS_ACCESS_KEY_ID="$(user reader key)" AWS_SECRET_ACCESS_KEY="$(user reader secret)" "$PY" - "$MOTO_IAM" "$bucket" <<'PY'
import boto3, sys
c = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
keys = [o["Key"] for o in c.list_objects_v2(Bucket=sys.argv[2], Prefix="partial/").get("Contents", [])]
assert any(k.startswith("partial/segments/") for k in keys), keys
assert "partial/summary.json" not in keys, keys
print(f"ok: {len(keys)} objects went (segments, the start files), no summary.json")
PY
log "an upload refused at the end: exit 4, the object named, the local copy complete"
