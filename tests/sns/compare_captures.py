"""Compares the SNS exchanges test_sns.py recorded against two servers, call by call: the same
action, the same HTTP status, and responses of the same XML shape (element paths, values aside;
list items and map entries collapsed). Requests come from the same boto3, so they are checked
to be the same parameters. Exits non-zero naming every difference.

usage: compare_captures.py SQSBENCH_DIR LOCALSTACK_DIR
"""

import os
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

# (action, element path) that one server writes and the other does not, accepted: none so far.
ACCEPTED = set()


def local(tag):
    return tag.split("}", 1)[-1]


def paths(element, prefix=""):
    here = f"{prefix}/{local(element.tag)}" if prefix else local(element.tag)
    out = {here}
    for child in element:
        out |= paths(child, here)
    return out


def shape(text):
    status, _, body = text.partition("\n")
    try:
        return status, paths(ET.fromstring(body))
    except ET.ParseError as e:
        return status, {f"<unparsable: {e}>"}


def request_keys(text):
    return sorted(k for k, _ in parse_qsl(text, keep_blank_values=True))


def exchanges(directory):
    names = sorted(f for f in os.listdir(directory) if f.endswith("-response.txt"))
    return [n[: -len("-response.txt")] for n in names]


def main(ours, theirs):
    problems = []
    a, b = exchanges(ours), exchanges(theirs)
    if a != b:
        problems.append(f"different calls: {sorted(set(a) ^ set(b))}")
    for stem in sorted(set(a) & set(b)):
        action = stem.split("-", 1)[1]
        read = lambda d, part: open(os.path.join(d, f"{stem}-{part}.txt")).read()
        if request_keys(read(ours, "request")) != request_keys(read(theirs, "request")):
            problems.append(f"{stem}: the requests differ (the test is not deterministic)")
        (status_a, shape_a), (status_b, shape_b) = shape(read(ours, "response")), shape(read(theirs, "response"))
        if status_a != status_b:
            problems.append(f"{stem}: {status_a} here, {status_b} there")
        differ = {p for p in shape_a ^ shape_b if (action, p) not in ACCEPTED}
        if differ:
            only_a = sorted(differ & shape_a)
            only_b = sorted(differ & shape_b)
            problems.append(f"{stem}: only sqsbench has {only_a}; only the peer has {only_b}")
    print(f"compared {len(set(a) & set(b))} SNS exchanges")
    if problems:
        print("\n".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
