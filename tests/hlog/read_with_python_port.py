"""Reads a results directory's histograms.hlog with HdrHistogram's Python port (PyPI
`hdrhistogram`, module `hdrh`), an implementation independent of the Rust crate that wrote it,
and checks it against what sqsbench itself wrote: every interval decodes, every tag is a latency
sqsbench reports (or a fleet's `end_to_end@<fleet>`) with the count summary.json gives it, each
second's end-to-end max equals timeseries.csv's (a fleet's, timeseries-fleets.csv's), and the
p50 and p99 there are those percentiles of the decoded histogram. (Implementations round a percentile's rank differently, so the check is that the
value's bucket holds the percentile's rank, give or take one sample, not that the Python port's
own percentile is the same number.)

    python read_with_python_port.py RESULTS_DIR
"""

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogReader


def intervals(hlog):
    reader = HistogramLogReader(str(hlog), HdrHistogram(1, 3_600_000_000, 3))
    while True:
        h = reader.get_next_interval_histogram()
        if h is None:
            return
        yield h


def main(results):
    results = Path(results)
    summary = json.loads((results / "summary.json").read_text())
    rows = {int(r["second"]): r for r in csv.DictReader(open(results / "timeseries.csv"))}
    fleet_rows = {
        (int(r["second"]), r["fleet"]): r
        for r in csv.DictReader(open(results / "timeseries-fleets.csv"))
    }
    fleets = {f["name"]: f for f in summary.get("fleets", [])}
    per_tag = defaultdict(int)
    checked = 0
    for h in intervals(results / "histograms.hlog"):
        tag = h.get_tag()
        per_tag[tag] += h.get_total_count()
        # The interval starting at relative second s is the timeseries' row s + 1.
        second = round(h.get_start_time_stamp() / 1000.0 - reader_start(results)) + 1
        if tag == "end_to_end":
            row = rows[second]
        elif tag.startswith("end_to_end@"):
            row = fleet_rows[(second, tag.split("@", 1)[1])]
        else:
            continue
        assert h.get_max_value() == int(row["e2e_max_us"]), f"{tag} second {second}: max"
        for q, column in ((50, "e2e_p50_us"), (99, "e2e_p99_us")):
            holds_rank(h, q, int(row[column]), f"{tag} second {second} p{q}")
        checked += 1
    assert checked >= 2, f"only {checked} end-to-end intervals in the log"
    counts = {tag: s["count"] for tag, s in summary["latency_us"].items()}
    counts.update({f"end_to_end@{name}": f["end_to_end_us"]["count"] for name, f in fleets.items()})
    unknown = set(per_tag) - set(counts)
    assert not unknown, f"tags {unknown} are neither latencies nor fleets in summary.json"
    for tag, count in per_tag.items():
        assert counts[tag] == count, f"{tag}: {count} in the log, {counts[tag]} in summary.json"
    assert any(t.startswith("end_to_end@") for t in per_tag), "no fleet's histogram in the log"
    total_sent = sum(int(r["sent"]) for r in rows.values())
    assert per_tag["send"] > 0 and per_tag["send"] <= total_sent, per_tag
    print(f"hlog read by hdrh: {checked} end-to-end seconds (run and fleets) match the timeseries; counts {dict(per_tag)}")


def holds_rank(h, q, value, what):
    """`value` (a bucket's highest equivalent value) is the q-th percentile of `h`: fewer than
    q % of the samples lie below its bucket, and at least q % lie in or below it (± 1 sample)."""
    total = h.get_total_count()
    rank = q / 100.0 * total
    below = through = 0
    for step in h.get_recorded_iterator():
        if step.value_iterated_to < value:
            below = step.total_count_to_this_value
        if step.value_iterated_to <= value:
            through = step.total_count_to_this_value
    assert below <= rank + 1 and through >= rank - 1, (
        f"{what}: {value} holds ranks {below}..{through} of {total}, not {rank:.1f}"
    )


def reader_start(results):
    for line in open(results / "histograms.hlog"):
        if line.startswith("#[StartTime:"):
            return float(line.split()[1])
    raise AssertionError("no StartTime header")


if __name__ == "__main__":
    main(sys.argv[1])
