"""Reads a results directory's histograms.hlog with HdrHistogram's Python port (PyPI
`hdrhistogram`, module `hdrh`), an implementation independent of the Rust crate that wrote it,
and checks it against what sqsbench itself wrote: every interval decodes, every tag is a latency
sqsbench reports, and each second's end-to-end p50, p99 and max equal timeseries.csv's.

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
    per_tag = defaultdict(int)
    checked = 0
    for h in intervals(results / "histograms.hlog"):
        tag = h.get_tag()
        per_tag[tag] += h.get_total_count()
        if tag != "end_to_end":
            continue
        # The interval starting at relative second s is timeseries.csv's row s + 1.
        second = round(h.get_start_time_stamp() / 1000.0 - reader_start(results)) + 1
        row = rows[second]
        got = (h.get_value_at_percentile(50), h.get_value_at_percentile(99), h.get_max_value())
        want = (int(row["e2e_p50_us"]), int(row["e2e_p99_us"]), int(row["e2e_max_us"]))
        assert got == want, f"second {second}: python {got} != timeseries.csv {want}"
        checked += 1
    assert checked >= 2, f"only {checked} end-to-end intervals in the log"
    unknown = set(per_tag) - set(summary["latency_us"])
    assert not unknown, f"tags {unknown} are not latencies in summary.json"
    total_sent = sum(int(r["sent"]) for r in rows.values())
    assert per_tag["send"] > 0 and per_tag["send"] <= total_sent, per_tag
    print(f"hlog read by hdrh: {checked} end-to-end seconds match timeseries.csv; counts {dict(per_tag)}")


def reader_start(results):
    for line in open(results / "histograms.hlog"):
        if line.startswith("#[StartTime:"):
            return float(line.split()[1])
    raise AssertionError("no StartTime header")


if __name__ == "__main__":
    main(sys.argv[1])
