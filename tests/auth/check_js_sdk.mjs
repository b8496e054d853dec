// The AWS SDK for JavaScript v3 against `sqsbench serve --auth sigv4`, over plain HTTP and over
// TLS (the test CA given by NODE_EXTRA_CA_CERTS): the right key's round trip, then a wrong
// secret, an unknown key and a temporary key without its token, each refused with AWS's code
// and status.
//   SQS_CLIENT_MODULES=…/node_modules NODE_EXTRA_CA_CERTS=ca.pem node check_js_sdk.mjs PLAIN_URL TLS_URL
import { createRequire } from 'node:module';

const require = createRequire(process.env.SQS_CLIENT_MODULES + '/');
const { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, ListQueuesCommand } = require('@aws-sdk/client-sqs');

const [plain, tls] = process.argv.slice(2);
const right = { accessKeyId: 'AKIDRIGHT', secretAccessKey: 'right-secret' };
const temp = { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret', sessionToken: 'the-token' };
const refused = [
  [{ accessKeyId: 'AKIDRIGHT', secretAccessKey: 'wrong-secret' }, 'SignatureDoesNotMatch', 403],
  [{ accessKeyId: 'AKIDWHO', secretAccessKey: 'right-secret' }, 'InvalidClientTokenId', 403],
  [{ accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret' }, 'InvalidClientTokenId', 403],
];
const client = (endpoint, credentials) => new SQSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
let checks = 0;

for (const [url, tag] of [[plain, 'http'], [tls, 'https']]) {
  const sqs = client(url, right);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `auth-js-${tag}` }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in' }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  if (got.Messages?.[0]?.Body !== 'in') throw new Error(`js ${tag}: received ${JSON.stringify(got.Messages)}`);
  await client(url, temp).send(new ListQueuesCommand({}));
  console.log(`ok: js sdk ${tag}: the right key and the temporary key with its token get in`);
  checks++;
  for (const [key, code, status] of refused) {
    try {
      await client(url, key).send(new ListQueuesCommand({}));
      throw new Error(`js ${tag}: ${key.accessKeyId}/${key.secretAccessKey} was let in`);
    } catch (e) {
      const seen = [e.Code ?? e.name, e.$metadata?.httpStatusCode];
      if (seen[0] !== code || seen[1] !== status) throw new Error(`js ${tag}: ${key.accessKeyId}: got ${seen} (${e})`);
    }
    console.log(`ok: js sdk ${tag}: ${key.accessKeyId}/${key.secretAccessKey} refused as ${code} ${status}`);
    checks++;
  }
}
console.log(`${checks} checks passed`);
