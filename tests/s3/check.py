"""Checks of results in S3 (moto's server on loopback) for tests/s3/run.sh, with boto3.

    check.py bucket URL BUCKET                    make the bucket
    check.py iam URL BUCKET OUT.json              IAM users for the denied tests (7 actions)
    check.py run URL BUCKET PREFIX RECORDING      a run's directory: complete, segments, order
    check.py merged URL BUCKET PREFIX SHARDS [--killed K]
    check.py wait-segments URL BUCKET PREFIX N    until the ledger has N segments (60 s at most)
    check.py incomplete URL BUCKET PREFIX         objects there, but no summary.json
    check.py empty URL BUCKET PREFIX              no object at all
"""
import json
import sys
import time

import boto3


def s3(url, key="test", secret="test"):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def keys(c, bucket, prefix):
    out = []
    for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out.extend(o["Key"] for o in page.get("Contents", []))
    return out


def fail(why):
    print(f"FAIL: {why}", file=sys.stderr)
    sys.exit(1)


def summary(c, bucket, prefix):
    return json.loads(c.get_object(Bucket=bucket, Key=prefix + "summary.json")["Body"].read())


def recorded(path):
    """The requests moto's recorder wrote, in the order it wrote them.

    Not one per line: the recorder writes an entry and its newline in two writes, so two
    uploads recorded at once can leave two entries on one line (seen in CI). Each entry is
    still written whole, so the file is read as a stream of JSON values."""
    text, decoder, at = open(path).read(), json.JSONDecoder(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return
        entry, at = decoder.raw_decode(text, at)
        yield entry


def check_run(url, bucket, prefix, recording):
    c = s3(url)
    found = set(keys(c, bucket, prefix))
    for name in ["summary.json", "summary.csv", "scenario.toml", "timeseries.csv", "histograms.hlog",
                 "latency.hgrm", "integrity.json", "report.html", "charts/latency-over-time.png"]:
        if prefix + name not in found:
            fail(f"{prefix}{name} is missing; found {sorted(found)}")
    segments = [k for k in found if k.startswith(prefix + "segments/timeseries.csv/")]
    if not segments:
        fail(f"no segment of timeseries.csv under {prefix}segments/")
    # The segments put together are the start of the final file, byte for byte.
    whole = c.get_object(Bucket=bucket, Key=prefix + "timeseries.csv")["Body"].read()
    joined = b"".join(c.get_object(Bucket=bucket, Key=k)["Body"].read() for k in sorted(segments))
    if not whole.startswith(joined) or not joined:
        fail("the timeseries.csv segments are not the start of timeseries.csv")
    puts = []
    for r in recorded(recording):
        if r["method"] == "PUT" and f"/{bucket}/{prefix}" in r["url"]:
            # the Rust SDK adds `?x-id=PutObject`
            puts.append(r["url"].split(f"/{bucket}/{prefix}", 1)[1].split("?", 1)[0])
    finals = [p for p in puts if not p.startswith("segments/") and not p.startswith(".sqsbench-write-probe-")]
    if not finals or finals[-1] != "summary.json" or finals.count("summary.json") != 1:
        fail(f"summary.json is not the last object put: {finals[-5:]}")
    if not puts[0].startswith(".sqsbench-write-probe-"):
        fail(f"the first put is not the write probe: {puts[:3]}")
    s = summary(c, bucket, prefix)
    m = s["messages"]
    if m["sent"] == 0 or m["lost"] != 0:
        fail(f"sent {m['sent']}, lost {m['lost']}")
    print(f"ok: {len(found)} objects ({len(segments)} timeseries segments), {len(puts)} PUTs in order,"
          f" summary.json last; sent {m['sent']}")


def check_merged(url, bucket, prefix, shards, killed):
    c = s3(url)
    s = summary(c, bucket, prefix)
    m, sh = s["messages"], s["shards"]
    if sh["count"] != shards or len(sh["merged"]) != shards:
        fail(f"shards: {sh}")
    identity = m["unique_received"] + m["dead_lettered"] + m["lost"] + m.get("unknown", 0)
    if identity != m["sent"]:
        fail(f"sent {m['sent']} != unique {m['unique_received']} + dead {m['dead_lettered']} + lost {m['lost']} + unknown {m.get('unknown', 0)}")
    if m["lost"] != 0:
        fail(f"lost {m['lost']} on a fault-free emulator")
    windows = sh.get("unknown_windows", [])
    if killed is None:
        if sh["partial"] or windows or m.get("unknown", 0):
            fail(f"a whole merge is partial or has unknowns: {sh}")
        print(f"ok: merged {shards} shards from S3: sent {m['sent']}, unique {m['unique_received']}, lost 0")
        return
    unfinished = [t["index"] for t in sh["merged"] if not t["finished"]]
    if not sh["partial"] or unfinished != [killed]:
        fail(f"shard {killed} should be the one unfinished: {unfinished}, partial {sh['partial']}")
    if len(windows) != 1 or windows[0]["shard"] != killed or not windows[0]["from_second"] < windows[0]["to_second"]:
        fail(f"unknown windows: {windows}")
    integrity = json.loads(c.get_object(Bucket=bucket, Key=prefix + "integrity.json")["Body"].read())
    if integrity["accounting"].get("unknown", 0) != m.get("unknown", 0):
        fail(f"integrity.json's unknown differs: {integrity['accounting']}")
    print(f"ok: shard {killed} killed: window {windows[0]}, sent {m['sent']}, unique {m['unique_received']},"
          f" unknown {m.get('unknown', 0)}, lost 0")


def wait_segments(url, bucket, prefix, n):
    c = s3(url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = [k for k in keys(c, bucket, prefix + "segments/ledger.bin/")]
        if len(got) >= n:
            print(f"{len(got)} ledger segments")
            return
        time.sleep(0.2)
    fail(f"fewer than {n} ledger segments under {prefix} after 60 s")


def iam(url, bucket, out):
    """Two users, made in exactly 7 actions (the server enforces IAM from the 8th on): `reader`
    may list and read but not write; `partial` may write only the write probe, the segments and
    the files written at the start, so a run's final upload fails."""
    c = s3(url)
    i = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id="setup", aws_secret_access_key="setup")
    c.create_bucket(Bucket=bucket)
    users = {}
    arn = f"arn:aws:s3:::{bucket}"
    for name, puts in [("reader", []),
                       ("partial", [f"{arn}/*/.sqsbench-write-probe-*", f"{arn}/*/segments/*",
                                    f"{arn}/*/scenario.toml", f"{arn}/*/shard.json"])]:
        i.create_user(UserName=name)
        k = i.create_access_key(UserName=name)["AccessKey"]
        statements = [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [arn]},
                      {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{arn}/*"]}]
        if puts:
            statements.append({"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": puts})
        i.put_user_policy(UserName=name, PolicyName="results",
                          PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        users[name] = {"key": k["AccessKeyId"], "secret": k["SecretAccessKey"]}
    with open(out, "w") as f:
        json.dump(users, f)


def main():
    what, url, bucket = sys.argv[1:4]
    rest = sys.argv[4:]
    if what == "bucket":
        s3(url).create_bucket(Bucket=bucket)
    elif what == "iam":
        iam(url, bucket, rest[0])
    elif what == "run":
        check_run(url, bucket, rest[0], rest[1])
    elif what == "merged":
        killed = int(rest[3]) if len(rest) > 3 and rest[2] == "--killed" else None
        check_merged(url, bucket, rest[0], int(rest[1]), killed)
    elif what == "wait-segments":
        wait_segments(url, bucket, rest[0], int(rest[1]))
    elif what in ("incomplete", "empty"):
        found = keys(s3(url), bucket, rest[0])
        if what == "empty" and found:
            fail(f"{rest[0]} should hold nothing: {found}")
        if what == "incomplete" and (not found or rest[0] + "summary.json" in found):
            fail(f"{rest[0]} should hold objects but no summary.json: {found}")
        print(f"ok: {rest[0]} holds {len(found)} objects{', no summary.json' if what == 'incomplete' else ''}")
    else:
        fail(f"unknown check {what}")


if __name__ == "__main__":
    main()
