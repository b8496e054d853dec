"""The clients scenario with the AWS CLI (`aws sqs …`, awscli from PyPI), run as a user would run
it from a shell: create queues, send, receive, delete, purge, a dead-letter redrive and a
move task that takes the dead letter back to its source. Prints
what a user observes, normalized (bodies, counts, error codes; never ids or handles), as JSON.

usage: python aws_cli_scenario.py AWS_EXECUTABLE ENDPOINT OUTPUT.json
"""

import json
import os
import subprocess
import sys
import time

aws, endpoint, output = sys.argv[1], sys.argv[2], sys.argv[3]
env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
           AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")
observed = {}


def sqs(*args):
    done = subprocess.run([aws, "--endpoint-url", endpoint, "--output", "json", "sqs", *args],
                          capture_output=True, text=True, env=env, timeout=60)
    if done.returncode != 0:
        # The CLI prints "An error occurred (Code) when calling …"; keep the code.
        code = done.stderr.split("(", 1)[1].split(")", 1)[0] if "(" in done.stderr else done.stderr.strip()
        return {"error": code}
    return json.loads(done.stdout) if done.stdout.strip() else {}


url = sqs("create-queue", "--queue-name", "cli-main")["QueueUrl"]
observed["send"] = sorted(sqs("send-message", "--queue-url", url, "--message-body", "hello",
                              "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}'))
got = sqs("receive-message", "--queue-url", url, "--message-attribute-names", "All", "--attribute-names", "All")
message = got["Messages"][0]
observed["receive"] = [message["Body"], message["MessageAttributes"]["k"]["StringValue"],
                       message["Attributes"]["ApproximateReceiveCount"]]
observed["delete"] = sqs("delete-message", "--queue-url", url, "--receipt-handle", message["ReceiptHandle"])
observed["messages after delete"] = len(sqs("receive-message", "--queue-url", url).get("Messages", []))
for i in range(3):
    sqs("send-message", "--queue-url", url, "--message-body", f"purge me {i}")
observed["purge"] = sqs("purge-queue", "--queue-url", url)
observed["count after purge"] = sqs("get-queue-attributes", "--queue-url", url, "--attribute-names",
                                    "ApproximateNumberOfMessages")["Attributes"]
dlq = sqs("create-queue", "--queue-name", "cli-dlq")["QueueUrl"]
arn = sqs("get-queue-attributes", "--queue-url", dlq, "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "1"})
src = sqs("create-queue", "--queue-name", "cli-src", "--attributes", json.dumps({"RedrivePolicy": policy}))["QueueUrl"]
sqs("send-message", "--queue-url", src, "--message-body", "poison")
first = sqs("receive-message", "--queue-url", src, "--visibility-timeout", "0")
observed["redrive: first receive"] = [m["Body"] for m in first.get("Messages", [])]
observed["redrive: second receive"] = [m["Body"] for m in sqs("receive-message", "--queue-url", src).get("Messages", [])]
observed["redrive: in the dlq"] = [m["Body"] for m in sqs("receive-message", "--queue-url", dlq, "--visibility-timeout", "0").get("Messages", [])]
observed["redrive: sources"] = [u.rsplit("/", 1)[1] for u in sqs("list-dead-letter-source-queues", "--queue-url", dlq)["queueUrls"]]
observed["redrive: move task started"] = sorted(sqs("start-message-move-task", "--source-arn", arn))
for _ in range(300):  # the task moves one message in milliseconds; bounded at about 30 s
    task = sqs("list-message-move-tasks", "--source-arn", arn)["Results"][0]
    if task["Status"] != "RUNNING":
        break
    time.sleep(0.1)
observed["redrive: move task"] = [task["Status"], task["ApproximateNumberOfMessagesMoved"]]
observed["redrive: back in the source"] = [m["Body"] for m in sqs("receive-message", "--queue-url", src).get("Messages", [])]
observed["missing queue"] = sqs("get-queue-url", "--queue-name", "cli-nope")
for q in (url, src, dlq):
    sqs("delete-queue", "--queue-url", q)
json.dump(observed, open(output, "w"), indent=1, sort_keys=True)
print(f"{len(observed)} observations written to {output}")
