"""boto3 against `sqsbench serve`: a second real SQS client checking bodies, both MD5 digests
(computed here independently), FIFO order and deduplication, dead-letter queues and errors.

Run by tests/boto3/run.sh, which starts the server and sets SQSBENCH_ENDPOINT.
"""

import hashlib
import json
import os
import sys
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from sqs_digests import md5_of_attributes  # noqa: E402

ENDPOINT = os.environ["SQSBENCH_ENDPOINT"]


@pytest.fixture(scope="module")
def sqs():
    return boto3.client(
        "sqs",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_body_and_both_md5s_round_trip(sqs):
    url = sqs.create_queue(QueueName=unique("md5"))["QueueUrl"]
    attributes = {
        "Foo": {"DataType": "String", "StringValue": "Bar"},
        "count": {"DataType": "Number", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01binary\xff"},
        "custom": {"DataType": "String.custom", "StringValue": "ünïcødé ✓"},
    }
    body = "héllo wörld — ✓ " + "x" * 1000
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(attributes)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
    message = got["Messages"][0]
    assert message["Body"] == body
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01binary\xff"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_recorded_attribute_digest(sqs):
    url = sqs.create_queue(QueueName=unique("recorded"))["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes={"k": {"DataType": "String", "StringValue": "x"}})
    assert sent["MD5OfMessageBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert sent["MD5OfMessageAttributes"] == "a45daa70926828a2f0a1db3418e6feb4"


def test_batch_send_and_delete(sqs):
    url = sqs.create_queue(QueueName=unique("batch"))["QueueUrl"]
    entries = [{"Id": f"e{i}", "MessageBody": f"body-{i}"} for i in range(10)]
    sent = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert len(sent["Successful"]) == 10 and sent.get("Failed", []) == []
    for s in sent["Successful"]:
        i = int(s["Id"][1:])
        assert s["MD5OfMessageBody"] == hashlib.md5(f"body-{i}".encode()).hexdigest()
    seen = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        if "Messages" not in got:
            break
        seen += [m["Body"] for m in got["Messages"]]
        out = sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got["Messages"])]
        )
        assert len(out["Successful"]) == len(got["Messages"])
    assert sorted(seen) == sorted(e["MessageBody"] for e in entries)


def test_fifo_order_within_groups(sqs):
    url = sqs.create_queue(QueueName=unique("order") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for i in range(30):
        sqs.send_message(QueueUrl=url, MessageBody=f"{i % 3}:{i}", MessageGroupId=f"g{i % 3}", MessageDeduplicationId=f"d{i}")
    per_group = {}
    sequence_numbers = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
        if "Messages" not in got:
            break
        for m in got["Messages"]:
            group, n = m["Body"].split(":")
            per_group.setdefault(group, []).append(int(n))
            sequence_numbers.append(int(m["Attributes"]["SequenceNumber"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert sum(len(v) for v in per_group.values()) == 30
    for values in per_group.values():
        assert values == sorted(values)


def test_fifo_deduplication(sqs):
    url = sqs.create_queue(
        QueueName=unique("dedup") + ".fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    a = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    b = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    c = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g", MessageDeduplicationId="explicit")
    assert a["MessageId"] == b["MessageId"]
    assert c["MessageId"] != a["MessageId"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    assert len(got["Messages"]) == 2


def test_dead_letter_queue(sqs):
    dlq_name = unique("dlq")
    dlq = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    src = sqs.create_queue(
        QueueName=unique("src"),
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})},
    )["QueueUrl"]
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    for _ in range(2):
        m = sqs.receive_message(QueueUrl=src)["Messages"][0]
        sqs.change_message_visibility(QueueUrl=src, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=src)
    moved = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])["Messages"][0]
    assert moved["Body"] == "poison"
    assert moved["Attributes"]["DeadLetterQueueSourceArn"].endswith(src.rsplit("/", 1)[1])
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]


def error_of(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response


def test_errors_carry_legacy_codes_and_shapes(sqs):
    missing = f"{ENDPOINT}/000000000000/{unique('missing')}"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
        sqs.send_message(QueueUrl=missing, MessageBody="x")
    error = info.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["QueryErrorCode"] == "QueueDoesNotExist"
    assert error["Type"] == "Sender"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    url = sqs.create_queue(QueueName=unique("errors"))["QueueUrl"]
    response = error_of(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}] * 2))
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    response = error_of(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=25))
    assert response["Error"]["Code"] == "InvalidParameterValue"
    response = error_of(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="nonsense"))
    assert response["Error"]["Code"] == "ReceiptHandleIsInvalid"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    response = error_of(lambda: sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 * 1024 + 1)))
    assert response["Error"]["Code"] == "InvalidParameterValue"
    sqs.purge_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=url)
    response = error_of(lambda: sqs.create_queue(QueueName=unique("bad") + ".fifo"))
    assert response["Error"]["Code"] == "InvalidParameterValue"
    fifo = sqs.create_queue(QueueName=unique("rules") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    response = error_of(lambda: sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="d"))
    assert response["Error"]["Code"] == "MissingParameter"


def test_list_and_tags(sqs):
    prefix = unique("list")
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}", tags={"i": str(i)})["QueueUrl"] for i in range(5)]
    assert sorted(sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]) == sorted(urls)
    page = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert len(page["QueueUrls"]) == 2 and "NextToken" in page
    assert sqs.list_queue_tags(QueueUrl=urls[3])["Tags"] == {"i": "3"}
    for url in urls:
        sqs.delete_queue(QueueUrl=url)
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=prefix)
