"""boto3 and the AWS CLI against `sqsbench serve --auth sigv4`, over plain HTTP and over TLS: the
right key's round trip (SQS send and receive, an SNS topic, an SNS presigned URL), then a wrong
secret, an unknown key and a temporary key without its session token, each refused with AWS's
code and status. Prints one line per check; exits non-zero on the first that fails.

  python check_python_clients.py AWS_CLI PLAIN_URL TLS_URL CA_PEM
"""
import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

AWS_CLI, PLAIN, TLS, CA = sys.argv[1:5]
RIGHT = ("AKIDRIGHT", "right-secret", None)
TEMP = ("ASIATEMP", "temp-secret", "the-token")
REFUSED = [
    (("AKIDRIGHT", "wrong-secret", None), "SignatureDoesNotMatch", 403),
    (("AKIDWHO", "right-secret", None), "InvalidClientTokenId", 403),
    (("ASIATEMP", "temp-secret", None), "InvalidClientTokenId", 403),
]
checks = 0


def ok(what):
    global checks
    checks += 1
    print(f"ok: {what}")


def client(service, url, key):
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        aws_session_token=key[2],
        verify=CA if url.startswith("https") else None,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def boto3_checks(url, tag):
    sqs = client("sqs", url, RIGHT)
    queue = sqs.create_queue(QueueName=f"auth-boto3-{tag}")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="in")
    got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"][0]["Body"]
    assert got == "in", got
    client("sqs", url, TEMP).get_queue_url(QueueName=f"auth-boto3-{tag}")
    assert client("sts", url, RIGHT).get_caller_identity()["Account"]
    ok(f"boto3 {tag}: the right key and the temporary key with its token get in (SQS, STS)")
    for key, code, status in REFUSED:
        for service, call in [
            ("sqs", lambda c: c.list_queues()),
            ("sns", lambda c: c.list_topics()),
            ("sts", lambda c: c.get_caller_identity()),
        ]:
            try:
                call(client(service, url, key))
            except botocore.exceptions.ClientError as e:
                got = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
                assert got == (code, status), f"{service} {key[0]}: {got}"
            else:
                raise AssertionError(f"{service} {key[0]}/{key[1]} was let in")
        ok(f"boto3 {tag}: {key[0]}/{key[1]} (token {key[2]}) refused as {code} {status} by SQS, SNS and STS")
    sns = client("sns", url, RIGHT)
    sns.create_topic(Name=f"auth-{tag}")
    context = ssl.create_default_context(cafile=CA) if url.startswith("https") else None
    # boto3 signs a presigned URL with the operation's own method (POST) unless told the GET it
    # will be sent with; AWS refuses the mismatch too.
    presigned = sns.generate_presigned_url("list_topics", ExpiresIn=300, HttpMethod="GET")
    with urllib.request.urlopen(presigned, context=context) as answer:
        assert answer.status == 200 and b"auth-" in answer.read()
    wrong = client("sns", url, REFUSED[0][0]).generate_presigned_url("list_topics", ExpiresIn=300, HttpMethod="GET")
    try:
        urllib.request.urlopen(wrong, context=context)
    except urllib.error.HTTPError as e:
        assert e.code == 403 and b"SignatureDoesNotMatch" in e.read(), e
    else:
        raise AssertionError("a presigned URL with the wrong secret was let in")
    ok(f"boto3 {tag}: a presigned SNS URL gets in with the right secret, not with a wrong one")


def cli(url, key, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1], AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_SESSION_TOKEN", None)
    if key[2]:
        env["AWS_SESSION_TOKEN"] = key[2]
    tls = ["--ca-bundle", CA] if url.startswith("https") else []
    return subprocess.run([AWS_CLI, *args, "--endpoint-url", url, *tls, "--output", "json"], env=env, capture_output=True, text=True)


def cli_checks(url, tag):
    made = cli(url, RIGHT, "sqs", "create-queue", "--queue-name", f"auth-cli-{tag}")
    assert made.returncode == 0, made.stderr
    queue = json.loads(made.stdout)["QueueUrl"]
    assert cli(url, RIGHT, "sqs", "send-message", "--queue-url", queue, "--message-body", "in").returncode == 0
    got = cli(url, RIGHT, "sqs", "receive-message", "--queue-url", queue, "--wait-time-seconds", "1")
    assert json.loads(got.stdout)["Messages"][0]["Body"] == "in", got.stdout
    assert cli(url, TEMP, "sqs", "list-queues").returncode == 0
    ok(f"aws cli {tag}: the right key and the temporary key with its token get in")
    for key, code, _ in REFUSED:
        for service, action in [("sqs", "list-queues"), ("sns", "list-topics")]:
            refused = cli(url, key, service, action)
            assert refused.returncode != 0 and f"({code})" in refused.stderr, refused.stderr
        ok(f"aws cli {tag}: {key[0]}/{key[1]} (token {key[2]}) refused as {code} by SQS and SNS")


for url, tag in [(PLAIN, "http"), (TLS, "https")]:
    boto3_checks(url, tag)
    cli_checks(url, tag)
print(f"{checks} checks passed")
