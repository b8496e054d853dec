"""The SQS query protocol (form-encoded requests, XML responses) with botocore 1.31.80, the last
release before SQS moved to JSON: the client older applications are pinned to. The same tests
run against `sqsbench serve` and LocalStack (tests/differential/run.sh), so both must agree.

SQSBENCH_ENDPOINT names the server.
"""

import hashlib
import json
import os
import sys
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from sqs_digests import md5_of_attributes  # noqa: E402

ENDPOINT = os.environ["SQSBENCH_ENDPOINT"]
# LocalStack (QUERY_PEER=localstack) differs from SQS in one place checked here: it marks an
# invalid receipt handle in a batch as the server's fault. docs/emulator.md lists it.
LOCALSTACK = os.environ.get("QUERY_PEER") == "localstack"


@pytest.fixture(scope="module")
def sqs():
    client = boto3.client(
        "sqs",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    assert client.meta.service_model.protocol == "query", botocore.__version__
    return client


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_bodies_attributes_and_digests_survive_xml(sqs):
    url = sqs.create_queue(QueueName=unique("q-md5"))["QueueUrl"]
    attributes = {
        "Foo": {"DataType": "String", "StringValue": "Bar & <baz>"},
        "count": {"DataType": "Number", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01binary\xff"},
        "custom": {"DataType": "String.custom", "StringValue": "ünïcødé ✓"},
    }
    body = "line one\r\nline <two> & \"three\" 'four' — ✓"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(attributes)
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"])
    message = got["Messages"][0]
    assert message["Body"] == body
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01binary\xff"
    assert message["MessageAttributes"]["Foo"]["StringValue"] == "Bar & <baz>"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert int(message["Attributes"]["SentTimestamp"]) > 0
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.delete_queue(QueueUrl=url)


def test_batches_report_each_entry(sqs):
    url = sqs.create_queue(QueueName=unique("q-batch"))["QueueUrl"]
    sent = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": f"e{i}", "MessageBody": f"body {i}", "DelaySeconds": 0} for i in range(3)],
    )
    assert sorted(e["Id"] for e in sent["Successful"]) == ["e0", "e1", "e2"]
    assert not sent.get("Failed")
    received = []
    while len(received) < 3:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        received += got.get("Messages", [])
    entries = [{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)]
    entries.append({"Id": "bad", "ReceiptHandle": "not-a-receipt-handle"})
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    assert sorted(e["Id"] for e in deleted["Successful"]) == ["d0", "d1", "d2"]
    assert [(f["Id"], f["Code"]) for f in deleted["Failed"]] == [("bad", "ReceiptHandleIsInvalid")]
    assert deleted["Failed"][0]["SenderFault"] is not LOCALSTACK
    sqs.delete_queue(QueueUrl=url)


def test_visibility_change_makes_a_message_receivable_again(sqs):
    url = sqs.create_queue(QueueName=unique("q-vis"), Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="again")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    second = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert second["Body"] == "again"
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.delete_queue(QueueUrl=url)


def test_fifo_groups_keep_order_and_deduplicate(sqs):
    url = sqs.create_queue(
        QueueName=unique("q-fifo") + ".fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g")
    again = sqs.send_message(QueueUrl=url, MessageBody="m0", MessageGroupId="g")
    assert again["MD5OfMessageBody"] == hashlib.md5(b"m0").hexdigest()
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
    bodies = [m["Body"] for m in got["Messages"]]
    assert bodies == ["m0", "m1", "m2"], "in order, the duplicate dropped"
    assert got["Messages"][0]["Attributes"]["MessageGroupId"] == "g"
    sqs.delete_queue(QueueUrl=url)


def test_queue_attributes_tags_and_listing(sqs):
    name = unique("q-attrs")
    url = sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "2"}, tags={"team": "core"})["QueueUrl"]
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert url in sqs.list_queues(QueueNamePrefix=name)["QueueUrls"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["DelaySeconds"] == "2"
    assert attributes["QueueArn"].endswith(":" + name)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0", "MessageRetentionPeriod": "600"})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds", "MessageRetentionPeriod"])
    assert got["Attributes"] == {"DelaySeconds": "0", "MessageRetentionPeriod": "600"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}
    sqs.purge_queue(QueueUrl=url)
    sqs.delete_queue(QueueUrl=url)


def test_dead_letter_sources_are_listed(sqs):
    dlq = sqs.create_queue(QueueName=unique("q-dlq"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % arn
    source = sqs.create_queue(QueueName=unique("q-src"), Attributes={"RedrivePolicy": policy})["QueueUrl"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    sqs.delete_queue(QueueUrl=source)
    sqs.delete_queue(QueueUrl=dlq)


def test_permissions_and_move_tasks_speak_query(sqs):
    url = sqs.create_queue(QueueName=unique("q-perm"))["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="both", AWSAccountIds=["111122223333", "444455556666"], Actions=["SendMessage", "ReceiveMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Action"] == ["SQS:SendMessage", "SQS:ReceiveMessage"]
    assert len(policy["Statement"][0]["Principal"]["AWS"]) == 2
    sqs.remove_permission(QueueUrl=url, Label="both")
    dlq = sqs.create_queue(QueueName=unique("q-movedlq"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = sqs.create_queue(QueueName=unique("q-movesrc"), Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})})["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(3):
        sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    handle = sqs.start_message_move_task(SourceArn=arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    tasks = sqs.list_message_move_tasks(SourceArn=arn, MaxResults=10)["Results"]
    assert tasks[0]["SourceArn"] == arn and tasks[0]["MaxNumberOfMessagesPerSecond"] == 1
    assert isinstance(tasks[0]["ApproximateNumberOfMessagesMoved"], int)
    assert tasks[0]["Status"] in ("RUNNING", "COMPLETED")
    if tasks[0]["Status"] == "RUNNING":
        assert tasks[0]["TaskHandle"] == handle
    for url_ in (url, source, dlq):
        sqs.delete_queue(QueueUrl=url_)


def test_errors_are_query_errors(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
        sqs.get_queue_url(QueueName=unique("missing"))
    assert e.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    url = sqs.create_queue(QueueName=unique("q-err"))["QueueUrl"]
    with pytest.raises(ClientError) as e:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-receipt-handle")
    assert e.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"
    with pytest.raises(ClientError) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[])
    assert e.value.response["Error"]["Code"] == "AWS.SimpleQueueService.EmptyBatchRequest"
    sqs.delete_queue(QueueUrl=url)


def test_get_requests_speak_query_too():
    with urllib.request.urlopen(f"{ENDPOINT}/?Action=ListQueues&Version=2012-11-05") as r:
        assert r.status == 200
        root = ET.fromstring(r.read())
    assert root.tag.endswith("ListQueuesResponse")
    ids = [e.text for e in root.iter() if e.tag.endswith("RequestId")]
    assert len(ids) == 1 and ids[0]
