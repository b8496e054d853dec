"""Compares the observations of the same sequence on two servers. Differences are failures
unless listed in DELIBERATE with the reason (these are documented in docs/emulator.md too).

usage: python compare.py OURS.json THEIRS.json
"""

import json
import sys

# step name -> why sqsbench's emulator answers differently from LocalStack, on purpose.
DELIBERATE = {
    "delay 901": "SQS limits DelaySeconds to 0-900 and answers InvalidParameterValue; LocalStack accepts 901",
    "kms attributes when kms is switched off": "SQS drops KmsDataKeyReusePeriodSeconds with KmsMasterKeyId when KMS is switched off; LocalStack keeps the reuse period",
    "purge again": "SQS allows one PurgeQueue per queue every 60 s (403 PurgeQueueInProgress); LocalStack does not enforce it",
}

ours, theirs = (json.load(open(p)) for p in sys.argv[1:3])
ours_by_step = {o["step"]: o["result"] for o in ours}
theirs_by_step = {o["step"]: o["result"] for o in theirs}
problems = 0
for name in ours_by_step:
    a, b = ours_by_step[name], theirs_by_step.get(name, "<missing>")
    if a == b:
        print(f"same      {name}")
    elif name in DELIBERATE:
        print(f"expected  {name}: sqsbench {a!r} / localstack {b!r} ({DELIBERATE[name]})")
    else:
        problems += 1
        print(f"DIFFERENT {name}: sqsbench {a!r} / localstack {b!r}")
print(f"{len(ours_by_step) - problems} same or documented, {problems} different")
sys.exit(1 if problems else 0)
