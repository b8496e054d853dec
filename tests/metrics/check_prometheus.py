"""Checks sqsbench's live metrics as a real Prometheus saw them (tests/metrics/run.sh).

  parse RUN_FILE EMULATOR_FILE         expositions captured mid-run, read by prometheus_client's
                                       OpenMetrics parser (independent of the Rust encoder)
  watch PROM RUN_PID                   while the run lives: both targets healthy, no scrape error
  verify PROM SUMMARY DASHBOARD T0 T1  after it: up on every scrape, the last scraped sent total
                                       equal to summary.json's, every dashboard query answering
"""

import json
import os
import sys
import time
import urllib.parse
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families

RUN_FAMILIES = {
    "sqsbench_messages_sent": "counter",
    "sqsbench_messages_received": "counter",
    "sqsbench_messages_deleted": "counter",
    "sqsbench_messages_duplicates": "counter",
    "sqsbench_send_failed": "counter",
    "sqsbench_requests": "counter",
    "sqsbench_end_to_end_latency_seconds": "histogram",
    "sqsbench_end_to_end_uncorrected_latency_seconds": "histogram",
    "sqsbench_request_duration_seconds": "histogram",
    "sqsbench_in_flight_messages": "gauge",
    "sqsbench_consumers": "gauge",
    "sqsbench_queue_messages": "gauge",
    "sqsbench_schedule_lag_seconds": "gauge",
    "sqsbench_offered_rate": "gauge",
    "sqsbench_phase": "gauge",
}
EMULATOR_FAMILIES = {
    "sqsbench_emulator_queues": "gauge",
    "sqsbench_emulator_queue_messages": "gauge",
    "sqsbench_emulator_requests": "counter",
    "sqsbench_emulator_throttled": "counter",
    "sqsbench_emulator_dead_letters": "counter",
    "sqsbench_emulator_faults_injected": "counter",
    "sqsbench_emulator_sns_deliveries": "counter",
    "sqsbench_emulator_eventbridge_events": "counter",
    "sqsbench_emulator_eventbridge_deliveries": "counter",
}
RUN_LABELS = {"run_id", "scenario", "queue"}


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def families(path, expected):
    text = open(path).read()
    parsed = {f.name: f for f in text_string_to_metric_families(text)}
    for name, kind in expected.items():
        if name not in parsed:
            fail(f"{path}: no {name} family (have {sorted(parsed)})")
        if parsed[name].type != kind:
            fail(f"{path}: {name} is a {parsed[name].type}, expected {kind}")
    return parsed


def parse(run_file, emulator_file):
    run = families(run_file, RUN_FAMILIES)
    for family in run.values():
        for sample in family.samples:
            missing = RUN_LABELS - set(sample.labels)
            if missing:
                fail(f"{sample.name} lacks labels {missing}")
    outcomes = {s.labels["outcome"] for s in run["sqsbench_requests"].samples}
    if outcomes != {"ok", "throttled", "error", "timeout", "connect"}:
        fail(f"request outcomes {outcomes}")
    buckets = [s for s in run["sqsbench_end_to_end_latency_seconds"].samples if s.name.endswith("_bucket")]
    if not buckets or buckets[-1].labels["le"] != "+Inf":
        fail("the end-to-end histogram has no +Inf bucket")
    phases = {s.labels["phase"]: s.value for s in run["sqsbench_phase"].samples}
    if sorted(phases) != ["drain", "measured", "warmup"] or sum(phases.values()) != 1:
        fail(f"phase gauges {phases}: one of warmup, measured, drain should be 1")
    emulator = families(emulator_file, EMULATOR_FAMILIES)
    states = {s.labels["state"] for s in emulator["sqsbench_emulator_queue_messages"].samples}
    if states != {"visible", "in_flight", "delayed"}:
        fail(f"queue states {states}")
    samples = sum(len(f.samples) for f in list(run.values()) + list(emulator.values()))
    print(f"ok: both expositions parse as OpenMetrics ({samples} samples, every family typed as documented)")


def get(prom, path, **params):
    url = f"{prom}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    if body.get("status") != "success":
        fail(f"{url}: {body}")
    return body["data"]


def query(prom, expr, at):
    return get(prom, "/api/v1/query", query=expr, time=f"{at:.3f}")["result"]


def scalar(prom, expr, at):
    result = query(prom, expr, at)
    if len(result) != 1:
        fail(f"{expr}: expected one series, got {result}")
    return float(result[0]["value"][1])


def watch(prom, run_pid):
    """Both targets healthy while the run lives; any scrape error is a failure."""
    healthy = set()
    while os.path.exists(f"/proc/{run_pid}"):
        for target in get(prom, "/api/v1/targets")["activeTargets"]:
            job = target["labels"]["job"]
            if target["lastError"] and os.path.exists(f"/proc/{run_pid}"):
                fail(f"{job}: scrape error while the run was up: {target['lastError']}")
            if target["health"] == "up":
                healthy.add(job)
        time.sleep(0.3)
    if healthy != {"run", "emulator"}:
        fail(f"only {healthy} were ever scraped healthy")
    print("ok: both targets scraped healthy, no scrape error while the run was up")


