#!/usr/bin/python3
"""Negative and positive controls for check.py on synthetic histories: a clean failover passes;
a lost ack, a dual-primary window, a late ack, an unexpected failover, a recovery over the budget
of the recorded timing and a diverged replica each fail. Standard library only; no cluster needed.  usage: check_selftest.py"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def samples(node, spans, t_end=30.0):
    """spans: list of (start, end, state); 40 ms samples."""
    out, t = [], 0.0
    while t < t_end:
        st = next((s for a, b, s in spans if a <= t < b), "unreachable")
        out.append({"t": round(t, 3), "node": node, "w": st})
        t += 0.04
    return out


def run(name, mutate, expect_fail):
    d = tempfile.mkdtemp(prefix="pgha-check-selftest.")
    # h1 primary until 10 (killed), h2 promoted at 16, h3 replica throughout.
    rec = {"h1": [(0, 10, "yes"), (20, 30, "no")], "h2": [(0, 16, "no"), (16, 30, "yes")],
           "h3": [(0, 30, "no")]}
    writes, i = [], 0
    for k in range(1, 600):
        t = k * 0.05
        node = "h1" if t < 9.9 else "h2" if t > 16.5 else None
        i += 1
        writes.append({"src": "lb", "id": i, "sent": t, "ack": t + 0.01 if node else None,
                       "node": node, "res": "ok" if node else "fail", "err": None})
    events = [{"ev": "fault", "name": "kill9", "t": 10.0, "leader": "h1", "target": "h1",
               "expect_failover": True, "async_loss_ok": True},
              {"ev": "heal", "name": "kill9", "t": 12.0},
              {"ev": "converged", "name": "kill9", "t": 25.0, "ok": True},
              {"ev": "end", "t": 29.0}]
    table = {w["id"] for w in writes if w["res"] == "ok"}
    tables = {"h1": set(table), "h2": set(table), "h3": set(table)}
    ctx = {"rec": rec, "writes": writes, "events": events, "tables": tables}
    mutate(ctx)
    for n, spans in ctx["rec"].items():
        with open(os.path.join(d, "rec_%s.jsonl" % n), "w") as f:
            f.writelines(json.dumps(s) + "\n" for s in samples(n, spans))
    with open(os.path.join(d, "writes_lb.jsonl"), "w") as f:
        f.writelines(json.dumps(w) + "\n" for w in ctx["writes"])
    with open(os.path.join(d, "events.jsonl"), "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in ctx["events"])
    paths = {}
    for n, ids in ctx["tables"].items():
        paths[n] = os.path.join(d, "final_%s.txt" % n)
        with open(paths[n], "w") as f:
            f.write("\n".join(str(x) for x in sorted(ids)) + "\n")
    with open(os.path.join(d, "final.json"), "w") as f:
        json.dump({"leader": "h2", "tables": paths}, f)
    p = subprocess.run([sys.executable, os.path.join(HERE, "check.py"), d], capture_output=True,
                       text=True)
    subprocess.run(["rm", "-rf", d])
    ok = (p.returncode != 0) == expect_fail
    print("%s %-22s checker exit %d%s" % ("ok  " if ok else "FAIL", name, p.returncode,
                                          "" if ok else "\n" + p.stdout + p.stderr))
    return ok


def drop_acked(ctx, t_lo, t_hi):
    for n in ctx["tables"]:
        ctx["tables"][n] -= {w["id"] for w in ctx["writes"] if w["ack"] and t_lo < w["ack"] < t_hi}


def overlap(ctx):
    """h1 still answers "writable" after h2's promotion but acknowledges nothing then."""
    ctx["rec"]["h1"] = [(0, 17, "yes"), (20, 30, "no")]


def dual(ctx):
    """The same overlap with a write acknowledged by h1 inside it (sent before h2 was promoted,
    so only the dual checker sees it)."""
    overlap(ctx)
    ctx["writes"].append({"src": "direct", "id": 10**9 + 2, "sent": 15.95, "ack": 16.6,
                          "node": "h1", "res": "ok", "err": None})
    for n in ctx["tables"]:
        ctx["tables"][n].add(10**9 + 2)


