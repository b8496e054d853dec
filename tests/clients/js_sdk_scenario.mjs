// The clients scenario with the AWS SDK for JavaScript v3 (@aws-sdk/client-sqs from npm): the
// same steps as aws_cli_scenario.py, printing the same normalized observations as JSON.
//
// usage: SQS_CLIENT_MODULES=DIR/node_modules node js_sdk_scenario.mjs ENDPOINT OUTPUT.json
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.SQS_CLIENT_MODULES + "/");
const sqsModule = require("@aws-sdk/client-sqs");
const { SQSClient } = sqsModule;
const [endpoint, output] = process.argv.slice(2);
const client = new SQSClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
});
const observed = {};

async function sqs(name, input) {
  try {
    const out = await client.send(new sqsModule[`${name}Command`](input));
    delete out.$metadata;
    return out;
  } catch (e) {
    return { error: e.name === "QueueDoesNotExist" ? "AWS.SimpleQueueService.NonExistentQueue" : e.name };
  }
}

const url = (await sqs("CreateQueue", { QueueName: "js-main" })).QueueUrl;
observed["send"] = Object.keys(await sqs("SendMessage", {
  QueueUrl: url, MessageBody: "hello",
  MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
})).sort();
const got = await sqs("ReceiveMessage", { QueueUrl: url, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
const message = got.Messages[0];
observed["receive"] = [message.Body, message.MessageAttributes.k.StringValue, message.Attributes.ApproximateReceiveCount];
observed["delete"] = await sqs("DeleteMessage", { QueueUrl: url, ReceiptHandle: message.ReceiptHandle });
observed["messages after delete"] = (await sqs("ReceiveMessage", { QueueUrl: url })).Messages?.length ?? 0;
for (let i = 0; i < 3; i++) await sqs("SendMessage", { QueueUrl: url, MessageBody: `purge me ${i}` });
observed["purge"] = await sqs("PurgeQueue", { QueueUrl: url });
observed["count after purge"] = (await sqs("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] })).Attributes;
const dlq = (await sqs("CreateQueue", { QueueName: "js-dlq" })).QueueUrl;
const arn = (await sqs("GetQueueAttributes", { QueueUrl: dlq, AttributeNames: ["QueueArn"] })).Attributes.QueueArn;
const policy = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: "1" });
const src = (await sqs("CreateQueue", { QueueName: "js-src", Attributes: { RedrivePolicy: policy } })).QueueUrl;
await sqs("SendMessage", { QueueUrl: src, MessageBody: "poison" });
const bodies = (r) => (r.Messages ?? []).map((m) => m.Body);
observed["redrive: first receive"] = bodies(await sqs("ReceiveMessage", { QueueUrl: src, VisibilityTimeout: 0 }));
observed["redrive: second receive"] = bodies(await sqs("ReceiveMessage", { QueueUrl: src }));
observed["redrive: in the dlq"] = bodies(await sqs("ReceiveMessage", { QueueUrl: dlq, VisibilityTimeout: 0 }));
observed["redrive: sources"] = (await sqs("ListDeadLetterSourceQueues", { QueueUrl: dlq })).queueUrls.map((u) => u.split("/").pop());
observed["redrive: move task started"] = Object.keys(await sqs("StartMessageMoveTask", { SourceArn: arn })).sort();
let task;
// The task moves one message in milliseconds; bounded at about 30 s.
for (let i = 0; i < 300; i++) {
  task = (await sqs("ListMessageMoveTasks", { SourceArn: arn })).Results[0];
  if (task.Status !== "RUNNING") break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
observed["redrive: move task"] = [task.Status, task.ApproximateNumberOfMessagesMoved];
observed["redrive: back in the source"] = bodies(await sqs("ReceiveMessage", { QueueUrl: src }));
observed["missing queue"] = await sqs("GetQueueUrl", { QueueName: "js-nope" });
for (const q of [url, src, dlq]) await sqs("DeleteQueue", { QueueUrl: q });
const sorted = Object.fromEntries(Object.keys(observed).sort().map((k) => [k, observed[k]]));
writeFileSync(output, JSON.stringify(sorted, null, 1));
console.log(`${Object.keys(observed).length} observations written to ${output}`);