def eventbridge(prom, at):
    """The EventBridge requests run.sh sent before the run (two events on the default bus, one
    matching rule metrics-rule) as Prometheus scraped them."""
    events = scalar(prom, 'sqsbench_emulator_eventbridge_events_total{bus="default"}', at)
    delivered = scalar(prom, 'sqsbench_emulator_eventbridge_deliveries_total{bus="default",rule="metrics-rule",outcome="delivered"}', at)
    matched = scalar(prom, 'sqsbench_emulator_eventbridge_deliveries_total{bus="default",rule="metrics-rule",outcome="matched"}', at)
    if (events, matched, delivered) != (2, 1, 1):
        fail(f"EventBridge: events {events}, matched {matched}, delivered {delivered}; expected 2, 1, 1")
    print("ok: EventBridge events per bus and deliveries per rule scraped as sent (2 events, 1 delivered)")


def verify(prom, summary_path, dashboard_path, started, ended):
    summary = json.load(open(summary_path))
    eventbridge(prom, ended - 0.2)
    run_id = summary["run_id"]
    # Until the run exited: every scrape of it succeeded (count of up samples == their sum).
    window = f"{max(1, int(ended - started))}s"
    at = ended - 0.2
    for job in ("run", "emulator"):
        n = scalar(prom, f'count_over_time(up{{job="{job}"}}[{window}])', at)
        ok = scalar(prom, f'sum_over_time(up{{job="{job}"}}[{window}])', at)
        if n < 3 or ok != n:
            fail(f"{job}: up was 1 on {ok:.0f} of {n:.0f} scrapes")
        print(f"ok: up == 1 on all {n:.0f} scrapes of {job}")
    now = time.time()
    last = scalar(prom, f'sum(last_over_time(sqsbench_messages_sent_total{{run_id="{run_id}"}}[10m]))', now)
    expected = summary["messages"]["sent_including_warmup"]
    if last != expected:
        fail(f"last scraped sqsbench_messages_sent_total {last} != summary.json sent_including_warmup {expected}")
    print(f"ok: last scraped sqsbench_messages_sent_total == sent_including_warmup == {expected}")
    consumers = scalar(prom, f'max(max_over_time(sqsbench_consumers{{run_id="{run_id}"}}[10m]))', now)
    if consumers != summary["backlog"]["max_consumers"]:
        fail(f"scraped sqsbench_consumers peaked at {consumers}, summary.json backlog.max_consumers is {summary['backlog']['max_consumers']}")
    print(f"ok: scraped sqsbench_consumers peaked at backlog.max_consumers == {consumers:.0f}")
    dashboard(prom, json.load(open(dashboard_path)), run_id, summary, started, ended)


def substitute(expr, run_id, queue):
    return (expr.replace("$__rate_interval", "4s")
            .replace("$run_id", run_id).replace("$queue", queue).replace("$shard", ".*"))


def dashboard(prom, dash, run_id, summary, started, ended):
    queue = summary["queue"]["name"]
    variables = [v["name"] for v in dash["templating"]["list"]]
    if variables != ["datasource", "run_id", "queue", "shard"]:
        fail(f"dashboard variables {variables}")
    checked = 0
    for panel in dash["panels"]:
        for target in panel.get("targets", []):
            if "sqsbench_queue_messages" in target["expr"] and "backlog" not in summary:
                continue  # a run of more than 16 queues does not read their counts
            expr = substitute(target["expr"], run_id, queue)
            data = get(prom, "/api/v1/query_range", query=expr, start=f"{started:.0f}",
                       end=f"{ended:.0f}", step="1")
            values = [v for series in data["result"] for _, v in series["values"] if v != "NaN"]
            if not values:
                fail(f"panel {panel['title']!r}: {expr} returned no data")
            checked += 1
    print(f"ok: all {checked} dashboard queries parse and return data")


def queues(prom, summary_path, dashboard_path, started, ended):
    """A run of many queues: a series per queue whose sum is the run's sends, the run's other
    series under a pattern of its queues, and every dashboard query answering with it."""
    summary = json.load(open(summary_path))
    run_id, now = summary["run_id"], time.time()
    for target in get(prom, "/api/v1/targets")["activeTargets"]:
        if target["labels"]["job"] == "queues" and target["lastError"] and "refused" not in target["lastError"]:
            fail(f"queues: scrape error {target['lastError']}")
    per_queue = query(prom, f'last_over_time(sqsbench_queue_messages_sent_total{{run_id="{run_id}"}}[10m])', now)
    names = sorted(series["metric"]["queue"] for series in per_queue)
    if len(names) != len(summary["queues"]) or "other" in names:
        fail(f"expected a series for each of {len(summary['queues'])} queues, got {len(names)}")
    total = sum(float(series["value"][1]) for series in per_queue)
    expected = summary["messages"]["sent_including_warmup"]
    if total != expected:
        fail(f"the queues' sqsbench_queue_messages_sent_total add up to {total}, not {expected}")
    print(f"ok: {len(names)} queues' series add up to sent_including_warmup == {expected}")
    run_wide = query(prom, f'last_over_time(sqsbench_messages_deleted_total{{run_id="{run_id}"}}[10m])', now)
    label = run_wide[0]["metric"].get("queue") if run_wide else None
    if label != "sqsbench-tenant-.*":
        fail(f"the run's series have queue={label!r}, not the pattern of its queues")
    dashboard(prom, json.load(open(dashboard_path)), run_id, {"queue": {"name": label}}, started, ended)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "parse":
        parse(*args)
    elif command == "watch":
        watch(*args)
    elif command == "verify":
        verify(args[0], args[1], args[2], float(args[3]), float(args[4]))
    elif command == "queues":
        queues(args[0], args[1], args[2], float(args[3]), float(args[4]))
    else:
        fail(f"unknown command {command}")
