"""Checks an EventBridge run's results directory (scenarios/eventbridge.toml), as a user reading
summary.json would: the rules settled before traffic, every rule's accounting holds with nothing
missing or leaked, each rule got a share of the events near what its pattern matches, and the
cost names EventBridge's events.

usage: check_run.py RESULTS_DIR
"""
import json
import sys

# The share of events each rule's pattern matches, from the scenario's draws: orderValue is
# uniform on 1..500 (> 100: 400 of 500); status one of three (not "cancelled": 2 of 3); region
# eu-west-1 1 in 4 or detail-type RefundIssued 1 in 5 (1 - 3/4 x 4/5).
SHARES = {"big-orders": 0.8, "not-cancelled": 2 / 3, "eu-or-refunds": 0.4}


def main(results: str) -> None:
    with open(f"{results}/summary.json") as f:
        s = json.load(f)
    settle = s["event_bus"]["settle"]
    assert settle["settled"], settle
    published = s["messages"]["sent"]
    assert published >= 500, s["messages"]
    rules = {x["name"]: x for x in s["rules"]}
    assert set(rules) == set(SHARES), rules.keys()
    for name, rule in rules.items():
        assert rule["identity_holds"], rule
        assert rule["missing"] == 0 and rule["leaked"] == 0, rule
        assert rule["unique_received"] == rule["expected"], rule
        share = rule["expected"] / published
        assert abs(share - SHARES[name]) < 0.08, (name, share, SHARES[name])
    assert s["cost"]["eventbridge"]["billed_events"] >= published, s["cost"]
    shares = ", ".join(f"{n} {r['expected']}" for n, r in rules.items())
    # EventBridge promises no order; what the FIFO target saw is reported, not judged.
    order = rules["not-cancelled"]["order_violations"]
    print(
        f"EventBridge run ok: {published} events; {shares}; settled in {settle['rounds']} round(s); "
        f"FIFO target order violations: {order}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
