"""One scripted SQS sequence, run against any endpoint, printing what a client can observe in a
normalized form (bodies, order within FIFO groups, error codes and statuses, counts; never ids,
handles or timestamps). tests/differential/run.sh runs it against `sqsbench serve` and
LocalStack and compares the two outputs.

usage: python sequence.py ENDPOINT OUTPUT.json
"""

import hashlib
import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, output = sys.argv[1], sys.argv[2]
sqs = boto3.client(
    "sqs",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="test",
    aws_secret_access_key="test",
    config=Config(retries={"max_attempts": 1}),
)
observed = []


def step(name, call):
    try:
        result = call()
    except ClientError as e:
        result = {"error": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    observed.append({"step": name, "result": result})
    return result


def drain(url, **kwargs):
    bodies = []
    for _ in range(100):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs)
        if not got.get("Messages"):
            break
        for m in got["Messages"]:
            bodies.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


ATTRS = ["VisibilityTimeout", "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds"]

std = sqs.create_queue(QueueName="diff-std")["QueueUrl"]
step("default attributes", lambda: sqs.get_queue_attributes(QueueUrl=std, AttributeNames=ATTRS)["Attributes"])
step("get url", lambda: sqs.get_queue_url(QueueName="diff-std")["QueueUrl"].endswith("/diff-std"))
step(
    "send with attributes",
    lambda: {
        k: v
        for k, v in sqs.send_message(
            QueueUrl=std,
            MessageBody="hello",
            MessageAttributes={"Foo": {"DataType": "String", "StringValue": "Bar"}, "n": {"DataType": "Number", "StringValue": "7"}},
        ).items()
        if k.startswith("MD5")
    },
)
step(
    "batch with a bad entry",
    lambda: (lambda r: {"ok": sorted(s["Id"] for s in r.get("Successful", [])), "failed": sorted((f["Id"], f["Code"]) for f in r.get("Failed", []))})(
        sqs.send_message_batch(
            QueueUrl=std,
            Entries=[{"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(8)] + [{"Id": "bad", "MessageBody": "bad\u0001"}],
        )
    ),
)
step("counts after send", lambda: sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"])
step("drain standard (sorted)", lambda: sorted(drain(std)))
step("received md5 of body", lambda: [
    sqs.send_message(QueueUrl=std, MessageBody="msg")["MD5OfMessageBody"],
    sqs.receive_message(QueueUrl=std)["Messages"][0]["MD5OfBody"],
])
step("visibility: in flight is invisible", lambda: "Messages" in sqs.receive_message(QueueUrl=std))
step("get missing queue url", lambda: sqs.get_queue_url(QueueName="diff-missing"))
step("send to missing queue", lambda: sqs.send_message(QueueUrl=std.replace("diff-std", "diff-missing"), MessageBody="x"))
step("wait time 21", lambda: sqs.receive_message(QueueUrl=std, WaitTimeSeconds=21))
step("max messages 11", lambda: sqs.receive_message(QueueUrl=std, MaxNumberOfMessages=11))
step("duplicate batch ids", lambda: sqs.send_message_batch(QueueUrl=std, Entries=[{"Id": "a", "MessageBody": "x"}] * 2))
step("empty batch", lambda: sqs.send_message_batch(QueueUrl=std, Entries=[]))
step("eleven entries", lambda: sqs.send_message_batch(QueueUrl=std, Entries=[{"Id": f"i{i}", "MessageBody": "x"} for i in range(11)]))
step("invalid batch id", lambda: sqs.send_message_batch(QueueUrl=std, Entries=[{"Id": "no spaces", "MessageBody": "x"}]))
step("oversized message", lambda: sqs.send_message(QueueUrl=std, MessageBody="x" * (1024 * 1024 + 1)))
step("delay 901", lambda: sqs.send_message(QueueUrl=std, MessageBody="x", DelaySeconds=901) and "accepted")
step("conflicting create", lambda: sqs.create_queue(QueueName="diff-std", Attributes={"VisibilityTimeout": "7"}))
step("idempotent create", lambda: sqs.create_queue(QueueName="diff-std")["QueueUrl"] == std)
step("unknown attribute", lambda: sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["Bogus"]))
step("purge", lambda: sqs.purge_queue(QueueUrl=std)["ResponseMetadata"]["HTTPStatusCode"])
step("purge again", lambda: sqs.purge_queue(QueueUrl=std) and "accepted")
step("tags", lambda: (sqs.tag_queue(QueueUrl=std, Tags={"a": "1", "b": "2"}), sqs.untag_queue(QueueUrl=std, TagKeys=["a"]), sqs.list_queue_tags(QueueUrl=std).get("Tags"))[2])

fifo = sqs.create_queue(QueueName="diff.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
ids = []
for i in range(9):
    ids.append(sqs.send_message(QueueUrl=fifo, MessageBody=f"g{i % 3}-{i}", MessageGroupId=f"g{i % 3}", MessageDeduplicationId=f"d{i}")["MessageId"])
step("fifo dedup returns the original id", lambda: sqs.send_message(QueueUrl=fifo, MessageBody="dup", MessageGroupId="g0", MessageDeduplicationId="d0")["MessageId"] == ids[0])
step("fifo attributes", lambda: sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"])["Attributes"])


def fifo_order():
    per_group = {}
    for body in drain(fifo):
        per_group.setdefault(body.split("-")[0], []).append(body)
    return per_group


step("fifo order within groups", fifo_order)
step("fifo missing group", lambda: sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="z"))
step("fifo missing dedup id", lambda: sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g"))
step("fifo per-message delay", lambda: sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="y", DelaySeconds=3))


def group_lock():
    sqs.send_message(QueueUrl=fifo, MessageBody="L1", MessageGroupId="lock", MessageDeduplicationId="l1")
    sqs.send_message(QueueUrl=fifo, MessageBody="L2", MessageGroupId="lock", MessageDeduplicationId="l2")
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1)["Messages"][0]
    second = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1).get("Messages", [])
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first["ReceiptHandle"])
    third = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1)["Messages"][0]
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=third["ReceiptHandle"])
    return [first["Body"], len(second), third["Body"]]


