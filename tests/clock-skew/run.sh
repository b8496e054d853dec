#!/usr/bin/env bash
# The clock offset is measured, not assumed: two shards of a run against `sqsbench serve`, one
# of them under Debian's faketime 3 s ahead (FAKETIME_DONT_FAKE_MONOTONIC=1, so its timers still
# run on the real monotonic clock). Each shard bounds its clock against the queue's from its
# first receives; the skewed one must find +3000 ms within its bound, the other 0 within its
# bound; the floors SQS's SentTimestamp puts under each must agree; and the merged summary,
# terminal and report.html must flag the skew. Merged again with --correct-clock-offset, the
# 3 s between the two clocks is taken out of the end-to-end latencies, and the report says so.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

if ! command -v faketime >/dev/null; then
  log "installing faketime (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null \
    || { log "FAIL: Debian's faketime could not be installed, so the skew was not tested"; exit 1; }
fi
ensure_sqsbench
start_sqsbench_serve
work=$(mktemp -d)
cat >"$work/scenario.toml" <<TOML
name = "skew"
[queue]
name = "sqsbench-skew-$$"
[run]
warmup = "1s"
duration = "4s"
drain_timeout = "10s"
[[producers]]
count = 4
rate = "400/s"
batch_size = 10
[[consumers]]
count = 4
wait_time = "1s"
TOML
start_at=$(date -u -d "+8 seconds" +%Y-%m-%dT%H:%M:%SZ)
# Shard $1, run behind the wrapper command that follows (env, or faketime); sets SPAWNED_PID.
shard() {
  local index=$1; shift
  spawn "$@" "$SQSBENCH" run "$work/scenario.toml" --target "$SERVE_URL" --shard "$index/2" --run-id "skew-$$" \
    --start-at "$start_at" --out "$work/shard-$index" --quiet >"$work/shard-$index.log" 2>&1
}
log "two shards from $start_at, shard 1 under faketime +3s"
shard 0 env; s0=$SPAWNED_PID
shard 1 env FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "+3s"; s1=$SPAWNED_PID
wait "$s0" || { cat "$work/shard-0.log"; exit 1; }
wait "$s1" || { cat "$work/shard-1.log"; exit 1; }
"$SQSBENCH" merge "$work/shard-0" "$work/shard-1" --out "$work/merged" >"$work/merge.log"
cat "$work/merge.log"
grep -Eq "CLOCK SKEW: shard 1's clock is \+(29|30)[0-9]{2}\.[0-9]+ ms" "$work/merge.log" || { log "FAIL: the merge did not flag shard 1"; exit 1; }
if grep -q "CLOCK SKEW: shard 0" "$work/merge.log"; then log "FAIL: shard 0 flagged"; exit 1; fi
grep -q "checked against SQS's SentTimestamp of their messages: 2 shard(s) agree" "$work/merge.log" \
  || { log "FAIL: the send stamps did not confirm both shards' offsets"; exit 1; }
grep -q "Clock skew: shard 1" "$work/merged/report.html" || { log "FAIL: report.html does not flag shard 1"; exit 1; }
python3 - "$work/merged/summary.json" <<'PY'
import json, sys
shards = {t["index"]: t["clock_offset"] for t in json.load(open(sys.argv[1]))["shards"]["merged"]}
for index, skew in [(0, 0.0), (1, 3000.0)]:
    c = shards[index]
    assert c["consistent"] and c["windows"] > 100, c
    assert abs(c["estimate_ms"] - skew) <= c["bound_ms"], f"shard {index}: {c} does not hold {skew} ms"
    print(f"ok: shard {index} measured {c['estimate_ms']:+.2f} ms ± {c['bound_ms']:.2f} ms (true {skew:+.0f} ms) from {c['windows']} first receives")
floors = {t["index"]: t["sends_floor_ms"] for t in json.load(open(sys.argv[1]))["shards"]["merged"]}
for index, skew in [(0, 0.0), (1, 3000.0)]:
    # A floor: at most the true offset, and within the send calls' length (tens of ms) of it.
    assert skew - 100 < floors[index] <= skew, f"shard {index}: floor {floors[index]} ms"
    print(f"ok: shard {index}'s send stamps put its offset above {floors[index]:+.2f} ms (true {skew:+.0f} ms)")
PY
"$SQSBENCH" merge "$work/shard-0" "$work/shard-1" --out "$work/corrected" --correct-clock-offset >"$work/corrected.log"
grep "end-to-end" "$work/corrected.log"
grep -q "end-to-end latencies corrected by each shard's clock offset" "$work/corrected.log" \
  || { log "FAIL: the corrected merge does not say so"; exit 1; }
grep -q "clocks corrected" "$work/corrected/report.html" || { log "FAIL: report.html does not say the latencies were corrected"; exit 1; }
python3 - "$work/merged/summary.json" "$work/corrected/summary.json" <<'PY'
import json, sys
raw, fixed = (json.load(open(p)) for p in sys.argv[1:])
c = fixed["shards"]["clock_correction"]
for index, (skew, used) in enumerate(zip([0.0, 3000.0], c["offsets"])):
    # The first receives' bound narrowed by the send stamps' floor: still holds the truth.
    assert abs(used["estimate_ms"] - skew) <= used["bound_ms"], f"shard {index}: {used}"
    print(f"ok: shard {index} corrected by {used['estimate_ms']:+.2f} ms ± {used['bound_ms']:.2f} ms (true {skew:+.0f} ms)")
assert "clock_correction" not in raw["shards"], "the plain merge corrected nothing"
for key in ["end_to_end", "end_to_end_uncorrected", "end_to_end_processed"]:
    r, f = raw["latency_us"][key], fixed["latency_us"][key]
    assert r["count"] == f["count"], f"{key}: samples lost"
    # Shard 0's messages reach shard 1 3 s late by its clock; shard 1's reach shard 0 3 s early
    # (kept as 1 µs). Corrected, neither is left.
    assert r["max"] >= 2_900_000, f"{key}: uncorrected max {r['max']} µs"
    assert f["max"] < 1_500_000, f"{key}: corrected max {f['max']} µs still holds the skew"
    assert f["p50"] > 1 and f["min"] >= 1, f
    print(f"ok: {key} p50/max {r['p50']/1000:.1f}/{r['max']/1000:.1f} ms not corrected, {f['p50']/1000:.1f}/{f['max']/1000:.1f} ms corrected (still within ± {c['within_ms']:.2f} ms; {c['below_zero']} below zero)")
for rf, ff in zip(raw["fleets"], fixed["fleets"]):
    assert rf["end_to_end_us"]["count"] == ff["end_to_end_us"]["count"]
    assert ff["end_to_end_us"]["max"] < 1_500_000, ff
PY
rm -rf "$work"
