"""Loads a report.html from disk in headless Chromium and checks that it is self-contained:
no console errors, no uncaught exceptions, no request for anything but the page itself, and
the charts really rendered (every inline <svg> has a size). Saves a full-page screenshot.

Talks to Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe), so it needs
nothing beyond the Python standard library and the browser.

usage: check_report.py CHROMIUM REPORT.html SCREENSHOT.png [MIN_CHARTS]
"""

import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

chromium, report, screenshot = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
min_charts = int(sys.argv[4]) if len(sys.argv) > 4 else 1
page_url = "file://" + report


def stop_group(pgid):
    """TERM to every process left in the group, up to 5 s for them to go, then KILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        for _ in range(50):
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


to_browser_r, to_browser_w = os.pipe()
from_browser_r, from_browser_w = os.pipe()
profile = tempfile.mkdtemp(prefix="sqsbench-chromium-")
# The browser reads commands on fd 3 and writes replies on fd 4.
command = (
    f'exec "$0" --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check '
    f'--disable-background-networking --disable-component-update --disable-sync '
    f'--user-data-dir={profile} --remote-debugging-pipe about:blank '
    f'3<&{to_browser_r} 4>&{from_browser_w}'
)
browser = subprocess.Popen(
    ["sh", "-c", command, chromium],
    pass_fds=(to_browser_r, from_browser_w),
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    # A group of its own: the browser's helpers (zygote, renderer, GPU) are stopped with it below.
    start_new_session=True,
)
os.close(to_browser_r)
os.close(from_browser_w)
writer = os.fdopen(to_browser_w, "wb", buffering=0)
reader = os.fdopen(from_browser_r, "rb", buffering=0)

buffer = b""
events = []
next_id = 0


def read_message():
    global buffer
    while b"\0" not in buffer:
        chunk = reader.read(65536)
        if not chunk:
            raise SystemExit("chromium closed the DevTools pipe")
        buffer += chunk
    raw, buffer = buffer.split(b"\0", 1)
    return json.loads(raw)


def send(method, params=None, session=None):
    """Sends a command and waits for its reply; events that arrive meanwhile are kept."""
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    writer.write(json.dumps(message).encode() + b"\0")
    while True:
        m = read_message()
        if m.get("id") == next_id:
            if "error" in m:
                raise SystemExit(f"{method}: {m['error']}")
            return m.get("result", {})
        events.append(m)


def wait_for(method):
    for i, e in enumerate(events):
        if e.get("method") == method:
            return events.pop(i)
    while True:
        m = read_message()
        if m.get("method") == method:
            return m
        events.append(m)


try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ["Page", "Runtime", "Log", "Network"]:
        send(f"{domain}.enable", session=session)
    send("Emulation.setDeviceMetricsOverride",
         {"width": 1200, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
    send("Page.navigate", {"url": page_url}, session)
    wait_for("Page.loadEventFired")
    charts = send("Runtime.evaluate", {
        "expression": "[...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 300 && s.getBoundingClientRect().height > 150).length",
        "returnByValue": True}, session)["result"]["value"]
    height = send("Runtime.evaluate", {
        "expression": "document.documentElement.scrollHeight", "returnByValue": True}, session)["result"]["value"]
    send("Emulation.setDeviceMetricsOverride",
         {"width": 1200, "height": min(int(height), 16000), "deviceScaleFactor": 1, "mobile": False}, session)
    shot = send("Page.captureScreenshot", {"format": "png"}, session)
    with open(screenshot, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    # Everything the page did is in the events by now: commands are answered in order.
    problems = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Network.requestWillBeSent" and p["request"]["url"] != page_url:
            problems.append(f"network request: {p['request']['url']}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            problems.append(f"console {p['type']}: {p.get('args')}")
        elif method == "Runtime.exceptionThrown":
            problems.append(f"exception: {p['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            problems.append(f"log error: {p['entry'].get('text')} {p['entry'].get('url', '')}")
    if charts < min_charts:
        problems.append(f"{charts} rendered charts, expected at least {min_charts}")
    send("Browser.close")
finally:
    # Browser.close was sent on success; on a failure, closing the pipe asks the same. Whatever
    # is still running of the browser's group after that is stopped, so nothing outlives the check.
    writer.close()
    try:
        browser.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    stop_group(browser.pid)

if problems:
    print(f"FAIL {report}:")
    for p in problems:
        print(f"  {p}")
    sys.exit(1)
print(f"ok  {report}: {charts} charts rendered, no console errors, no network requests; screenshot {screenshot}")