step("fifo group lock", group_lock)


def group_unlocks_on_visible_head():
    """AWS's sequence: a group whose oldest message is visible again is receivable at once."""
    q = sqs.create_queue(QueueName="diff-heads.fifo", Attributes={"FifoQueue": "True", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body, group in [("g1-m1", "g1"), ("g1-m2", "g1"), ("g2-m1", "g2")]:
        sqs.send_message(QueueUrl=q, MessageBody=body, MessageGroupId=group)
    first = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=2)["Messages"]
    sqs.change_message_visibility(QueueUrl=q, ReceiptHandle=first[0]["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=3)["Messages"]
    return [[m["Body"] for m in first], sorted(m["Body"] for m in again)]


step("fifo group receivable when its head is visible again", group_unlocks_on_visible_head)


def purge_forgets_dedup_ids():
    q = sqs.create_queue(QueueName="diff-purge.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=q, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="same")
    sqs.purge_queue(QueueUrl=q)
    sqs.send_message(QueueUrl=q, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="same")
    return drain(q)


step("purge clears the fifo dedup ids", purge_forgets_dedup_ids)


def returned_message_comes_first():
    """AWS's sequence, with visibility 0 standing in for an expired timeout."""
    q = sqs.create_queue(QueueName="diff-return")["QueueUrl"]
    sqs.send_message(QueueUrl=q, MessageBody="test1")
    sqs.receive_message(QueueUrl=q, VisibilityTimeout=0)
    sqs.send_message(QueueUrl=q, MessageBody="test2")
    return [m["Body"] for m in sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=1)["Messages"]]


def visibility_change_after_it_lapsed():
    q = sqs.create_queue(QueueName="diff-lapsed")["QueueUrl"]
    sqs.send_message(QueueUrl=q, MessageBody="m")
    handle = sqs.receive_message(QueueUrl=q)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=q, ReceiptHandle=handle, VisibilityTimeout=0)
    changed = step("change visibility of a visible message", lambda: sqs.change_message_visibility(QueueUrl=q, ReceiptHandle=handle, VisibilityTimeout=30)["ResponseMetadata"]["HTTPStatusCode"])
    return [changed, len(sqs.receive_message(QueueUrl=q).get("Messages", []))]


def older_receipt_releases():
    q = sqs.create_queue(QueueName="diff-older")["QueueUrl"]
    sqs.send_message(QueueUrl=q, MessageBody="m")
    old = sqs.receive_message(QueueUrl=q)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=q, ReceiptHandle=old, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=q)
    released = step("visibility 0 with an older receipt", lambda: sqs.change_message_visibility(QueueUrl=q, ReceiptHandle=old, VisibilityTimeout=0)["ResponseMetadata"]["HTTPStatusCode"])
    return [released, len(sqs.receive_message(QueueUrl=q).get("Messages", []))]


step("a returned message comes back before later sends", returned_message_comes_first)
step("hidden again after it lapsed", visibility_change_after_it_lapsed)
step("older receipt's visibility 0", older_receipt_releases)


def fifo_zero_delay_is_the_queue_delay():
    q = sqs.create_queue(QueueName="diff-delay.fifo", Attributes={"FifoQueue": "true", "DelaySeconds": "5"})["QueueUrl"]
    sqs.send_message(QueueUrl=q, MessageBody="late", MessageGroupId="g", MessageDeduplicationId="a", DelaySeconds=0)
    return len(sqs.receive_message(QueueUrl=q).get("Messages", []))


step("fifo DelaySeconds 0 keeps the queue delay", fifo_zero_delay_is_the_queue_delay)


def fifo_zero_visibility_keeps_order():
    q = sqs.create_queue(QueueName="diff-zero.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for i in range(4):
        sqs.send_message(QueueUrl=q, MessageBody=f"z{i}", MessageGroupId="g")
    seen = []
    for _ in range(3):
        got = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=2, VisibilityTimeout=0)
        seen.append([m["Body"] for m in got.get("Messages", [])])
    return seen


def fifo_not_visible_count():
    q = sqs.create_queue(QueueName="diff-count.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=q, MessageBody=f"c{i}", MessageGroupId=f"g{i % 2}")
    sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10)
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    return sqs.get_queue_attributes(QueueUrl=q, AttributeNames=names)["Attributes"]


def fifo_high_throughput_switch():
    q = sqs.create_queue(QueueName="diff-ht.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    names = ["DeduplicationScope", "FifoThroughputLimit"]
    sqs.set_queue_attributes(QueueUrl=q, Attributes={"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
    on = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=names)["Attributes"]
    sqs.set_queue_attributes(QueueUrl=q, Attributes={"DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"})
    off = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=names)["Attributes"]
    return [on, off]


step("fifo zero-visibility receives keep group order", fifo_zero_visibility_keeps_order)
step("fifo ApproximateNumberOfMessagesNotVisible", fifo_not_visible_count)
step("fifo high throughput on and off after creation", fifo_high_throughput_switch)
step("standard FifoQueue=false", lambda: sqs.create_queue(QueueName="diff-notfifo", Attributes={"FifoQueue": "false"}) and "accepted")


def message_of(call):
    try:
        call()
        return "accepted"
    except ClientError as e:
        return {"error": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}


vq = sqs.create_queue(QueueName="diff-valid.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
step("fifo batch with an entry missing its group", lambda: message_of(lambda: sqs.send_message_batch(QueueUrl=vq, Entries=[
    {"Id": "a", "MessageBody": "a", "MessageGroupId": "g"}, {"Id": "b", "MessageBody": "b"}])))
sq = sqs.create_queue(QueueName="diff-valid", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
step("unicode letters in an attribute name", lambda: message_of(lambda: sqs.send_message(QueueUrl=sq, MessageBody="u", MessageAttributes={"attr.1øßä": {"DataType": "String", "StringValue": "v"}})))
step("maximum size per batch entry", lambda: message_of(lambda: sqs.send_message_batch(QueueUrl=sq, Entries=[
    {"Id": "a", "MessageBody": "x" * 700}, {"Id": "b", "MessageBody": "y" * 700}])))
step("empty attribute value", lambda: message_of(lambda: sqs.send_message(QueueUrl=sq, MessageBody="e", MessageAttributes={"X": {"DataType": "String", "StringValue": ""}})))
step("conflicting create message", lambda: message_of(lambda: sqs.create_queue(QueueName="diff-valid", Attributes={"MaximumMessageSize": "2048"})))
step("batch reply members when all succeed", lambda: sorted(k for k in sqs.send_message_batch(QueueUrl=sq, Entries=[{"Id": "a", "MessageBody": "ok"}]) if k != "ResponseMetadata"))


def kms_switched_off():
    q = sqs.create_queue(QueueName="diff-kms", Attributes={"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "300"})["QueueUrl"]
    before = sorted(k for k in sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["All"])["Attributes"] if "Kms" in k or "Sse" in k)
    sqs.set_queue_attributes(QueueUrl=q, Attributes={"KmsMasterKeyId": ""})
    after = sorted(k for k in sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["All"])["Attributes"] if "Kms" in k or "Sse" in k)
    return [before, after]


step("kms attributes when kms is switched off", kms_switched_off)


def attribute_prefix_filters():
    q = sqs.create_queue(QueueName="diff-prefix")["QueueUrl"]
    value = {"DataType": "String", "StringValue": "v"}
    sqs.send_message(QueueUrl=q, MessageBody="p", MessageAttributes={"Help.a": value, "Help.b": value, "Other": value})
    seen = []
    for names in (["Help.*"], [".*"], ["Other"]):
        got = sqs.receive_message(QueueUrl=q, MessageAttributeNames=names, VisibilityTimeout=0)["Messages"][0]
        seen.append(sorted(got.get("MessageAttributes", {})))
    return seen


step("message attribute name filters", attribute_prefix_filters)
step("set FifoQueue on a fifo queue", lambda: sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})["ResponseMetadata"]["HTTPStatusCode"])

dlq = sqs.create_queue(QueueName="diff-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
src = sqs.create_queue(QueueName="diff-src", Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
sqs.send_message(QueueUrl=src, MessageBody="poison")


def redrive():
    m = sqs.receive_message(QueueUrl=src)["Messages"][0]
    sqs.change_message_visibility(QueueUrl=src, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=src).get("Messages", [])
    moved = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
    return {"redelivered": len(again), "dead_lettered": [x["Body"] for x in moved]}


step("redrive to dlq", redrive)
step("dead letter sources", lambda: [u.rsplit("/", 1)[1] for u in sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]])



def code_of(call):
    try:
        call()
        return "accepted"
    except ClientError as e:
        return e.response["Error"]["Code"]


def permissions():
    q = sqs.create_queue(QueueName="diff-perm")["QueueUrl"]
    sqs.add_permission(QueueUrl=q, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.add_permission(QueueUrl=q, Label="read", AWSAccountIds=["111122223333", "444455556666"], Actions=["ReceiveMessage", "DeleteMessage"])
    doc = json.loads(sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"])["Attributes"]["Policy"])
    statements = [
        {k: (v.rsplit(":", 1)[1] if k == "Resource" else v) for k, v in st.items()}
        for st in doc["Statement"]
    ]
    again = code_of(lambda: sqs.add_permission(QueueUrl=q, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"]))
    sqs.remove_permission(QueueUrl=q, Label="send")
    left = [st["Sid"] for st in json.loads(sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"])["Attributes"]["Policy"])["Statement"]]
    sqs.remove_permission(QueueUrl=q, Label="read")
    after = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"]).get("Attributes", {})
    missing = code_of(lambda: sqs.remove_permission(QueueUrl=q, Label="read"))
    return {"version": doc["Version"], "id": doc["Id"].rsplit(":", 1)[1], "statements": statements,
            "duplicate label": again, "left": left, "after removing all": after, "unknown label": missing}


step("add and remove permission", permissions)


def dead_lettered(prefix, n):
    """A source queue dead-lettering into a DLQ on the second receive, with n messages moved."""
    d = sqs.create_queue(QueueName=f"{prefix}-dlq")["QueueUrl"]
    d_arn = sqs.get_queue_attributes(QueueUrl=d, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s = sqs.create_queue(QueueName=f"{prefix}-src", Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": d_arn, "maxReceiveCount": 1})})["QueueUrl"]
    for i in range(n):
        sqs.send_message(QueueUrl=s, MessageBody=f"{prefix}-{i}")
    for _ in range(4 * n):
        if count(d) >= n:
            break
        sqs.receive_message(QueueUrl=s, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return s, d, d_arn


def count(url):
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])


def last_task(arn):
    """The newest task once it has ended, polled for at most 30 s."""
    for _ in range(1500):
        task = sqs.list_message_move_tasks(SourceArn=arn)["Results"][0]
        if task["Status"] not in ("RUNNING", "CANCELLING"):
            return task
        time.sleep(0.02)
    return task


def move_back_to_source():
    s, d, d_arn = dead_lettered("diff-move", 4)
    handle = sqs.start_message_move_task(SourceArn=d_arn)["TaskHandle"]
    task = last_task(d_arn)
    return {"handle given": bool(handle), "status": task["Status"], "moved": task["ApproximateNumberOfMessagesMoved"],
            "to move": task.get("ApproximateNumberOfMessagesToMove"), "members": sorted(task),
            "back in source": sorted(drain(s)), "left in dlq": count(d)}


def cancel_a_paced_move():
    s, d, d_arn = dead_lettered("diff-cancel", 3)
    dest = sqs.create_queue(QueueName="diff-cancel-dest")["QueueUrl"]
    dest_arn = sqs.get_queue_attributes(QueueUrl=dest, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    handle = sqs.start_message_move_task(SourceArn=d_arn, DestinationArn=dest_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    running = sqs.list_message_move_tasks(SourceArn=d_arn, MaxResults=10)["Results"]
    second = code_of(lambda: sqs.start_message_move_task(SourceArn=d_arn))
    sqs.cancel_message_move_task(TaskHandle=handle)
    task = last_task(d_arn)
    moved = task["ApproximateNumberOfMessagesMoved"]
    return {"running": [(t["Status"], t.get("TaskHandle") == handle, t.get("MaxNumberOfMessagesPerSecond"), t["DestinationArn"].endswith("diff-cancel-dest")) for t in running],
            "second start": second, "status": task["Status"], "nothing lost": moved + count(d) == 3 and count(dest) == moved}


def move_task_errors():
    s, d, d_arn = dead_lettered("diff-moveerr", 1)
    s_arn = sqs.get_queue_attributes(QueueUrl=s, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"not a dlq": code_of(lambda: sqs.start_message_move_task(SourceArn=s_arn)),
            "missing source": code_of(lambda: sqs.start_message_move_task(SourceArn=d_arn + "-nope")),
            "garbled handle": code_of(lambda: sqs.cancel_message_move_task(TaskHandle="not-a-handle")),
            "no tasks yet": sqs.list_message_move_tasks(SourceArn=d_arn).get("Results", [])}


step("move task back to the original source", move_back_to_source)
step("cancel a paced move to a destination", cancel_a_paced_move)
step("move task errors", move_task_errors)

for url in (std, fifo, dlq, src):
    sqs.delete_queue(QueueUrl=url)
step("queue gone", lambda: sqs.get_queue_url(QueueName="diff-std"))

with open(output, "w") as f:
    json.dump(observed, f, indent=1, sort_keys=True)
print(f"{len(observed)} observations written to {output}")
