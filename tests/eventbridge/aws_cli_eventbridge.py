"""EventBridge with the AWS CLI (`aws events …`) against `sqsbench serve`, as a user would run it
from a shell: put-rule with seed 002's pattern (orderValue > 100), put-targets to a queue,
test-event-pattern, put-events; only the matching event arrives, as the envelope. Exits non-zero
with the reason when anything differs.

usage: python aws_cli_eventbridge.py AWS_EXECUTABLE ENDPOINT
"""

import json
import os
import subprocess
import sys

aws, endpoint = sys.argv[1], sys.argv[2]
env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
           AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
PATTERN = json.dumps({"source": ["com.company.orders"], "detail-type": ["OrderCreated"],
                      "detail": {"orderValue": [{"numeric": [">", 100]}]}})


def cli(service, *args):
    done = subprocess.run([aws, "--endpoint-url", endpoint, "--output", "json", service, *args],
                          capture_output=True, text=True, env=env, timeout=60)
    if done.returncode != 0:
        sys.exit(f"aws {service} {args[0]} failed: {done.stderr.strip()}")
    return json.loads(done.stdout) if done.stdout.strip() else {}


def check(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


url = cli("sqs", "create-queue", "--queue-name", "cli-events")["QueueUrl"]
arn = cli("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
cli("events", "create-event-bus", "--name", "cli-orders")
rule = cli("events", "put-rule", "--name", "big-orders", "--event-bus-name", "cli-orders", "--event-pattern", PATTERN)
check("rule arn", rule["RuleArn"], "arn:aws:events:us-east-1:000000000000:rule/cli-orders/big-orders")
targets = cli("events", "put-targets", "--rule", "big-orders", "--event-bus-name", "cli-orders", "--targets",
              json.dumps([{"Id": "q", "Arn": arn}]))
check("failed targets", targets["FailedEntryCount"], 0)
envelope = {"id": "1", "account": "000000000000", "source": "com.company.orders", "time": "2026-12-06T00:00:00Z",
            "region": "us-east-1", "resources": [], "detail-type": "OrderCreated"}
for value, want in [(250, True), (50, False)]:
    event = json.dumps(dict(envelope, detail={"orderValue": value}))
    tested = cli("events", "test-event-pattern", "--event-pattern", PATTERN, "--event", event)
    check(f"test-event-pattern {value}", tested["Result"], want)
entries = [{"EventBusName": "cli-orders", "Source": "com.company.orders", "DetailType": "OrderCreated",
            "Detail": json.dumps({"orderValue": v})} for v in (250, 50)]
put = cli("events", "put-events", "--entries", json.dumps(entries))
check("failed events", put["FailedEntryCount"], 0)
got = cli("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10").get("Messages", [])
bodies = [json.loads(m["Body"]) for m in got]
check("delivered values", [b["detail"]["orderValue"] for b in bodies], [250])
check("envelope id", bodies[0]["id"], put["Entries"][0]["EventId"])
check("envelope source", bodies[0]["source"], "com.company.orders")
print("aws events: only the matching event arrived, as the envelope")
