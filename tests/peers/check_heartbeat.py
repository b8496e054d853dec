"""Checks the heartbeat runs against a third-party server: with the heartbeat ("on") no message
is redelivered and every ChangeMessageVisibilityBatch succeeded; without it ("off") every
message was redelivered at least once, all of it by visibility expiry. Either way every
message was received and nothing was lost."""

import json
import os
import sys

directory, mode = sys.argv[1], sys.argv[2]
s = json.load(open(os.path.join(directory, "summary.json")))
m, causes = s["messages"], s["messages"]["duplicate_causes"]
assert m["sent"] > 0 and m["sent"] == m["unique_received"] and m["lost"] == 0, m
if mode == "on":
    beats = s["requests"]["ChangeMessageVisibilityBatch"]
    assert beats["count"] > 0 and beats["errors"] == 0 and beats["entries_failed"] == 0, beats
    assert s["consumers"]["extended"] == beats["count"], s["consumers"]
    assert m["duplicates"] == 0, causes
    said = f"{beats['count']} heartbeats, 0 redeliveries"
else:
    assert "ChangeMessageVisibilityBatch" not in s["requests"], s["requests"]
    assert causes["redelivery"] >= m["sent"] and causes["redelivery"] == m["duplicates"], causes
    said = f"no heartbeat, {causes['redelivery']} redeliveries"
print(f"ok  {s['scenario']['name']:<17} on {s['target']['endpoint']}: sent {m['sent']}, received {m['unique_received']}, {said}")
