"""SNS conformance with boto3 (SNS speaks the query protocol in every SDK): topics, filtered
fan-out into SQS queues (envelopes and raw deliveries), FIFO topics, batches and typed errors.
The same tests run against `sqsbench serve` and LocalStack (tests/sns/run.sh), so both must
agree.

SNS_ENDPOINT names the server. LocalStack delivers to queues after Publish returns, so a
receive long-polls (bounded) for what it expects.
"""

import json
import os
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["SNS_ENDPOINT"]
# Where every SNS exchange is written (NN-Action-request.txt / -response.txt), for
# compare_captures.py; unset: nothing is written.
CAPTURE_DIR = os.environ.get("SNS_CAPTURE_DIR")


class Capture:
    """Writes each SNS request and its response, as sent and received, numbered in call order."""

    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.pending = None
        os.makedirs(directory, exist_ok=True)

    def before_send(self, request, **_):
        body = request.body or b""
        self.pending = body.decode() if isinstance(body, bytes) else str(body)

    def after_call(self, http_response, model, **_):
        self.count += 1
        stem = os.path.join(self.directory, f"{self.count:02d}-{model.name}")
        with open(f"{stem}-request.txt", "w") as out:
            out.write(self.pending or "")
        with open(f"{stem}-response.txt", "w") as out:
            out.write(f"HTTP {http_response.status_code}\n")
            out.write(http_response.content.decode(errors="replace"))


def client(service):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def sns():
    c = client("sns")
    assert c.meta.service_model.protocol == "query"
    if CAPTURE_DIR:
        capture = Capture(CAPTURE_DIR)
        c.meta.events.register("before-send.sns", capture.before_send)
        c.meta.events.register("after-call.sns", capture.after_call)
    return c


@pytest.fixture(scope="module")
def sqs():
    return client("sqs")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def queue(sqs, name, **attributes):
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs, url, expected, extra_wait=1):
    """Every message up to `expected` (deleted as read), then one more bounded poll that must
    find nothing."""
    got = []
    for _ in range(20):
        if len(got) >= expected:
            break
        reply = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        )
        for m in reply.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            got.append(m)
    extra = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=extra_wait).get("Messages", [])
    assert extra == [], [m["Body"] for m in extra]
    return got


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_topics_are_created_once_listed_and_described(sns):
    name = unique("t")
    arn = sns.create_topic(Name=name)["TopicArn"]
    assert arn.endswith(f":{name}") and arn.startswith("arn:aws:sns:us-east-1:")
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    listed = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert arn in listed
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Orders")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Orders"
    assert attributes["TopicArn"] == arn
    assert attributes["SubscriptionsConfirmed"] == "0"
    assert "FifoTopic" not in attributes
    sns.delete_topic(TopicArn=arn)
    assert arn not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]


