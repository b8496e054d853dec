"""Checks a fan-out run's results directory, as a user reading summary.json would: the filters
settled before traffic, every subscription's accounting holds with nothing missing or leaked,
the filtered subscription got a share of the publishes and the unfiltered one all of them.

usage: check_fanout.py RESULTS_DIR
"""
import json
import sys


def main(results: str) -> None:
    with open(f"{results}/summary.json") as f:
        s = json.load(f)
    settle = s["topic"]["settle"]
    assert settle["settled"], settle
    published = s["messages"]["sent"]
    assert published > 0, s["messages"]
    subs = {x["name"]: x for x in s["subscriptions"]}
    assert set(subs) == {"billing", "analytics"}, subs.keys()
    for sub in subs.values():
        assert sub["identity_holds"], sub
        assert sub["missing"] == 0 and sub["leaked"] == 0, sub
        assert sub["unique_received"] == sub["expected"], sub
    assert subs["analytics"]["expected"] == published, (subs["analytics"], published)
    assert 0 < subs["billing"]["expected"] < published, subs["billing"]
    assert s["cost"]["sns"]["billed_publishes"] > 0, s["cost"]
    print(
        f"fan-out ok: {published} published; billing got {subs['billing']['expected']}, "
        f"analytics {subs['analytics']['expected']}; settled in {settle['rounds']} round(s)"
    )


if __name__ == "__main__":
    main(sys.argv[1])
