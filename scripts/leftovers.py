"""Which processes a test run started and left running.

  leftovers.py snapshot FILE             records every process that exists now
  leftovers.py check FILE [--grace S]    lists the processes that did not exist then, still run,
                                         and were started by this run; exit 1 if there are any

A process counts as started by this run when its environment carries SQSBENCH_CI_RUN with this
run's token (check.sh exports it once, and every step's SQSBENCH_CI_STEP names the step; both are
inherited by everything a step starts, even after the process is reparented to PID 1), or when
it is one of the servers and browsers the tests start (sqsbench, LocalStack, fauxqs, moto,
prometheus, chromium, node) and appeared while the run went on. The check only reports: stopping
what it started is each script's own cleanup, by PID, never a kill by name here.

--grace S waits up to S seconds (5) for processes that are already on their way out (a group
sent TERM a moment ago) before it reports. Linux only: it reads /proc.
"""

import argparse
import os
import re
import sys
import time

SERVER_NAMES = re.compile(r"sqsbench|localstack|fauxqs|moto|prometheus|chrom|node")


def stat_fields(pid):
    """(state, ppid, starttime) from /proc/PID/stat, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    # The command name sits in parentheses and may itself hold spaces or parentheses.
    rest = raw[raw.rindex(")") + 2 :].split()
    return rest[0], int(rest[1]), rest[19]


def processes():
    """{pid: (state, ppid, starttime)} of every process now."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = stat_fields(int(entry))
            if fields:
                found[int(entry)] = fields
    return found


def read_nul_list(pid, name):
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return [p.decode(errors="replace") for p in f.read().split(b"\0") if p]
    except OSError:
        return []


def environment(pid):
    return dict(p.split("=", 1) for p in read_nul_list(pid, "environ") if "=" in p)


def ancestors(pid, table):
    """This process and every process above it: the check and what runs it are never leftovers."""
    seen = set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        pid = table[pid][1] if pid in table else 1
    return seen


def leftovers(snapshot, token):
    table = processes()
    mine = ancestors(os.getpid(), table)
    found = []
    for pid, (state, ppid, start) in sorted(table.items()):
        if (pid, start) in snapshot or pid in mine or state == "Z" or ppid == 2 or pid == 2:
            continue
        argv = read_nul_list(pid, "cmdline")
        if not argv:  # a kernel thread, or a process that has just exited
            continue
        env = environment(pid)
        marked = token is not None and env.get("SQSBENCH_CI_RUN") == token
        named = SERVER_NAMES.search(" ".join([os.path.basename(argv[0])] + argv[1:3]))
        if marked or named:
            step = env.get("SQSBENCH_CI_STEP") if marked else None
            found.append((pid, ppid, step, " ".join(argv)))
    return found


def check(args):
    with open(args.snapshot) as f:
        snapshot = {(int(p), s) for p, s in (line.split() for line in f if line.strip())}
    token = os.environ.get("SQSBENCH_CI_RUN")
    deadline = time.monotonic() + args.grace
    found = leftovers(snapshot, token)
    while found and time.monotonic() < deadline:
        time.sleep(0.2)
        found = leftovers(snapshot, token)
    if not found:
        print("no process started by this run is still running")
        return 0
    print(f"FAIL: {len(found)} process(es) started by this run are still running:")
    for pid, ppid, step, command in found:
        started = f'started in step "{step}"' if step else "no step marker (it appeared during the run)"
        print(f"  pid {pid} (parent {ppid}), {started}: {command[:300]}")
    print("Each script must stop what it starts, by its PID (scripts/lib.sh: spawn, stop_started).")
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("snapshot")
    chk = sub.add_parser("check")
    chk.add_argument("snapshot")
    chk.add_argument("--grace", type=float, default=5.0)
    args = parser.parse_args()
    if args.command == "snapshot":
        with open(args.snapshot, "w") as f:
            for pid, (_, _, start) in processes().items():
                f.write(f"{pid} {start}\n")
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
