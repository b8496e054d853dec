"""Reads the tomodachi service's result (tests/tomodachi/service.py) and fails unless the
filtered handler got exactly the matching messages, once each, and the unfiltered one all."""

import json
import sys

result = json.load(open(sys.argv[1]))
print(json.dumps(result))
if "error" in result:
    sys.exit(f"FAIL: the service could not observe its handlers: {result['error']}")
problems = []
if result["billing"] != result["expected"]:
    problems.append(f"filtered handler got {result['billing']}, expected {result['expected']}")
if result["audit"] != list(range(result["published"])):
    problems.append(f"unfiltered handler got {result['audit']}")
if any(v != "0" for v in result["left_on_billing"].values()):
    problems.append(f"messages left on the filtered queue: {result['left_on_billing']}")
if result["subscriptions"] != 2:
    problems.append(f"{result['subscriptions']} subscriptions, expected 2")
if problems:
    sys.exit("FAIL: " + "; ".join(problems))
print("tomodachi: the filtered handler got exactly the matching messages")
