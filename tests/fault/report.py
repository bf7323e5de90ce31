#!/usr/bin/python3
"""Writes docs/reliability.md from the fault suite's figures (run.sh --json), one column per
system and mode, one row per fault. Standard library only.

usage: report.py OUT.md [--section KEY TITLE] COMMAND LABEL=FIGURES.json [LABEL=FIGURES.json ...]
  COMMAND: the command line that produced the figures (shown in the report)
  PGHA_TREE (environment): the tree's name where report.py does not run in a git checkout
  --section: the figures go into OUT.md's section KEY (a "## TITLE" block between HTML comment
             markers, replaced where it exists, appended where not); without it, into the main
             block at the top. Whatever else OUT.md holds (other sections, notes below them) stays.
"""
import datetime
import json
import os
import platform
import subprocess
import sys


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except OSError:
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return "%d cores (%s), kernel %s" % (os.cpu_count(), cpu, platform.release())


def cell(fig):
    if fig is None:
        return "—"
    if fig.get("skipped"):
        return "skipped (%s)" % fig["skipped"]
    parts = ["**PASS**" if fig["ok"] else "**FAIL**"]
    if fig.get("rto") is not None:
        parts.append("rto %.2f s" % fig["rto"])
    lost = (fig.get("lost") or 0) + (fig.get("async_lost") or 0)
    parts.append("lost %d" % lost)
    if fig.get("dual"):
        parts.append("dual %d (max %.0f ms)" % (fig["dual"], fig.get("dual_max_ms") or 0))
    if (fig.get("dual_overlap") or 0) > (fig.get("dual") or 0):
        parts.append("writable overlap without acks %d" % (fig["dual_overlap"] - (fig.get("dual") or 0)))
    if fig.get("late"):
        parts.append("late %d" % fig["late"])
    parts.append("failovers %d" % fig.get("failovers", 0))
    if not fig["ok"] and fig.get("reasons"):
        parts.append("(" + "; ".join(fig["reasons"]) + ")")
    return ", ".join(parts)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def median_rto(figs, name):
    rtos = sorted(f["rto"] for f in figs if f["name"] == name and f.get("rto") is not None
                  and f.get("failovers"))
    return rtos[len(rtos) // 2] if rtos else None


def cells(figs):
    """One fault injected several times (--random, --bench): passes, RTO percentiles, sums."""
    run = [f for f in figs if not f.get("skipped")]
    if not run:
        return cell(figs[0])
    passed = len([f for f in run if f["ok"]])
    parts = ["**%s** %d/%d" % ("PASS" if passed == len(run) else "FAIL", passed, len(run))]
    rtos = [f["rto"] for f in run if f.get("rto") is not None]
    if rtos:
        parts.append("rto p50 %.2f / p90 %.2f / max %.2f s" % (pct(rtos, 0.5), pct(rtos, 0.9),
                                                                max(rtos)))
    parts.append("lost %d" % sum((f.get("lost") or 0) + (f.get("async_lost") or 0) for f in run))
    duals = sum(f.get("dual") or 0 for f in run)
    if duals:
        parts.append("dual %d" % duals)
    parts.append("failovers %d" % sum(f.get("failovers", 0) for f in run))
    reasons = sorted({r for f in run for r in f.get("reasons") or []})
    if reasons:
        parts.append("(" + "; ".join(reasons) + ")")
    return ", ".join(parts)


def timing_line(runs):
    """The timing the runs used (check.py's overall figure), the same for both systems."""
    seen = []
    for label, figs in runs:
        o = next((f for f in figs if f["name"] == "overall"), {})
        t = o.get("timing")
        text = ("ttl %(ttl)s, loop_wait %(loop_wait)s, retry_timeout %(retry_timeout)s" % t
                if t else "pgha's defaults (ttl 5, loop_wait 1, retry_timeout 2)")
        if text not in [x for x, _ in seen]:
            seen.append((text, []))
        next(ls for x, ls in seen if x == text).append(label)
    if len(seen) == 1:
        what = seen[0][0] + " for every system"
    else:
        what = "; ".join("%s for %s" % (x, ", ".join(ls)) for x, ls in seen)
    return ("- timing: %s; Patroni with `watchdog: off` (these hosts have no watchdog device, and "
            "pgha uses none)" % what)


def splice(out, key, block):
    """OUT's text with the block between KEY's markers replaced by BLOCK (appended if absent)."""
    begin, end = "<!-- report.py: begin %s -->" % key, "<!-- report.py: end %s -->" % key
    old = ""
    if os.path.exists(out):
        with open(out) as f:
            old = f.read()
    block = begin + "\n" + block.rstrip("\n") + "\n" + end + "\n"
    i, j = old.find(begin), old.find(end)
    if i >= 0 and j > i:
        rest = old[j + len(end):]
        return old[:i] + block + ("\n" + rest.lstrip("\n") if rest.strip() else "")
    if key == "main":
        return block + ("\n" + old if old else "")
    return old.rstrip("\n") + "\n\n" + block if old else block


def main():
    args = sys.argv[1:]
    key, title = "main", None
    if len(args) >= 3 and args[1] == "--section":
        key, title = args[2], args[3] if len(args) > 3 else ""
        if not key.isidentifier() or not title:
            sys.exit("report.py: --section needs a KEY (letters, digits, _) and a TITLE")
        args = args[:1] + args[4:]
    if len(args) < 3:
        sys.exit(__doc__)
    out, command = args[0], args[1]
    runs = []
    for arg in args[2:]:
        label, _, path = arg.partition("=")
        if not path:
            sys.exit("report.py: expected LABEL=FILE, got %r" % arg)
        try:
            with open(path) as f:
                runs.append((label, json.load(f)))
        except (OSError, ValueError) as e:
            runs.append((label, [{"name": "overall", "ok": False, "error": str(e)}]))
    # pgha beside a Patroni run of the same mode: "pgha (sync)" with "patroni (sync)"
    pairs = []
    for label, figs in runs:
        if label.lower().startswith("pgha"):
            mode = label[label.find("("):]
            other = next((f for lb, f in runs if not lb.lower().startswith("pgha")
                          and lb.endswith(mode)), None)
            if other is not None:
                pairs.append((mode.strip("()"), figs, other))
    names = []
    for _, figs in runs:
        for fig in figs:
            if fig["name"] not in ("overall", "storm") and fig["name"] not in names:
                names.append(fig["name"])
    if title is None:
        head = [
            "# Reliability: the fault suite's results", "",
            "Written by `tests/fault/report.py` (do not edit by hand) from histories recorded by "
            "`tests/fault/run.sh` on three network-namespace hosts: per node a recorder asking "
            "PostgreSQL `pg_is_in_recovery()` every 35 ms over its unix socket, writers inserting "
            "unique ids through HAProxy's write port and straight into whichever node claims to "
            "be primary, and checkers that read only those histories (`tests/fault/check.py`; "
            "`tests/fault/README.md` says what each figure means and each nemesis does)."]
    else:
        head = ["## " + title, "",
                "Written by `tests/fault/report.py` (do not edit by hand), from the same harness."]
    lines = head + [
        "",
        "- date: %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "- machine: %s" % machine(),
        "- versions: pgha tree %s, %s, etcd %s, PostgreSQL %s" % (
            sh("git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always",
               "--dirty") or os.environ.get("PGHA_TREE", "?"),
            ", ".join(v for v in (sh("/usr/bin/patroni", "--version"),
                                  sh("/opt/patroni4/bin/patroni", "--version")) if v and v != "?"),
            (sh("etcd", "--version").splitlines() or ["?"])[0].split()[-1],
            (sh("/usr/lib/postgresql/15/bin/postgres", "--version").split() + ["?"] * 3)[2]),
        "- command: `%s`" % command,
        timing_line(runs),
        "",
    ] + ([
        "Where a fault fails over on both systems, `rto pgha/Patroni` is pgha's recovery time "
        "(fault to the first write acknowledged by the new primary through the write port; the "
        "median where a fault ran more than once) divided by Patroni's in the same mode: below 1 "
        "pgha is faster.",
        "",
    ] if pairs else []) + [
        "| fault | " + " | ".join(label for label, _ in runs) +
        "".join(" | rto pgha/Patroni (%s)" % m for m, _, _ in pairs) + " |",
        "|---|" + "---|" * (len(runs) + len(pairs)),
    ]
    for name in names:
        row = []
        for _, figs in runs:
            mine = [f for f in figs if f["name"] == name]
            row.append(cells(mine) if len(mine) > 1 else cell(mine[0] if mine else None))
        for _, ours, theirs in pairs:
            a, b = median_rto(ours, name), median_rto(theirs, name)
            row.append("%.2f" % (a / b) if a is not None and b else "—")
        lines.append("| `%s` | %s |" % (name, " | ".join(row)))
    overall = []
    for label, figs in runs:
        o = next((f for f in figs if f["name"] == "overall"), None)
        if o is None or "error" in o:
            overall.append("%s: no figures%s" % (label, (" (" + o["error"] + ")") if o else ""))
            continue
        overall.append("%s: %s — %d acknowledged writes, %d lost (%d outside any asynchronous "
                       "window), %d recorder samples, replicas diverged: %s" % (
                           label, "PASS" if o["ok"] else "FAIL", o["acks"], o["lost_total"],
                           o["lost_untolerated"], o["samples"], o["diverged"] or "none"))
    for label, figs in runs:
        st = next((f for f in figs if f["name"] == "storm"), None)
        if st is not None:
            overall.append("%s, storm (`storm-*` rows): seed %d, %d of %d faults injected in "
                           "%.0f s, %d failed a checker, no node writable for %.1f s in all, "
                           "longest gap between writes acknowledged through the write port "
                           "%.1f s" % (label, st["seed"], st["injected"], st["planned"],
                                       st["seconds"], st["failed"], st["leaderless_s"],
                                       st["max_gap"]))
    lines += ["", "Whole runs:", ""] + ["- " + x for x in overall] + [""]
    text = splice(out, key, "\n".join(lines))
    with open(out, "w") as f:
        f.write(text)
    print("wrote %s" % out)


if __name__ == "__main__":
    main()
