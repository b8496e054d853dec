"""A tomodachi service as its users write one: two `aws_sns_sqs` handlers on one topic, one with a
filter policy, publishing with `aws_sns_sqs_publish`, against `sqsbench serve`
(tests/tomodachi/run.sh). tomodachi creates the topic, the queues, their policies and the
subscriptions itself, and asks STS on the same endpoint for the account.

Once started it publishes PUBLICATIONS, waits (bounded) until the unfiltered handler has every
message and the filtered one as many as match, checks that the filtered queue holds nothing
more, writes what it saw to $TOMODACHI_RESULT and exits.
"""

import asyncio
import json
import os

import tomodachi
from aiobotocore.session import get_session
from tomodachi.envelope import JsonBase

ENDPOINT = os.environ["SQSBENCH_ENDPOINT"]
RESULT = os.environ["TOMODACHI_RESULT"]
TOPIC = "orders-events"
POLICY = {"event": ["order_paid"], "amount": [{"numeric": [">=", 100]}]}
PUBLICATIONS = [("order_paid", 150), ("order_created", 500), ("order_paid", 50), ("order_paid", 100), ("refund", 300)] * 4
CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "test", "aws_secret_access_key": "test"}


def matches(event, amount):
    return event == "order_paid" and amount >= 100


@tomodachi.service
class Orders(tomodachi.Service):
    name = "orders"
    message_envelope = JsonBase
    options = tomodachi.Options(
        aws_sns_sqs=tomodachi.Options.AWSSNSSQS(**CREDENTIALS),
        aws_endpoint_urls=tomodachi.Options.AWSEndpointURLs(sns=ENDPOINT, sqs=ENDPOINT),
    )

    def __init__(self):
        self.billing = []
        self.audit = []

    @tomodachi.aws_sns_sqs(TOPIC, queue_name="billing", filter_policy=POLICY)
    async def on_billing(self, data):
        self.billing.append(data["n"])

    @tomodachi.aws_sns_sqs(TOPIC, queue_name="audit")
    async def on_audit(self, data):
        self.audit.append(data["n"])

    async def _started_service(self):
        for n, (event, amount) in enumerate(PUBLICATIONS):
            await tomodachi.aws_sns_sqs_publish(
                self,
                {"n": n, "event": event, "amount": amount},
                topic=TOPIC,
                message_attributes={"event": event, "amount": amount},
            )
        asyncio.create_task(self.report())

    async def report(self):
        try:
            result = await self.observe()
        except Exception as e:  # the check reads the failure from the result file
            result = {"error": repr(e)}
        with open(RESULT, "w") as out:
            json.dump(result, out)
        tomodachi.exit()

    async def observe(self):
        expected = sorted(n for n, (event, amount) in enumerate(PUBLICATIONS) if matches(event, amount))
        for _ in range(300):
            if len(self.audit) >= len(PUBLICATIONS) and len(self.billing) >= len(expected):
                break
            await asyncio.sleep(0.1)
        session = get_session()
        async with session.create_client("sqs", endpoint_url=ENDPOINT, **CREDENTIALS) as sqs:
            url = (await sqs.get_queue_url(QueueName="billing"))["QueueUrl"]
            left = (
                await sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )
            )["Attributes"]
        async with session.create_client("sns", endpoint_url=ENDPOINT, **CREDENTIALS) as sns:
            subscriptions = (await sns.list_subscriptions())["Subscriptions"]
        return {
            "expected": expected,
            "billing": sorted(self.billing),
            "audit": sorted(self.audit),
            "published": len(PUBLICATIONS),
            "left_on_billing": left,
            "subscriptions": len(subscriptions),
        }
