#!/usr/bin/env python3
"""Writes fuzz/corpus/<target>/ seeds from the repository's own test fixtures (run once; the
corpora are committed). Each seed's file name says where it came from.

  python3 fuzz/seed.py [SHARD_DIR ...]   SHARD_DIRs: results directories of `run --shard I/N`,
                                        whose shard.json and ledger.bin seed the merge targets
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

# SqsAction::ALL and SnsAction::ALL, in order: a seed's first byte picks the action by index.
SQS = ["CreateQueue", "GetQueueUrl", "ListQueues", "SendMessage", "SendMessageBatch",
       "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
       "ChangeMessageVisibilityBatch", "GetQueueAttributes", "SetQueueAttributes", "DeleteQueue",
       "PurgeQueue", "TagQueue", "UntagQueue", "ListQueueTags", "ListDeadLetterSourceQueues",
       "AddPermission", "RemovePermission", "StartMessageMoveTask", "CancelMessageMoveTask",
       "ListMessageMoveTasks"]
SNS = ["CreateTopic", "DeleteTopic", "ListTopics", "GetTopicAttributes", "SetTopicAttributes",
       "Subscribe", "Unsubscribe", "ListSubscriptions", "ListSubscriptionsByTopic",
       "GetSubscriptionAttributes", "SetSubscriptionAttributes", "Publish", "PublishBatch",
       "TagResource", "UntagResource", "ListTagsForResource"]

URL = "http://127.0.0.1:9324/000000000000/q"
# One request per SQS action, as the tests send them (tests/it, tests/boto3).
JSON = {
    "CreateQueue": {"QueueName": "q.fifo", "Attributes": {"FifoQueue": "true", "VisibilityTimeout": "30"}, "tags": {"team": "a"}},
    "GetQueueUrl": {"QueueName": "q"},
    "ListQueues": {"QueueNamePrefix": "q", "MaxResults": 10, "NextToken": "x"},
    "SendMessage": {"QueueUrl": URL, "MessageBody": "hello", "DelaySeconds": 0, "MessageAttributes": {"a": {"DataType": "String", "StringValue": "v"}, "b": {"DataType": "Binary", "BinaryValue": "AAEC"}}, "MessageGroupId": "g", "MessageDeduplicationId": "d"},
    "SendMessageBatch": {"QueueUrl": URL, "Entries": [{"Id": "0", "MessageBody": "a"}, {"Id": "1", "MessageBody": "b", "DelaySeconds": 1}]},
    "ReceiveMessage": {"QueueUrl": URL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0, "VisibilityTimeout": 5, "MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"], "ReceiveRequestAttemptId": "r"},
    "DeleteMessage": {"QueueUrl": URL, "ReceiptHandle": "AQEB"},
    "DeleteMessageBatch": {"QueueUrl": URL, "Entries": [{"Id": "0", "ReceiptHandle": "AQEB"}]},
    "ChangeMessageVisibility": {"QueueUrl": URL, "ReceiptHandle": "AQEB", "VisibilityTimeout": 10},
    "ChangeMessageVisibilityBatch": {"QueueUrl": URL, "Entries": [{"Id": "0", "ReceiptHandle": "AQEB", "VisibilityTimeout": 0}]},
    "GetQueueAttributes": {"QueueUrl": URL, "AttributeNames": ["All"]},
    "SetQueueAttributes": {"QueueUrl": URL, "Attributes": {"RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"3\"}"}},
    "DeleteQueue": {"QueueUrl": URL},
    "PurgeQueue": {"QueueUrl": URL},
    "TagQueue": {"QueueUrl": URL, "Tags": {"k": "v"}},
    "UntagQueue": {"QueueUrl": URL, "TagKeys": ["k"]},
    "ListQueueTags": {"QueueUrl": URL},
    "ListDeadLetterSourceQueues": {"QueueUrl": URL, "MaxResults": 5},
    "AddPermission": {"QueueUrl": URL, "Label": "l", "AWSAccountIds": ["111122223333"], "Actions": ["SendMessage"]},
    "RemovePermission": {"QueueUrl": URL, "Label": "l"},
    "StartMessageMoveTask": {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:dlq", "MaxNumberOfMessagesPerSecond": 10},
    "CancelMessageMoveTask": {"TaskHandle": "eyJ0YXNrSWQiOiJ4In0="},
    "ListMessageMoveTasks": {"SourceArn": "arn:aws:sqs:us-east-1:000000000000:dlq", "MaxResults": 10},
}
# The same requests in the query protocol's layout (tests/query, tests/differential).
QUERY = {
    "SendMessage": "QueueUrl=" + URL + "&MessageBody=hello&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v",
    "SendMessageBatch": "QueueUrl=" + URL + "&SendMessageBatchRequestEntry.1.Id=0&SendMessageBatchRequestEntry.1.MessageBody=a&SendMessageBatchRequestEntry.2.Id=1&SendMessageBatchRequestEntry.2.MessageBody=b",
    "ReceiveMessage": "QueueUrl=" + URL + "&MaxNumberOfMessages=10&AttributeName.1=All&MessageAttributeName.1=All",
    "CreateQueue": "QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30&Tag.1.Key=k&Tag.1.Value=v",
    "DeleteMessageBatch": "QueueUrl=" + URL + "&DeleteMessageBatchRequestEntry.1.Id=0&DeleteMessageBatchRequestEntry.1.ReceiptHandle=AQEB",
    "GetQueueAttributes": "QueueUrl=" + URL + "&AttributeName.1=All",
}


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    for action, body in JSON.items():
        write("sqs_json", f"tests-{action}", bytes([SQS.index(action)]) + json.dumps(body).encode())
    for action, form in QUERY.items():
        write("sqs_query", f"tests-{action}", bytes([SQS.index(action)]) + f"Action={action}\n{form}".encode())
        write("sqs_query", f"tests-{action}-in-url", bytes([SQS.index(action)]) + f"Action={action}&{form}\n".encode())
    captures = ROOT / "tests" / "sns" / "wire-captures" / "sqsbench"
    for request in sorted(captures.glob("*-request.txt")):
        action = request.name.split("-")[1]
        if action in SNS:
            write("sns_request", f"wire-captures-{request.name}", bytes([SNS.index(action)]) + b"\n" + request.read_bytes())
    policies = set()
    for source in [ROOT / "tests" / "sns" / "test_sns.py", ROOT / "crates" / "sqsbench-emulator" / "src" / "filter_policy" / "tests.rs"]:
        text = source.read_text()
        for match in re.finditer(r'r#"(\{.*?\})"#|\'(\{.*?\})\'', text):
            policy = match.group(1) or match.group(2)
            if "{}" not in policy.replace("{{", ""):
                policies.add(policy)
    # The json!(…) policies of the filter-policy tests, where they are plain JSON.
    text = (ROOT / "crates" / "sqsbench-emulator" / "src" / "filter_policy" / "tests.rs").read_text()
    for start in [m.end() for m in re.finditer(r"json!\(", text)]:
        depth, end = 1, start
        while depth and end < len(text):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        try:
            policies.add(json.dumps(json.loads(text[start:end - 1])))
        except ValueError:
            pass
    for i, policy in enumerate(sorted(policies)):
        write("filter_policy", f"tests-{i:03}", policy)
    corpus = json.loads((ROOT / "crates" / "sqsbench-emulator" / "tests" / "corpus" / "event-patterns.json").read_text())
    patterns = sorted({json.dumps(c["pattern"]) for c in corpus["cases"] + corpus["invalid"]})
    for i, pattern in enumerate(patterns):
        write("event_pattern", f"corpus-{i:03}", pattern)
    header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    presigned = "Action=ReceiveMessage&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261205%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok&X-Amz-Signature=ff"
    write("sigv4", "tests-header-and-presigned", f"{header}\n{presigned}")
    write("credentials", "tests-profiles", "[default]\naws_access_key_id = AKID1\naws_secret_access_key = s1\n\n[temp]\naws_access_key_id=ASIA2\naws_secret_access_key=s2\naws_session_token=tok\n# comment\n")
    for toml in sorted((ROOT / "scenarios").glob("*.toml")) + sorted((ROOT / "tests" / "scenarios" / "bad").glob("*.toml")):
        write("scenario", f"{toml.parent.name}-{toml.name}", toml.read_text())
    write("scenario", "set-overrides", (ROOT / "scenarios" / "quickstart.toml").read_text() + "\0producers.rate=500/s\0run.duration=30s\0queue.type=fifo")
    for hlog in sorted((ROOT / "tests" / "results-corpus").glob("*/histograms.hlog")):
        write("hlog", f"results-corpus-{hlog.parent.name}", hlog.read_bytes())
    for shard in map(pathlib.Path, sys.argv[1:]):
        write("merge_shard_file", f"shard-{shard.name}", (shard / "shard.json").read_bytes())
        journal = (shard / "ledger.bin").read_bytes()
        # libFuzzer mutates small inputs faster: the header and the first frames are enough.
        write("ledger_journal", f"shard-{shard.name}", journal[:8192])


if __name__ == "__main__":
    main()
