"""Checks a results directory from a run against a third-party server: every file is there,
no request failed, every measured message was received once (in order within its FIFO group)
and deleted, and integrity.json closes the accounting."""

import json
import os
import sys

directory = sys.argv[1]
for name in ["scenario.toml", "summary.json", "summary.csv", "timeseries.csv", "latency.hgrm", "histograms.hlog",
             "integrity.json", "charts/throughput.png", "charts/latency-over-time.svg", "charts/latency-distribution.png"]:
    path = os.path.join(directory, name)
    assert os.path.getsize(path) > 0, f"{name} missing or empty"
s = json.load(open(os.path.join(directory, "summary.json")))
assert s["target"]["client"] == sys.argv[2], f"client {s['target']['client']}, expected {sys.argv[2]}"
m = s["messages"]
failures = {api: r for api, r in s["requests"].items() if r["errors"] or r["throttled"] or r["timeouts"] or r["entries_failed"]}
assert not failures, f"failed requests: {failures}"
assert m["sent"] > 0, m
assert m["sent"] == m["unique_received"] == m["deleted"], m
assert m["duplicates"] == 0 and m["lost"] == 0 and m["foreign"] == 0, m
assert m["order_violations"] == 0 and m["dead_lettered"] == 0, m
integrity = json.load(open(os.path.join(directory, "integrity.json")))
assert integrity["accounting"]["holds"], integrity["accounting"]
assert integrity["order_violations"]["count"] == 0 and integrity["lost"]["count"] == 0, integrity
print(f"ok  {s['scenario']['name']:<14} ({s['target']['client']}) on {s['target']['endpoint']}: sent {m['sent']}, received {m['unique_received']}, "
      f"order violations {m['order_violations']}, e2e p99 {s['latency_us']['end_to_end']['p99'] / 1000:.1f} ms, requests {sum(r['count'] for r in s['requests'].values())}")
