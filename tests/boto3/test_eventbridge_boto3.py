"""boto3's `events` client against `sqsbench serve`: a bus, a rule like seed 002's
(orderValue > 100) and a queue target; only matching events arrive, as the EventBridge envelope;
TestEventPattern answers as the pattern corpus says.

Run by tests/boto3/run.sh, which starts the server and sets SQSBENCH_ENDPOINT.
"""

import json
import os
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["SQSBENCH_ENDPOINT"]
CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "sqsbench-emulator", "tests",
                      "corpus", "event-patterns.json")
SEED_002 = {"source": ["com.company.orders"], "detail-type": ["OrderCreated"],
            "detail": {"orderValue": [{"numeric": [">", 100]}]}}


def client(service):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def events():
    return client("events")


@pytest.fixture(scope="module")
def sqs():
    return client("sqs")


def order(bus, value):
    return {"EventBusName": bus, "Source": "com.company.orders", "DetailType": "OrderCreated",
            "Detail": json.dumps({"orderValue": value})}


def drain(sqs, url):
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            out.append(json.loads(m["Body"]))


def test_only_matching_events_arrive_as_the_envelope(events, sqs):
    bus = f"orders-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=f"big-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    assert bus_arn.endswith(f":event-bus/{bus}")
    rule_arn = events.put_rule(Name="big-orders", EventBusName=bus, EventPattern=json.dumps(SEED_002))["RuleArn"]
    assert rule_arn.endswith(f":rule/{bus}/big-orders")
    put = events.put_targets(Rule="big-orders", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    assert put["FailedEntryCount"] == 0
    answer = events.put_events(Entries=[order(bus, 250), order(bus, 50), order(bus, 101)])
    assert answer["FailedEntryCount"] == 0
    got = drain(sqs, url)
    assert [e["detail"]["orderValue"] for e in got] == [250, 101]
    assert set(got[0]) >= {"version", "id", "detail-type", "source", "account", "time", "region", "resources",
                           "detail"}
    assert got[0]["id"] == answer["Entries"][0]["EventId"]
    assert got[0]["source"] == "com.company.orders"


def test_the_pattern_corpus_through_test_event_pattern(events):
    with open(CORPUS) as f:
        corpus = json.load(f)
    envelope = {"version": "0", "id": "1", "detail-type": "Corpus Event", "source": "corpus.test",
                "account": "000000000000", "time": "2026-12-06T00:00:00Z", "region": "us-east-1",
                "resources": [], "detail": {}}
    checked = 0
    for case in corpus["cases"]:
        for item in case["events"]:
            event = dict(envelope, **item["event"])
            result = events.test_event_pattern(EventPattern=json.dumps(case["pattern"]), Event=json.dumps(event))
            assert result["Result"] == item["matches"], (case["pattern"], item["event"])
            checked += 1
    for case in corpus["invalid"]:
        with pytest.raises(ClientError) as refused:
            events.test_event_pattern(EventPattern=json.dumps(case["pattern"]), Event=json.dumps(envelope))
        assert refused.value.response["Error"]["Code"] == "InvalidEventPatternException"
        checked += 1
    assert checked >= 150


def test_typed_errors(events):
    with pytest.raises(ClientError) as missing:
        events.describe_rule(Name="no-such-rule")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as schedule:
        events.put_rule(Name="cron", ScheduleExpression="rate(1 minute)")
    assert schedule.value.response["Error"]["Code"] == "ValidationException"