def test_fifo_topics_need_the_suffix(sns):
    name = unique("f") + ".fifo"
    arn = sns.create_topic(Name=name, Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"
    with pytest.raises(ClientError) as e:
        sns.create_topic(Name=unique("nofifo"), Attributes={"FifoTopic": "true"})
    assert code(e) == "InvalidParameter"


def test_missing_topics_are_not_found(sns):
    with pytest.raises(ClientError) as e:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:000000000000:" + unique("none"))
    assert code(e) == "NotFound"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_tags(sns):
    arn = sns.create_topic(Name=unique("tagged"), Tags=[{"Key": "run", "Value": "r1"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "x"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["run"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "x"}]


def test_filtered_fan_out_with_envelopes_and_raw_delivery(sns, sqs):
    topic = sns.create_topic(Name=unique("orders"))["TopicArn"]
    billing_url, billing_arn = queue(sqs, unique("billing"))
    raw_url, raw_arn = queue(sqs, unique("analytics"))
    policy = {"event": ["order_paid"], "amount": [{"numeric": [">=", 100]}]}
    billing = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=billing_arn,
        Attributes={"FilterPolicy": json.dumps(policy)},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    sent = {}
    for i, (event, amount) in enumerate([("order_paid", 150), ("order_created", 500), ("order_paid", 99), ("order_paid", 100)]):
        sent[f"m{i}"] = sns.publish(
            TopicArn=topic,
            Message=f"m{i}",
            Subject="hello",
            MessageAttributes={
                "event": {"DataType": "String", "StringValue": event},
                "amount": {"DataType": "Number", "StringValue": str(amount)},
            },
        )["MessageId"]
    billed = [json.loads(m["Body"]) for m in receive(sqs, billing_url, 2)]
    assert sorted(e["Message"] for e in billed) == ["m0", "m3"]
    first = next(e for e in billed if e["Message"] == "m0")
    assert first["Type"] == "Notification"
    assert first["TopicArn"] == topic
    assert first["MessageId"] == sent["m0"]
    assert first["Subject"] == "hello"
    assert first["MessageAttributes"]["amount"] == {"Type": "Number", "Value": "150"}
    assert first["MessageAttributes"]["event"] == {"Type": "String", "Value": "order_paid"}
    assert billing in first["UnsubscribeURL"]
    for key in ["Timestamp", "SignatureVersion", "Signature", "SigningCertURL"]:
        assert key in first
    raw = receive(sqs, raw_url, 4)
    assert sorted(m["Body"] for m in raw) == ["m0", "m1", "m2", "m3"]
    m1 = next(m for m in raw if m["Body"] == "m1")
    assert m1["MessageAttributes"]["event"] == {"StringValue": "order_created", "DataType": "String"}
    attributes = sns.get_subscription_attributes(SubscriptionArn=billing)["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == policy
    assert attributes["RawMessageDelivery"] == "false"
    assert attributes["Endpoint"] == billing_arn
    assert attributes["Protocol"] == "sqs"
    by_topic = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["Endpoint"] for s in by_topic) == sorted([billing_arn, raw_arn])


def test_message_body_scope_with_nested_keys(sns, sqs):
    topic = sns.create_topic(Name=unique("body"))["TopicArn"]
    url, arn = queue(sqs, unique("paid"))
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps({"order": {"status": ["paid"], "total": [{"numeric": [">", 10]}]}}),
            "RawMessageDelivery": "true",
        },
    )
    bodies = [
        {"order": {"status": "paid", "total": 11}},
        {"order": {"status": "paid", "total": 5}},
        {"order": {"status": "new", "total": 50}},
        {"status": "paid", "total": 50},
    ]
    for b in bodies:
        sns.publish(TopicArn=topic, Message=json.dumps(b))
    assert [json.loads(m["Body"]) for m in receive(sqs, url, 1)] == bodies[:1]


def test_invalid_filter_policies_are_refused(sns, sqs):
    topic = sns.create_topic(Name=unique("bad"))["TopicArn"]
    _, arn = queue(sqs, unique("q"))
    for policy in ['{"event": "order_paid"}', '{"a": [{"numeric": [">", "x"]}]}', "not json"]:
        with pytest.raises(ClientError) as e:
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": policy})
        assert code(e) == "InvalidParameter", policy
        assert "FilterPolicy" in e.value.response["Error"]["Message"]


def test_fifo_topic_to_fifo_queue_keeps_order_and_deduplicates(sns, sqs):
    name = unique("ord")
    topic = sns.create_topic(Name=name + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, arn = queue(sqs, name + ".fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    numbers = []
    for i in range(6):
        reply = sns.publish(
            TopicArn=topic, Message=str(i), MessageGroupId="g", MessageDeduplicationId=f"d{min(i, 4)}"
        )
        numbers.append(int(reply["SequenceNumber"]))
    assert numbers[:5] == sorted(numbers[:5]) and len(set(numbers[:5])) == 5
    assert [m["Body"] for m in receive(sqs, url, 5)] == ["0", "1", "2", "3", "4"]
    with pytest.raises(ClientError) as e:
        sns.publish(TopicArn=topic, Message="x", MessageDeduplicationId="z")
    assert code(e) == "InvalidParameter"


def test_batches(sns, sqs):
    topic = sns.create_topic(Name=unique("batch"))["TopicArn"]
    url, arn = queue(sqs, unique("all"))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    entries = [{"Id": f"e{i}", "Message": f"b{i}"} for i in range(10)]
    reply = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert sorted(s["Id"] for s in reply["Successful"]) == sorted(e["Id"] for e in entries)
    assert reply.get("Failed", []) == []
    assert sorted(m["Body"] for m in receive(sqs, url, 10)) == sorted(e["Message"] for e in entries)
    with pytest.raises(ClientError) as e:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries + [{"Id": "e10", "Message": "x"}])
    assert code(e) == "TooManyEntriesInBatchRequest"
    with pytest.raises(ClientError) as e:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "x"}, {"Id": "a", "Message": "y"}])
    assert code(e) == "BatchEntryIdsNotDistinct"


def test_publishing_to_a_topic_without_subscriptions_succeeds(sns):
    topic = sns.create_topic(Name=unique("quiet"))["TopicArn"]
    assert sns.publish(TopicArn=topic, Message="nobody listens")["MessageId"]


def test_unsubscribe(sns, sqs):
    topic = sns.create_topic(Name=unique("unsub"))["TopicArn"]
    url, arn = queue(sqs, unique("q"))
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=sub)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    sns.publish(TopicArn=topic, Message="after")
    receive(sqs, url, 0)