def late(ctx):
    ctx["writes"].append({"src": "direct", "id": 10**9, "sent": 16.8, "ack": 16.81, "node": "h1",
                          "res": "ok", "err": None})
    for n in ctx["tables"]:
        ctx["tables"][n].add(10**9)


def ack_before_first_sample(ctx):
    # h2 acknowledges 10 ms before the recorder's first "writable" sample of it: not late
    ctx["writes"].append({"src": "direct", "id": 10**9 + 1, "sent": 15.985, "ack": 15.99,
                          "node": "h2", "res": "ok", "err": None})
    for n in ctx["tables"]:
        ctx["tables"][n].add(10**9 + 1)


def no_failover_expected(ctx):
    ctx["events"][0]["expect_failover"] = False


def diverged(ctx):
    ctx["tables"]["h3"].add(777777)


def storm(ctx, converge_ok=True, lose=False):
    """The same history as a storm: one storm fault (never waited on), then storm-end."""
    ev = ctx["events"]
    ev[0].update(name="storm-kill-agent", storm=True, expect_failover=None)
    del ev[2]  # a storm fault has no convergence of its own
    ev.insert(0, {"ev": "storm", "seed": 7, "faults": 1, "t": 9.0})
    ev.insert(3, {"ev": "fault", "name": "storm-end", "t": 20.0, "leader": "h2", "target": "h2",
                  "expect_failover": None, "async_loss_ok": True})
    ev.insert(4, {"ev": "converged", "name": "storm-end", "t": 24.0, "ok": converge_ok})
    if lose:
        drop_acked(ctx, 7.0, 7.2)


cases = [("clean failover", lambda c: None, False),
         ("async window loss", lambda c: drop_acked(c, 9.5, 9.95), False),
         ("lost ack 0.95 s before", lambda c: drop_acked(c, 9.0, 9.02), False),  # window 1 s
         ("lost ack", lambda c: drop_acked(c, 7.0, 7.2), True),
         ("lost ack, strict fault", lambda c: (drop_acked(c, 9.5, 9.95),
                                               c["events"][0].update(async_loss_ok=False)), True),
         ("lost ack after failover", lambda c: drop_acked(c, 20.0, 20.2), True),
         ("dual primary", dual, True),
         ("writable overlap, no ack", overlap, False),
         ("late ack", late, True),
         ("ack before 1st sample", ack_before_first_sample, False),
         ("unexpected failover", no_failover_expected, True),
         # the clean failover's rto (6.5 s) against a budget of 4 x ttl = 6 s
         ("rto over 4 x ttl", lambda c: c["events"].insert(0, {"ev": "timing", "ttl": 1.5,
                                                               "loop_wait": 1,
                                                               "retry_timeout": 1}), True),
         ("either outcome allowed", lambda c: c["events"][0].update(expect_failover=None), False),
         ("either, still lossless", lambda c: (c["events"][0].update(expect_failover=None),
                                               drop_acked(c, 7.0, 7.2)), True),
         ("diverged replica", diverged, True),
         ("not converged", lambda c: c["events"][2].update(ok=False), True),
         ("storm", storm, False),
         ("storm not converged", lambda c: storm(c, converge_ok=False), True),
         ("storm, lost ack", lambda c: storm(c, lose=True), True),
         # the storm fault from 7.5 s; h1's acks at 8.0-8.5 s lost, 1.5 s before its end of
         # writable but followed by h2's promotion: an asynchronous loss, not a failure
         ("storm, async loss", lambda c: (storm(c), c["events"][1].update(t=7.5),
                                          drop_acked(c, 8.0, 8.5)), False),
         ("storm, loss on new primary", lambda c: (storm(c), drop_acked(c, 25.0, 25.2)), True)]
sys.exit(0 if all([run(*c) for c in cases]) else 1)
