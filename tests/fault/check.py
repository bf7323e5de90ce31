#!/usr/bin/python3
"""History checkers for the fault suite, independent of the agents (standard library only).

usage: check.py DIR [--json FILE]   (FILE: the figures below, one object per fault, and "overall")

Reads, from DIR: rec_*.jsonl (recorder samples), writes_*.jsonl (writer operations),
events.jsonl (fault, heal, converged, end), final.json ({"leader": node, "tables": {node: file}}).
Prints one line per fault and exits 1 if any checker fails.

Checkers, per fault window [fault start, next fault start):
  lost     acknowledged ids absent from the final leader's table. With asynchronous replication
           an ack in the last ASYNC_WINDOW s before its node stopped being writable may be lost
           (reported as async_lost); in a storm, whose faults overlap, any ack a later promotion
           of another node followed may be; faults marked async_loss_ok=false tolerate none.
  dual     dual-primary windows: two nodes writable ("yes") over overlapping sample intervals,
           each acknowledging a write within the overlap (from one sample period before it to
           DUAL_SLACK s after it: an ack is seen after the commit). Overlaps in which one node
           acknowledged nothing (a thawed primary that answers "writable" once but whose commits
           wait on the commit gate until it is fenced) are reported as dual_overlap, not failed.
  late     writes acknowledged by a node although another node became writable after that
           node's own latest promotion and before the write was sent (sent > promotion sample).
  failovers  changes of the writable node's identity (a node becoming writable after another).
  rto      fault -> first write acknowledged through the write port by a node other than the
           old leader (faults expecting a failover), else the longest gap between such acks.
  diverged replicas whose final table differs from the leader's.
  reads    (reported, never failed) through HAProxy's read port (reads.jsonl): the longest gap
           between answered reads in each fault window, reads a primary answered, and staleness
           (a read's age: its time minus the acknowledgement of the oldest write-port id it did
           not see).
"""
import bisect
import json
import os
import sys
from collections import defaultdict

ASYNC_WINDOW = 1.0
DUAL_SLACK = 1.0
SAMPLE_PERIOD = 0.05
# The budget B: ttl + loop_wait + promotion + HAProxy's check + the client, with room for a
# loaded machine: 4 x ttl (20 s at pgha's default ttl 5; run.sh --ttl records another).
RTO_BUDGET_TTLS = 4.0
DEFAULT_TIMING = {"ttl": 5, "loop_wait": 1, "retry_timeout": 2}


def jsonl(path):
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass  # a line cut by a kill at the very end
    return out


def writable_intervals(samples):
    """node -> list of [start, end, lo] of consecutive "yes" samples; lo is the sample before
    start (the node became writable somewhere in (lo, start])."""
    by_node = defaultdict(list)
    for s in sorted(samples, key=lambda s: s["t"]):
        by_node[s["node"]].append(s)
    out = {}
    for node, ss in by_node.items():
        iv, cur, last = [], None, None
        for s in ss:
            if s["w"] == "yes":
                if cur is None:
                    cur = [s["t"], s["t"], s["t"] if last is None else last]
                cur[1] = s["t"]
            elif cur is not None:
                iv.append(cur)
                cur = None
            last = s["t"]
        if cur is not None:
            iv.append(cur)
        out[node] = iv
    return out


def leaderless(intervals, t0, t1):
    """Seconds of [t0, t1) in which no node was sampled writable."""
    spans = sorted((max(a, t0), min(b, t1)) for ivs in intervals.values() for a, b, _ in ivs
                   if b >= t0 and a < t1)
    covered, end = 0.0, t0
    for a, b in spans:
        if b > end:
            covered += b - max(a, end)
            end = b
    return (t1 - t0) - covered


def dual_windows(intervals):
    wins = []
    nodes = sorted(intervals)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            for x in intervals[a]:
                for y in intervals[b]:
                    lo, hi = max(x[0], y[0]), min(x[1], y[1])
                    if lo <= hi:
                        wins.append((lo, hi, a, b))
    return wins


