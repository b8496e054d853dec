"""The EventBridge pattern corpus through a server's TestEventPattern (boto3 `events`): every
pattern/event/expected triple and every refused pattern. Writes the triples where the server's
answer differs from the corpus (which follows AWS's documentation) as JSON, one object each:
the case's source, the pattern, the event (or null for a refused pattern), what the corpus
expects and what the server said.

usage: python corpus_against.py ENDPOINT CORPUS.json OUTPUT.json
"""

import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, corpus_path, output = sys.argv[1], sys.argv[2], sys.argv[3]
events = boto3.client("events", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
ENVELOPE = {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "Corpus Event",
            "source": "corpus.test", "account": "000000000000", "time": "2026-12-06T00:00:00Z",
            "region": "us-east-1", "resources": [], "detail": {}}


def ask(pattern, event):
    try:
        return events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"]
    except ClientError as e:
        return e.response["Error"]["Code"]


with open(corpus_path) as f:
    corpus = json.load(f)
differences, checked = [], 0
for case in corpus["cases"]:
    for item in case["events"]:
        got = ask(case["pattern"], dict(ENVELOPE, **item["event"]))
        checked += 1
        if got != item["matches"]:
            differences.append({"source": case["source"], "pattern": case["pattern"], "event": item["event"],
                                "expected": item["matches"], "server": got})
for case in corpus["invalid"]:
    got = ask(case["pattern"], ENVELOPE)
    checked += 1
    if got != "InvalidEventPatternException":
        differences.append({"source": case["source"], "pattern": case["pattern"], "event": None,
                            "expected": "InvalidEventPatternException: " + case["error"], "server": got})
with open(output, "w") as f:
    json.dump(differences, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"{checked} triples, {len(differences)} differ from the documentation")