def main():
    args = sys.argv[1:]
    json_out = None
    if len(args) == 3 and args[1] == "--json":
        json_out = args[2]
    elif len(args) != 1:
        sys.exit(__doc__)
    d = args[0]
    figures = []
    samples = [s for f in sorted(os.listdir(d)) if f.startswith("rec_")
               for s in jsonl(os.path.join(d, f))]
    writes = [w for f in sorted(os.listdir(d)) if f.startswith("writes_")
              for w in jsonl(os.path.join(d, f))]
    events = jsonl(os.path.join(d, "events.jsonl"))
    with open(os.path.join(d, "final.json")) as f:
        final = json.load(f)
    tables = {}
    for node, path in final["tables"].items():
        with open(path) as f:
            tables[node] = {int(x) for x in f.read().split()}
    leader_ids = tables.get(final["leader"], set())

    intervals = writable_intervals(samples)
    starts = sorted((iv[0], n) for n, ivs in intervals.items() for iv in ivs)
    # (lo, start, node): the node became writable in (lo, start]
    promos = sorted((iv[2], iv[0], n) for n, ivs in intervals.items() for iv in ivs)
    duals = dual_windows(intervals)
    acks = [w for w in writes if w["res"] == "ok"]
    ack_times = defaultdict(list)
    for w in acks:
        ack_times[w["node"]].append(w["ack"])
    for v in ack_times.values():
        v.sort()

    def acked_in(node, lo, hi):
        """node acknowledged a write within the overlap [lo, hi] (widened, see DUAL_SLACK)."""
        v = ack_times.get(node, [])
        i = bisect.bisect_left(v, lo - SAMPLE_PERIOD)
        return i < len(v) and v[i] <= hi + DUAL_SLACK
    lb_acks = sorted((w for w in acks if w["src"] == "lb"), key=lambda w: w["ack"])
    reads = sorted(jsonl(os.path.join(d, "reads.jsonl")), key=lambda r: r["t"])
    read_ok = [r for r in reads if r["res"] == "ok"]
    # the write port's writer is one client: its ids and acknowledgements rise together
    by_id = sorted((w["id"], w["ack"]) for w in lb_acks)
    ids = [i for i, _ in by_id]
    stale = []
    for r in read_ok:
        k = bisect.bisect_right(ids, r["max_id"] or 0)
        first_unseen = by_id[k][1] if k < len(by_id) else None
        stale.append(r["t"] - first_unseen if first_unseen is not None and
                     first_unseen < r["t"] else 0.0)
    stale.sort()

    def read_gap(t0, t1):
        gap, prev = 0.0, t0
        for r in read_ok:
            if t0 <= r["t"] < t1:
                gap, prev = max(gap, r["t"] - prev), r["t"]
        return gap

    def end_of_writable(node, t):
        for s, e, _ in intervals.get(node, []):
            if s - 0.1 <= t <= e + 0.1:
                return e
        return None

    def own_promotion(node, t):
        """The start of node's latest writable period that may have begun by t: an ack at t
        proves the node was writable then, even before the recorder's next sample saw it."""
        best = None
        for lo, s, n in promos:
            if n == node and lo <= t:
                best = s
        return best

    timing = next(({k: e[k] for k in DEFAULT_TIMING} for e in events if e["ev"] == "timing"),
                  DEFAULT_TIMING)
    rto_budget = RTO_BUDGET_TTLS * timing["ttl"]
    faults = [e for e in events if e["ev"] == "fault"]
    end_t = max([e["t"] for e in events if e["ev"] == "end"] or [float("inf")])
    failed = False
    tolerated = set()  # async-window losses some fault accounted for
    diverged = {n: len(ids ^ leader_ids) for n, ids in tables.items() if n != final["leader"]}
    for k, fe in enumerate(faults):
        t0 = fe["t"]
        t1 = faults[k + 1]["t"] if k + 1 < len(faults) else end_t
        inw = lambda t: t is not None and t0 <= t < t1
        # an ack just before the fault belongs to it: the fault is what may lose it
        pre = lambda t: t is not None and t0 - ASYNC_WINDOW <= t < t1
        # this fault's own events: a name can come back in later rounds
        def own(kind):
            return next((e for e in events if e["ev"] == kind and e["name"] == fe["name"]
                         and t0 <= e["t"] < t1), None)
        heal, conv, eff = own("heal"), own("converged"), own("effective")
        lost, async_lost = [], []
        for w in acks:
            if not pre(w["ack"]) or w["id"] in leader_ids:
                continue
            e = end_of_writable(w["node"], w["ack"])
            # Storm faults overlap (a host isolated, then frozen, then another promoted): the
            # node's end of writable says nothing about when its replication stopped, so there
            # an asynchronous loss is any lost ack that another node's promotion followed
            # (counted as async_lost; an ack after that promotion is still `late`).
            superseded = fe.get("storm") and any(n != w["node"] and s > w["ack"]
                                                 for _, s, n in promos)
            if fe.get("async_loss_ok") and (superseded or (
                    e is not None and e - w["ack"] <= ASYNC_WINDOW)):
                async_lost.append(w["id"])
                tolerated.add(w["id"])
            else:
                lost.append(w["id"])
        overlap = [x for x in duals if inw(x[0])]
        dual = [x for x in overlap if acked_in(x[2], x[0], x[1]) and acked_in(x[3], x[0], x[1])]
        late = []
        for w in acks:
            if not inw(w["sent"]):
                continue
            own = own_promotion(w["node"], w["ack"])
            if own is None:
                continue
            # late only if another node certainly became writable after this node's own
            # promotion (its previous sample is later) and before the write was sent
            if any(n != w["node"] and lo >= own and s < w["sent"] for lo, s, n in promos):
                late.append(w["id"])
        seq = [n for s, n in starts if s < t1]
        before = [n for s, n in starts if s < t0]
        prev = before[-1] if before else None
        failovers = 0
        for s, n in starts:
            if inw(s):
                if prev is not None and n != prev:
                    failovers += 1
                prev = n
        old = fe.get("leader")
        old_end = end_of_writable(old, t0)  # the old leader last seen writable
        new_start = next((s for s, n in starts if inw(s) and n != old), None)
        handover = "old_writable_until=%s promoted=%s" % (
            "%+.2fs" % (old_end - t0) if old_end is not None else "-",
            "%+.2fs" % (new_start - t0) if new_start is not None else "-")
        win_acks = [w for w in lb_acks if inw(w["ack"])]
        new_acks = [w for w in win_acks if w["sent"] >= t0 and w["node"] != old]
        rto = (new_acks[0]["ack"] - t0) if new_acks else None
        gap, prev_t = 0.0, t0
        for w in win_acks:
            gap, prev_t = max(gap, w["ack"] - prev_t), w["ack"]
        reasons = []
        if lost:
            reasons.append("lost=%s" % lost[:5])
        if dual:
            reasons.append("dual-primary")
        if late:
            reasons.append("late=%s" % late[:5])
        if fe["expect_failover"] is None:
            pass  # either outcome is correct (e.g. a cold restart of every host)
        elif fe["expect_failover"]:
            if failovers < 1:
                reasons.append("no failover")
            if rto is None or rto > rto_budget:
                reasons.append("rto over %.0f s" % rto_budget)
        elif failovers:
            reasons.append("unexpected failover")
        if eff is not None and not eff.get("ok"):
            reasons.append("the fault did not bite")
        # a storm's faults follow each other without waiting: only its end must converge
        if not fe.get("storm") and (not conv or not conv.get("ok")):
            reasons.append("not converged after heal")
        ok = not reasons
        failed |= not ok
        figures.append({
            "name": fe["name"], "leader": old, "t": t0, "lost": len(lost),
            "async_lost": len(async_lost), "dual": len(dual), "dual_overlap": len(overlap),
            "dual_max_ms": max([1000 * (x[1] - x[0]) for x in dual] or [0]), "late": len(late),
            "failovers": failovers, "rto": rto, "max_gap": gap,
            "old_writable_until": (old_end - t0) if old_end is not None else None,
            "promoted": (new_start - t0) if new_start is not None else None,
            "converged": bool(conv and conv.get("ok")), "ok": ok, "reasons": reasons,
            "read_gap": read_gap(t0, t1) if reads else None,
            "read_primary": len([r for r in read_ok if t0 <= r["t"] < t1 and not r["recovery"]])})
        print("%-15s leader=%s acks=%d lb_acks=%d lost=%d async_lost=%d dual=%d (max %.0f ms) "
              "overlap=%d late=%d failovers=%d %s rto=%s max_gap=%.2fs read_gap=%s held=%.1fs converged=%s "
              "%s%s" % (
                  fe["name"], old, len([w for w in acks if inw(w["ack"])]), len(win_acks),
                  len(lost), len(async_lost), len(dual),
                  max([1000 * (x[1] - x[0]) for x in dual] or [0]), len(overlap), len(late),
                  failovers, handover,
                  "%.2fs" % rto if rto is not None else "-", gap,
                  "%.2fs" % read_gap(t0, t1) if reads else "-",
                  (heal["t"] - t0) if heal else -1,
                  "%.1fs" % (conv["t"] - heal["t"]) if conv and heal and conv.get("ok") else
                  "-" if fe.get("storm") else "no",
                  "PASS" if ok else "FAIL", (" (" + "; ".join(reasons) + ")") if reasons else ""))
    for e in events:  # a nemesis this machine cannot inject is reported, never silently dropped
        if e["ev"] == "skipped":
            figures.append({"name": e["name"], "skipped": e["reason"], "ok": True, "reasons": []})
            print("%-15s SKIPPED (%s)" % (e["name"], e["reason"]))
    storm = next((e for e in events if e["ev"] == "storm"), None)
    if storm is not None:  # the storm as a whole: how long nobody took writes, the longest gap
        s_end = next((e["t"] for e in faults if e["name"] == "storm-end"), end_t)
        s_acks = [w["ack"] for w in lb_acks if storm["t"] <= w["ack"] < s_end]
        s_gap = max([b - a for a, b in zip([storm["t"]] + s_acks, s_acks + [s_end])] or [0.0])
        s_faults = [f for f in faults if f.get("storm")]
        s_fig = {"name": "storm", "seed": storm["seed"], "planned": storm["faults"],
                 "injected": len(s_faults), "seconds": s_end - storm["t"],
                 "leaderless_s": leaderless(intervals, storm["t"], s_end), "max_gap": s_gap,
                 "failed": len([f for f in figures if f["name"].startswith("storm-")
                                and not f["ok"]])}
        figures.append(s_fig)
        print("%-15s seed=%d injected=%d/%d in %.0fs leaderless=%.1fs max_write_gap=%.1fs "
              "failed=%d" % ("storm", s_fig["seed"], s_fig["injected"], s_fig["planned"],
                             s_fig["seconds"], s_fig["leaderless_s"], s_gap, s_fig["failed"]))
    n_ok = len(acks)
    n_info = len([w for w in writes if w["res"] == "info"])
    # how often the recorders really sampled (the CPU is shared: report, do not assume)
    gaps = []
    by_node = defaultdict(list)
    for smp in samples:
        by_node[smp["node"]].append(smp["t"])
    for ts in by_node.values():
        ts.sort()
        gaps += [b - a for a, b in zip(ts, ts[1:])]
    gaps.sort()
    gap_txt = ("sample_gap_p99=%.0fms max=%.0fms" % (1000 * gaps[int(0.99 * (len(gaps) - 1))],
                                                     1000 * gaps[-1]) if gaps else "")
    total_lost = [w["id"] for w in acks if w["id"] not in leader_ids]
    untolerated = [i for i in total_lost if i not in tolerated]
    div_bad = {n: c for n, c in diverged.items() if c}
    bad = bool(div_bad) or bool(untolerated) or not faults
    read_txt = ("reads=%d failed=%d by_primary=%d stale_p99=%.2fs stale_max=%.2fs" % (
        len(read_ok), len(reads) - len(read_ok), len([r for r in read_ok if not r["recovery"]]),
        stale[int(0.99 * (len(stale) - 1))], stale[-1]) if stale else "reads=0")
    print("%-15s final_leader=%s acks=%d indeterminate=%d lost_total=%d (outside any async "
          "window: %d) rows=%d diverged=%s samples=%d %s %s %s" % (
              "overall", final["leader"], n_ok, n_info, len(total_lost), len(untolerated),
              len(leader_ids), div_bad or 0, len(samples), gap_txt, read_txt,
              "FAIL" if bad else "PASS"))
    failed |= bad
    if json_out:
        figures.append({"name": "overall", "final_leader": final["leader"], "acks": n_ok,
                        "lost_total": len(total_lost), "lost_untolerated": len(untolerated),
                        "diverged": div_bad, "samples": len(samples),
                        "sample_gap_max_ms": 1000 * gaps[-1] if gaps else None,
                        "reads": len(read_ok), "reads_failed": len(reads) - len(read_ok),
                        "reads_by_primary": len([r for r in read_ok if not r["recovery"]]),
                        "stale_p99_s": stale[int(0.99 * (len(stale) - 1))] if stale else None,
                        "stale_max_s": stale[-1] if stale else None, "timing": timing,
                        "ok": not bad})
        with open(json_out, "w") as f:
            json.dump(figures, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
