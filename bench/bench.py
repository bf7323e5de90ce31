#!/usr/bin/python3
"""pgha vs Patroni 3.0.2, side by side, in one run (issue 5). Driven by bench/run.sh:

  bench.py run --repo DIR --state DIR --writer BIN [--rounds N] [--scenario NAME,...]
               [--settings equal|defaults|both] [--doc FILE] [--results-dir DIR]
  bench.py cleanup --state DIR        # stop and remove whatever a (dead) run left behind

Per round: one pgha cluster (`pghactl local up`), then one Patroni cluster at the timing pgha
runs with ("equal") and/or one at Patroni's own defaults ("defaults"). pgha has a single
configuration (`pghactl local` decides its timing), so its run serves both comparisons.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hostdeath  # noqa: E402
import scenarios  # noqa: E402
import soak  # noqa: E402
import util  # noqa: E402
from cluster import Ports  # noqa: E402
from patroni_cluster import PatroniCluster, etcd_args, render_haproxy  # noqa: E402
from pgha_cluster import PghaCluster, destroy, settings_defaults  # noqa: E402

SCENARIOS = ["bootstrap", "node-death", "pg-crash", "switchover", "switchover-sync",
             "footprint", "etcd-load", "router", "soak", "host-death"]

# pghactl local's default ports + offset; the default cluster (offset 0) is never touched.
PGHA_PORTS = Ports(15432, 15433, 17000, 15440, 18008, 12379, 12380)
PATRONI_PORTS = Ports(25432, 25433, 27000, 25440, 28008, 22379, 22380)

# (scenario, key, label, unit, digits)
METRICS = [
    ("bootstrap", "bootstrap_s", "launch (etcd, agents, HAProxy) → all replicas streaming", "s",
     2),
    ("bootstrap", "bootstrap_agents_s", "first agent started → all replicas streaming", "s", 2),
    ("bootstrap", "bootstrap_command_s", "launch → app role/db created (command returns)", "s",
     2),
    ("node-death", "death_first_write_s", "kill -9 primary's agent + PostgreSQL (host alive) → "
     "first write", "s", 2),
    ("node-death", "death_gap_s", "longest gap between acknowledged writes", "s", 2),
    ("node-death", "death_lost", "acknowledged writes lost", "", 0),
    ("pg-crash", "crash_first_write_s", "kill -9 primary's postmaster → first write", "s", 2),
    ("pg-crash", "crash_gap_s", "longest gap between acknowledged writes", "s", 2),
    ("pg-crash", "crash_lost", "acknowledged writes lost", "", 0),
    ("switchover", "switchover_outage_s", "write outage (longest gap)", "s", 2),
    ("switchover", "switchover_call_s", "POST /switchover returns", "s", 2),
    ("switchover", "switchover_lost", "acknowledged writes lost", "", 0),
    ("switchover-sync", "sync_switchover_outage_s", "write outage (longest gap), "
     "synchronous_mode on", "s", 2),
    ("switchover-sync", "sync_switchover_call_s", "POST /switchover returns", "s", 2),
    ("switchover-sync", "sync_switchover_lost", "acknowledged writes lost", "", 0),
    ("footprint", "rss_mb", "RSS per agent", "MB", 1),
    ("footprint", "rss_anon_mb", "RSS anonymous (heap, stacks) per agent", "MB", 1),
    ("footprint", "pss_mb", "PSS per agent", "MB", 1),
    ("footprint", "threads", "threads per agent", "", 1),
    ("footprint", "cpu_s_per_60s", "CPU per agent over 60 s idle", "s", 3),
    ("etcd-load", "etcd_rps_per_agent", "etcd gRPC requests/s per agent (30 s idle)", "req/s",
     2),
    ("router", "tps_direct", "pgbench -S TPS, direct to the primary", "tps", 0),
    ("router", "tps_write_port", "pgbench -S TPS through the write port", "tps", 0),
    ("router", "tps_read_port", "pgbench -S TPS through the read port", "tps", 0),
    ("router", "router_write_ratio", "write port / direct", "×", 3),
    ("router", "router_read_ratio", "read port / direct", "×", 3),
    ("soak", "soak_minutes", "run length (pgbench on both ports, writer on)", "min", 1),
    ("soak", "soak_etcd_kills", "etcd leader killed -9 (then restarted)", "", 0),
    ("soak", "soak_failovers", "leader changes (spurious failovers)", "", 0),
    ("soak", "soak_demotes", "primary demoted or fenced (log lines)", "", 0),
    ("soak", "soak_lost", "acknowledged writes lost", "", 0),
    ("soak", "soak_gap_s", "longest gap between acknowledged writes", "s", 2),
    ("soak", "soak_cpu_busy", "CPU busy over the run (both cores)", "×", 2),
]


def _host_death_rows():
    """host-death rows: per mode, each fault's outage, lost writes and dual-primary windows."""
    faults = (("host_death", "leader's host dies (frozen, packets dropped) → first write"),
              ("host_death_etcd", "… and etcd's raft leader on that host → first write"),
              ("ns_kill9", "kill -9 agent + PostgreSQL on a live host → first write"))
    rows = []
    for pre, mode in (("", "asynchronous"), ("sync_", "synchronous_mode on")):
        for key, what in faults:
            rows += [("host-death", f"{pre}{key}_rto_s", f"{what}, {mode}", "s", 2),
                     ("host-death", f"{pre}{key}_lost", "acknowledged writes lost", "", 0),
                     ("host-death", f"{pre}{key}_dual", "dual-primary windows (recorder samples)",
                      "", 0)]
    return rows


METRICS += _host_death_rows()


class Bench:
    def __init__(self, args):
        self.args = args
        self.repo = os.path.abspath(args.repo)
        self.state = os.path.abspath(args.state)
        self.registry = util.Registry(self.state)
        self.selected = set(args.scenario)
        self.runs = []  # {label, round, metrics, extra, errors}
        self.timing_equal = None
        self.timing_source = None
        self.checks = {}  # one-off comparisons of the two setups
        # The tree the run started from: later commits (the run takes most of an hour) must not
        # be credited with its figures.
        self.tree = sh("git", "-C", self.repo, "describe", "--always", "--dirty")
        self.started = datetime.datetime.now()
        self.stamp = self.started.strftime("%Y%m%d-%H%M%S")
        self.keep_dir = os.path.join(os.path.abspath(args.results_dir), self.stamp)

    def want(self, name):
        return name in self.selected

    # -- one cluster ------------------------------------------------------------------------

    def run_cluster(self, label, rnd, make):
        run = {"label": label, "round": rnd, "metrics": {}, "extra": {}, "errors": []}
        self.runs.append(run)
        work = os.path.join(self.state, f"r{rnd}-{label}")
        os.makedirs(work + ".work")
        cluster = make(work)
        util.log(f"round {rnd}: {label}: bootstrap")
        run["extra"]["loadavg_start"] = util.loadavg()
        try:
            run["metrics"].update(scenarios.bootstrap(cluster))
            timing, source = cluster.effective_timing()
            run["extra"]["timing"] = {"ttl": timing[0], "loop_wait": timing[1],
                                      "retry_timeout": timing[2], "source": source}
            if label == "pgha" and self.timing_equal is None:
                self.timing_equal, self.timing_source = timing, source
            if rnd == 1:
                run["extra"]["pg_settings"] = scenarios.pg_settings(cluster)
                if label == "pgha":
                    self.compare_setup(cluster)
            self.run_scenarios(cluster, run, work + ".work", timing[0], label)
        except util.BenchError as exc:
            self.fail(run, cluster, "bootstrap", exc)
        finally:
            run["extra"]["loadavg_end"] = util.loadavg()
            util.log(f"round {rnd}: {label}: teardown")
            try:
                cluster.teardown()
            except Exception:  # noqa: BLE001 - cleanup_state() catches what is left
                traceback.print_exc()
        summary = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in run["metrics"].items())
        util.log(f"round {rnd}: {label}: {summary}")

    def run_scenarios(self, cluster, run, work, ttl, label):
        steps = []
        if self.want("footprint") or self.want("etcd-load"):
            steps.append(("idle", lambda: scenarios.idle(cluster, self.want("footprint"),
                                                         self.want("etcd-load"))))
        # HAProxy and PostgreSQL are identical in both Patroni runs: measure the router once.
        if self.want("router") and label != "patroni-defaults":
            steps.append(("router", lambda: (scenarios.router(cluster), {})))
        if self.want("pg-crash"):
            steps.append(("pg-crash", lambda: scenarios.pg_crash(cluster, self.args.writer,
                                                                 work, ttl)))
        if self.want("switchover"):
            steps.append(("switchover", lambda: scenarios.switchover(cluster, self.args.writer,
                                                                     work)))
        if self.want("switchover-sync"):
            steps.append(("switchover-sync", lambda: scenarios.switchover_sync(
                cluster, self.args.writer, work)))
        # Long: once per run (round 1), on the systems --soak-systems names.
        soak_labels = ("pgha",) if self.args.soak_systems == "pgha" else ("pgha", "patroni-equal")
        if self.want("soak") and run["round"] == 1 and label in soak_labels:
            def writer(table, seconds):
                return scenarios.Writer(self.args.writer, cluster, table, work, seconds)
            steps.append(("soak", lambda: soak.soak(cluster, writer, self.args.soak_seconds)))
        if self.want("node-death"):
            steps.append(("node-death", lambda: scenarios.node_death(cluster, self.args.writer,
                                                                     work, ttl)))
        for k, (name, step) in enumerate(steps):
            util.log(f"round {run['round']}: {run['label']}: {name}")
            try:
                metrics, extra = step()
                run["metrics"].update(metrics)
                run["extra"].update(extra)
            except util.BenchError as exc:
                self.fail(run, cluster, name, exc)
                if k == len(steps) - 1:
                    return
                try:  # go on only with a healthy cluster
                    cluster.wait_healthy(60)
                except util.BenchError:
                    run["errors"].append({"scenario": "(rest)", "error": "cluster not healthy "
                                          "after the failure; remaining scenarios skipped"})
                    return

    def fail(self, run, cluster, scenario, exc):
        util.log(f"FAILED {run['label']} round {run['round']} {scenario}: {exc}")
        dest = os.path.join(self.keep_dir, f"r{run['round']}-{run['label']}-{scenario}")
        os.makedirs(dest, exist_ok=True)
        work = os.path.join(self.state, f"r{run['round']}-{run['label']}.work")
        for path in cluster.logs() + [os.path.join(work, f) for f in os.listdir(work)]:
            if os.path.isfile(path):
                shutil.copy(path, os.path.join(dest, path.replace("/", "_").lstrip("_")))
        run["errors"].append({"scenario": scenario, "error": str(exc), "logs": dest})

    def compare_setup(self, pgha):
        """pgha's generated HAProxy file and etcd flags vs what the Patroni runner uses."""
        with open(os.path.join(pgha.dir, "haproxy.cfg"), encoding="utf-8") as f:
            self.checks["haproxy_identical"] = f.read() == render_haproxy(pgha.ports, pgha.nodes)
        if not self.checks["haproxy_identical"]:
            # Unequal routers make every outage ratio meaningless (it happened once: the Patroni
            # runner kept `timeout connect 4s` after pgha moved to 200ms).
            raise util.BenchError("the Patroni runner's HAProxy file differs from pgha's "
                                  "generated one: fix render_haproxy() in patroni_cluster.py")
        pid = util.read_pid_file(os.path.join(pgha.dir, "pids", "etcd1.pid"))
        with open(f"/proc/{pid}/cmdline", encoding="utf-8") as f:
            argv = f.read().rstrip("\0").split("\0")
        want = etcd_args(pgha.ports, pgha.dir, 1, "pgha-bench")
        self.checks["etcd_flags_identical"] = argv == want
        if argv != want:
            self.checks["etcd_flags_pgha"] = argv

    # -- the whole run ----------------------------------------------------------------------

    def run(self):
        busy = [p for p in PGHA_PORTS.all() + PATRONI_PORTS.all() if not util.port_free(p)]
        if busy:
            raise util.BenchError(f"ports needed by the benchmark are in use: {busy}")
        app_password = secrets.token_hex(8)
        for rnd in range(1, self.args.rounds + 1):
            self.run_cluster("pgha", rnd, lambda d: PghaCluster(
                d, PGHA_PORTS, app_password, self.repo, self.registry, self.args.pghactl))
            if self.timing_equal is None:
                self.timing_equal = settings_defaults(self.repo)
                self.timing_source = "src/ha/settings.h (pgha run failed before reading it)"
            ttl, loop_wait, retry = self.timing_equal
            if ttl < loop_wait + 2 * retry:
                raise util.BenchError(f"pgha's timing {self.timing_equal} breaks Patroni's rule "
                                      "ttl >= loop_wait + 2 * retry_timeout")
            if self.args.settings in ("equal", "both"):
                self.run_cluster("patroni-equal", rnd, lambda d: PatroniCluster(
                    d, PATRONI_PORTS, app_password, self.registry, self.timing_equal))
            if self.args.settings in ("defaults", "both"):
                self.run_cluster("patroni-defaults", rnd, lambda d: PatroniCluster(
                    d, PATRONI_PORTS, app_password, self.registry, None))
            self.save()
        if self.want("host-death"):
            self.run_host_death()
        self.save()
        report = Report(self).markdown()
        print("\n" + report)
        if self.args.doc:
            with open(self.args.doc, "w", encoding="utf-8") as f:
                f.write(report)
            util.log(f"wrote {self.args.doc}")

    def run_host_death(self):
        """The namespace hosts of tests/fault, after the loopback rounds; each round's figures
        join that round's run of the same label."""
        systems = [("pgha", "pgha")]
        if self.args.settings in ("equal", "both"):
            systems.append(("patroni-equal", "patroni"))
        work = os.path.join(self.state, "host-death")
        os.makedirs(work, exist_ok=True)
        results = hostdeath.run(self.repo, os.path.dirname(self.args.pghactl), work, systems,
                                self.args.rounds)
        for label, (per_round, errors) in results.items():
            for r, metrics in enumerate(per_round, start=1):
                run = next((x for x in self.runs if x["label"] == label and x["round"] == r),
                           None)
                if run is not None:
                    run["metrics"].update(metrics)
            if errors:
                dest = os.path.join(self.keep_dir, f"host-death-{label}")
                os.makedirs(dest, exist_ok=True)
                for name in os.listdir(work):
                    shutil.copy(os.path.join(work, name), dest)
                run = next(x for x in self.runs if x["label"] == label)
                for e in errors:
                    util.log(f"FAILED {label} host-death: {e}")
                    run["errors"].append({"scenario": "host-death", "error": e, "logs": dest})

    def identity(self):
        try:
            return Report(self).pgha_identity()
        except OSError:
            return None

    def save(self):
        os.makedirs(self.keep_dir, exist_ok=True)
        path = os.path.join(self.keep_dir, "results.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"args": vars(self.args), "timing_equal": self.timing_equal,
                       "checks": self.checks, "runs": self.runs, "tree": self.tree,
                       "stamp": self.stamp, "timing_source": self.timing_source,
                       "pgha_identity": self.identity()}, f, indent=1, default=str)


# ---------------------------------------------------------------------------------------------

def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20,
                              check=False).stdout.strip()
    except OSError:
        return "?"


def machine():
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "cpu": model,
            "os": sh("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME")}


# The fault suite's etcd (tests/fault/render.py: election timeout 1 s): a new raft leader within
# 2 election timeouts, and its lessor extends every lease by one more (docs/interfaces.md §2.5).
ETCD_LEADER_LOSS_S = 3


class Report:
    def __init__(self, bench):
        self.b = bench

    def values(self, label, key):
        out = []
        for run in self.b.runs:
            if run["label"] == label and key in run["metrics"]:
                out.append(run["metrics"][key])
        return out

    @staticmethod
    def fmt(v, digits):
        if v is None:
            return "n/a"
        return f"{v:.{digits}f}"

    def cell(self, vals, digits):
        """(median, "min–max") or n/a."""
        nums = [v for v in vals if v is not None]
        if not vals:
            return "—", ""
        if not nums:
            return "n/a", ""
        med = statistics.median(nums)
        rng = f"{self.fmt(min(nums), digits)}–{self.fmt(max(nums), digits)}"
        note = f" ({len(nums)}/{len(vals)})" if len(nums) != len(vals) else ""
        return self.fmt(med, digits) + note, rng

    def table(self, other):
        rows = ["| scenario | metric | unit | pgha median | pgha min–max | Patroni median | "
                "Patroni min–max | pgha/Patroni |",
                "|---|---|---|---:|---:|---:|---:|---:|"]
        for scen, key, label, unit, digits in METRICS:
            if not self.b.want(scen):
                continue
            a, b = self.values("pgha", key), self.values(other, key)
            if not a and not b:
                continue
            if key.startswith("switchover") and self.n_a("pgha"):
                a = [None] * max(1, len(a))
            am, ar = self.cell(a, digits)
            bm, br = self.cell(b, digits)
            an = [v for v in a if v is not None]
            bn = [v for v in b if v is not None]
            ratio = "—"
            if an and bn and statistics.median(bn):
                ratio = f"{statistics.median(an) / statistics.median(bn):.2f}"
            if am.startswith("n/a") and key == "switchover_outage_s":
                am = "n/a (501)"
            rows.append(f"| {scen} | {label} | {unit} | {am} | {ar} | {bm} | {br} | {ratio} |")
        return "\n".join(rows)

    def n_a(self, label):
        return any(str(r["extra"].get("switchover_reply", "")).startswith("501")
                   for r in self.b.runs if r["label"] == label)

    def goals(self):
        def med(label, key):
            vals = [v for v in self.values(label, key) if v is not None]
            return statistics.median(vals) if vals else None
        lines = []
        boot = med("pgha", "bootstrap_s")
        if boot is not None:
            lines.append(f"- bootstrap ≤ 4 s: pgha {boot:.2f} s (Patroni "
                         f"{self.fmt(med('patroni-equal', 'bootstrap_s'), 2)} s equal, "
                         f"{self.fmt(med('patroni-defaults', 'bootstrap_s'), 2)} s defaults) → "
                         f"{'met' if boot <= 4 else 'NOT met'}")
        death, pdeath = med("pgha", "death_first_write_s"), med("patroni-equal",
                                                                "death_first_write_s")
        if death is not None and pdeath:
            lines.append(f"- node-death outage ≤ 0.7× Patroni at equal settings: "
                         f"{death / pdeath:.2f}× → {'met' if death / pdeath <= 0.7 else 'NOT met'}")
        failed = sum(1 for r in self.b.runs if r["label"] == "pgha" for e in r["errors"]
                     if e["scenario"] == "node-death")
        if death is None and failed:
            lines.append(f"- node-death outage ≤ 0.7× Patroni (equal) and ≤ 6 s (defaults): NOT "
                         f"met — pgha did not recover in {failed} of {failed} round(s) (see "
                         "Failures)")
        if death is not None:
            lines.append(f"- node-death outage ≤ 6 s at defaults: pgha {death:.2f} s (Patroni "
                         f"{self.fmt(med('patroni-defaults', 'death_first_write_s'), 2)} s) → "
                         f"{'met' if death <= 6 else 'NOT met'}")
        sw, psw = med("pgha", "switchover_outage_s"), med("patroni-equal", "switchover_outage_s")
        if self.b.want("switchover"):
            lines.append("- switchover ≤ 1 s (asynchronous replication): " + (
                f"pgha {sw:.2f} s → {'met' if sw <= 1 else 'NOT met'}" if sw is not None
                else "pgha n/a → not measurable"))
            if sw and psw:
                lines.append(f"- switchover ≤ 0.2× Patroni's asynchronous figure: {sw / psw:.2f}× "
                             f"Patroni's {psw:.2f} s → {'met' if sw / psw <= 0.2 else 'NOT met'}")
        ssw = med("pgha", "sync_switchover_outage_s")
        if self.b.want("switchover-sync"):
            pssw = med("patroni-equal", "sync_switchover_outage_s")
            other = f" (Patroni in synchronous mode {pssw:.2f} s)" if pssw else ""
            lines.append("- switchover ≤ 1 s (synchronous replication): " + (
                f"pgha {ssw:.2f} s{other} → {'met' if ssw <= 1 else 'NOT met'}"
                if ssw is not None else "pgha n/a → not measurable"))
            if ssw and psw:
                lines.append(f"- synchronous switchover ≤ 0.2× Patroni's asynchronous figure: "
                             f"{ssw / psw:.2f}× → {'met' if ssw / psw <= 0.2 else 'NOT met'}")
        if self.b.want("soak"):
            fo = med("pgha", "soak_failovers")
            dm = med("pgha", "soak_demotes")
            lines.append("- zero spurious failovers in a 10-minute run with etcd-leader kills and "
                         "both cores saturated: " + (
                             f"pgha {fo:.0f} leader change(s), {dm:.0f} demotion(s) over "
                             f"{med('pgha', 'soak_minutes'):.0f} min and "
                             f"{med('pgha', 'soak_etcd_kills'):.0f} kills → "
                             f"{'met' if fo == 0 and dm == 0 else 'NOT met'}"
                             if fo is not None else "not measured (see Failures)"))
        if self.b.want("host-death"):
            lines += self.safety_goals(med)
        rss = med("pgha", "rss_mb")
        if rss is not None:
            lines.append(f"- agent RSS ≤ 8 MB (Patroni ~61 MB): pgha {rss:.1f} MB, Patroni "
                         f"{self.fmt(med('patroni-equal', 'rss_mb'), 1)} MB (equal), "
                         f"{self.fmt(med('patroni-defaults', 'rss_mb'), 1)} MB (defaults) → "
                         f"{'met' if rss <= 8 else 'NOT met'}")
        rps, prps = med("pgha", "etcd_rps_per_agent"), med("patroni-equal", "etcd_rps_per_agent")
        if rps is not None and prps:
            lines.append(f"- etcd requests per idle agent ≤ Patroni's at equal settings (issue "
                         f"13): pgha {rps:.2f}/s, Patroni {prps:.2f}/s → "
                         f"{'met' if rps <= prps else 'NOT met'}")
        return "\n".join(lines)

    def safety_goals(self, med):
        """Issue 14's goals: host death within ttl + 1 s and no slower than Patroni; agent +
        PostgreSQL kill within 1 s; nothing lost in synchronous mode; no dual primary."""
        lines = []
        ttl = (self.b.timing_equal or (None,))[0]
        variants = [(pre + key, f"{what}, {mode}")
                    for pre, mode in (("", "asynchronous"), ("sync_", "synchronous"))
                    for key, what in (("host_death_rto_s", "etcd leader elsewhere"),
                                      ("host_death_etcd_rto_s", "etcd leader on the host"))]
        for key, what in variants:
            # etcd's raft leader dying with the host: no lease can expire before etcd elects a
            # new leader (up to 2 x its 1 s election timeout in tests/fault) and that leader has
            # given every lease a full ttl plus one election timeout (docs/interfaces.md §2.5).
            floor = ETCD_LEADER_LOSS_S if "etcd_rto" in key else 0
            bound = f"ttl + 1 s{' + etcd' + chr(39) + 's ' + str(floor) + ' s' if floor else ''}"
            hd, phd = med("pgha", key), med("patroni-equal", key)
            if hd is None:
                lines.append(f"- host death ({what}) ≤ {bound} and ≤ Patroni: not measured "
                             "(see Failures)")
                continue
            worst = max(v for v in self.values("pgha", key) if v is not None)
            limit = ttl + 1 + floor if ttl else None
            ok = limit is not None and hd <= limit and (phd is None or hd <= phd)
            lines.append(f"- host death ({what}) ≤ {bound} = {self.fmt(limit, 0)} s and ≤ "
                         f"Patroni: pgha median {hd:.2f} s (worst {worst:.2f} s), Patroni "
                         f"{self.fmt(phd, 2)} s → {'met' if ok else 'NOT met'}")
        kills = [("loopback", med("pgha", "death_first_write_s")),
                 ("namespace hosts", med("pgha", "ns_kill9_rto_s")),
                 ("namespace hosts, synchronous", med("pgha", "sync_ns_kill9_rto_s"))]
        shown = [(w, v) for w, v in kills if v is not None]
        if shown:
            lines.append("- agent + PostgreSQL kill -9 on a live host ≤ 1 s of write outage: "
                         + ", ".join(f"{w} {v:.2f} s" for w, v in shown) + " → "
                         + ("met" if all(v <= 1 for _, v in shown) else "NOT met"))
        sync_keys = [m[1] for m in METRICS if m[1].startswith("sync_") and m[1].endswith("_lost")]
        lost = sum(v or 0 for k in sync_keys for v in self.values("pgha", k))
        n = sum(1 for k in sync_keys for _ in self.values("pgha", k))
        lines.append(f"- 0 acknowledged writes lost in synchronous mode: pgha lost {lost} over "
                     f"{n} synchronous fault(s) and switchover(s) → "
                     f"{'met' if n and lost == 0 else 'NOT met' if n else 'not measured'}")
        dual_keys = [m[1] for m in METRICS if m[1].endswith("_dual")]
        dual = {lab: sum(v or 0 for k in dual_keys for v in self.values(lab, k))
                for lab in ("pgha", "patroni-equal")}
        nd = sum(1 for k in dual_keys for _ in self.values("pgha", k))
        lines.append(f"- 0 dual-primary samples: pgha {dual['pgha']} window(s) over {nd} "
                     f"fault(s) (Patroni {dual['patroni-equal']}) → "
                     f"{'met' if nd and dual['pgha'] == 0 else 'NOT met' if nd else 'not measured'}")
        return lines

    def settings_text(self):
        b = self.b
        t = b.timing_equal or ("?", "?", "?")
        src = b.timing_source or {}
        src_text = ", ".join(f"{k} from {v}" for k, v in src.items()) if isinstance(src, dict) \
            else str(src)
        pgha_defaults = settings_defaults(b.repo)
        pg_diff = self.pg_settings_diff()
        lines = [
            f"- **equal**: both systems at ttl {t[0]} / loop_wait {t[1]} / retry_timeout {t[2]} "
            f"(pgha's effective values: {src_text}; pgha's built-in defaults in "
            f"src/ha/settings.h: ttl {pgha_defaults[0]} / loop_wait {pgha_defaults[1]} / "
            f"retry_timeout {pgha_defaults[2]}). Patroni gets them in `bootstrap.dcs`; "
            "Patroni 3.0.2 validates only that they are integers (its documented rule "
            "ttl ≥ loop_wait + 2 × retry_timeout holds).",
            "- **defaults**: Patroni without the three keys (30 / 10 / 10); pgha as `pghactl "
            "local` configures it (the same run as in *equal*: pgha has one configuration).",
            "- etcd 3 members, both clusters started with the flags of `src/local/render.cc` "
            "(`--heartbeat-interval 100 --election-timeout 1000 --pre-vote=true "
            "--experimental-watch-progress-notify-interval=50ms`); "
            f"identical: {b.checks.get('etcd_flags_identical', '?')}.",
            "- HAProxy: pgha's generated `haproxy.cfg` for both (`inter 500ms fastinter 100ms "
            "downinter 100ms fall 2 rise 1 on-marked-down shutdown-sessions`, `retries 3`, "
            "`option redispatch`, `OPTIONS /primary` / `/replica`); byte-identical "
            f"apart from the ports: {b.checks.get('haproxy_identical', '?')}.",
            "- PostgreSQL 15: the same `bootstrap.dcs.postgresql.parameters`, initdb options "
            "(UTF8, data checksums), pg_hba, roles (postgres / replicator / rewind_user / app) "
            "and `use_pg_rewind`, `use_slots`; `maximum_lag_on_failover` 1 MiB; Patroni "
            "`watchdog: off` (no /dev/watchdog here; pgha has none). Non-default settings "
            "that differ between the two primaries: " + (pg_diff or "none") + ".",
            f"- Soak (`bench/soak.py`, round 1 only, on "
            f"{'pgha only' if b.args.soak_systems == 'pgha' else 'pgha and Patroni (equal)'}): "
            f"{b.args.soak_seconds} s with `pgbench -c 6 -j 2` (TPC-B) through the write port "
            "and `pgbench -S -c 4 -j 2` through the read port (scale 10) plus the writer; every "
            f"{soak.KILL_EVERY_S[0]}–{soak.KILL_EVERY_S[1]} s the etcd leader is killed -9 and "
            "restarted with its data once a new etcd leader is elected. Leader changes are "
            "sampled from GET /cluster every 0.5 s; demotions are counted in the agents' logs.",
            f"- Writer: `bench/writer.cc`, {scenarios.WRITE_RATE} inserts/s of unique ids "
            "through the write port, 1 s deadline per connect and per INSERT, reconnect on any "
            "error; afterwards every acknowledged id is looked up (lost = missing).",
            f"- Footprint: the agent process plus its non-PostgreSQL descendants (pgha's "
            f"fencing guard), mean per agent over the 3 agents; CPU = utime+stime over "
            f"{scenarios.IDLE_S} s idle (after {scenarios.SETTLE_S} s settle); RSS/threads from "
            "/proc/PID/status, PSS from /proc/PID/smaps_rollup, sampled at the end.",
            f"- etcd load: `grpc_server_handled_total` summed over the 3 members, delta over "
            f"{scenarios.ETCD_S} s idle ÷ 3 agents (HAProxy health checks run; nothing else "
            "talks to etcd).",
            f"- Router: `pgbench -i -s 1` then `pgbench -S -n -c 4 -j 2 -T {scenarios.PGBENCH_S}`"
            " as the app user over TCP, direct to the primary vs HAProxy's write and read ports "
            "(measured once per round per system; settings do not affect it).",
            "- Bootstrap: from launching the processes (pgha: `pghactl local up`, which starts "
            "etcd, the agents and HAProxy; Patroni: the runner starting the same) until the "
            "primary's `pg_stat_replication` shows 2 replicas `streaming` (polled every 0.1 s "
            "over the unix socket). *first agent started* uses the agents' start time from "
            "/proc. Node death and PostgreSQL crash: time from the SIGKILL to the first "
            "INSERT acknowledged through the write port.",
            "- Switchover: `POST /switchover` from the leader to a replica while the writer "
            "inserts through the write port; the outage is the longest gap between "
            "acknowledged INSERTs from the call until the new primary acknowledges one. "
            "Synchronous: the same after `PATCH /config {\"synchronous_mode\": true}` on both "
            "systems, once `/cluster` shows a `sync_standby`, to that standby; the mode is "
            "switched off again afterwards.",
        ]
        return "\n".join(lines)

    def pg_settings_diff(self):
        get = {}
        for run in self.b.runs:
            if run["round"] == 1 and "pg_settings" in run["extra"]:
                get[run["label"]] = run["extra"]["pg_settings"]
        a = get.get("pgha")
        b = get.get("patroni-equal") or get.get("patroni-defaults")
        if not a or not b:
            return "(not compared)"
        ignore = {"port", "listen_addresses", "unix_socket_directories", "data_directory",
                  "config_file", "hba_file", "ident_file", "cluster_name", "primary_conninfo",
                  "primary_slot_name", "application_name", "transaction_read_only",
                  "default_transaction_read_only", "external_pid_file", "lc_messages",
                  "lc_monetary", "lc_numeric", "lc_time", "TimeZone", "log_timezone",
                  "DateStyle", "default_text_search_config", "client_encoding"}
        diffs = []
        for name in sorted(set(a) | set(b)):
            if name in ignore or a.get(name) == b.get(name):
                continue
            diffs.append(f"`{name}` pgha={a.get(name, '(default)')} "
                         f"Patroni={b.get(name, '(default)')}")
        return "; ".join(diffs)

    def failures(self):
        out = []
        for run in self.b.runs:
            for e in run["errors"]:
                out.append(f"- round {run['round']}, {run['label']}, {e['scenario']}: "
                           f"{e['error'].strip()}" + (f" (logs: `{e['logs']}`)"
                                                      if e.get("logs") else ""))
        return "\n".join(out)

    def notes(self):
        out = []
        for run in self.b.runs:
            reply = run["extra"].get("switchover_reply")
            if run["label"] == "pgha" and reply and reply.startswith("501"):
                out.append("- pgha answers `POST /switchover` with 501 (not implemented): its "
                           "switchover row is n/a.")
                break
        etcd = {}
        for run in self.b.runs:
            if "etcd_per_method_rps" in run["extra"] and run["label"] not in etcd:
                etcd[run["label"]] = run["extra"]["etcd_per_method_rps"]
        for label, methods in etcd.items():
            out.append(f"- etcd gRPC calls/s (all 3 agents, round 1) {label}: " + ", ".join(
                f"{k} {v}" for k, v in methods.items()))
        procs = {}
        for run in self.b.runs:
            if "processes_per_agent" in run["extra"] and run["label"] not in procs:
                procs[run["label"]] = run["extra"]["processes_per_agent"]
        for label, p in procs.items():
            out.append(f"- processes counted per agent, {label}: {p}")
        shown = set()
        for run in self.b.runs:
            table = run["extra"].get("node1_processes")
            if table and run["label"] not in shown:
                shown.add(run["label"])
                out.append(f"- node1's agent processes, {run['label']} (round {run['round']}): "
                           + "; ".join(f"`{p['exe']}` RSS {p['rss_kb'] / 1024:.1f} MB (anon "
                                       f"{p['rss_anon_kb'] / 1024:.1f}), PSS "
                                       f"{p['pss_kb'] / 1024:.1f} MB, {p['threads']} threads"
                                       for p in table))
        loads = [v for run in self.b.runs for k, v in run["extra"].items()
                 if k.startswith("loadavg")]
        if loads:
            out.append(f"- 1-minute load average at the start/end of each cluster run: "
                       f"{min(loads):.2f}–{max(loads):.2f} on {os.cpu_count()} cores (other "
                       "sessions share this machine; figures taken under load are noisier).")
        return "\n".join(out)

    def pgha_identity(self):
        saved = getattr(self.b, "identity", None)  # a live Bench has a method of that name
        if isinstance(saved, str) and saved:  # saved with the results (the copy is gone now)
            return saved
        agent = os.path.join(os.path.dirname(self.b.args.pghactl), "pgha")
        built = datetime.datetime.fromtimestamp(os.path.getmtime(agent))
        digest = sh("sha256sum", agent).split()[0][:12]
        return (f"tree {self.b.tree} at the start of the run "
                f"(agent binary built {built.strftime('%Y-%m-%d %H:%M')}, sha256 {digest}…, "
                "copied at the start of the run and used for every round)")

    def markdown(self):
        b = self.b
        m = machine()
        rounds = b.args.rounds
        parts = [
            "# Benchmarks: pgha vs Patroni 3.0.2",
            "",
            "Written by `bench/run.sh` (do not edit by hand). Both systems run on the same "
            "machine in the same run, one after the other, on loopback; absolute seconds drift "
            "between runs on these shared machines, the ratios taken in one run hold.",
            "",
            f"- date: {b.started.strftime('%Y-%m-%d %H:%M %Z').strip()}",
            f"- machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB memory, kernel "
            f"{m['kernel']}, {m['os']}",
            f"- versions: pgha {self.pgha_identity()}, "
            f"{sh('/usr/bin/patroni', '--version')}, "
            f"etcd {sh('etcd', '--version').splitlines()[0].split()[-1]}, "
            f"{sh('haproxy', '-v').splitlines()[0].split(' - ')[0]}, "
            f"{sh(util.PG_BIN + '/postgres', '--version')}",
            f"- command: `bench/run.sh --rounds {rounds} --settings {b.args.settings}"
            + (f" --scenario {','.join(sorted(b.selected))}" if set(SCENARIOS) - b.selected
               else "") + f"` — {rounds} round(s); median, min and max over the rounds",
            "",
            "## Settings",
            "",
            self.settings_text(),
            "",
        ]
        t = b.timing_equal or ("?", "?", "?")
        if b.args.settings in ("equal", "both"):
            parts += [f"## Equal settings (ttl {t[0]}, loop_wait {t[1]}, retry_timeout {t[2]})",
                      "", self.table("patroni-equal"), ""]
        if b.args.settings in ("defaults", "both"):
            parts += [f"## Each system's defaults (pgha {t[0]}/{t[1]}/{t[2]} as above, "
                      "Patroni 30/10/10)", "", self.table("patroni-defaults"), ""]
        parts += ["## Goals (issues 2, 3, 4 and 5), read off the tables above", "", self.goals(), ""]
        parts += ["## Reading the figures", "",
                  "- Both clusters sit behind the same HAProxy configuration, so the router rows "
                  "should agree between the systems; their pgha/Patroni ratio shows the noise of "
                  "this machine, not a property of either system.",
                  "- RSS counts shared library pages once per process; PSS divides shared pages "
                  "among the processes that map them, RSS anonymous is the private heap and "
                  "stacks. pgha's agent is two processes (the agent and its fencing guard).",
                  "- Node death (agent and PostgreSQL killed, the host alive): Patroni's "
                  "replicas act when the dead primary's key expires in etcd (ttl after its last "
                  "renewal); pgha's fencing guard, which outlives its agent, makes sure "
                  "PostgreSQL is gone and then revokes the agent's lease, so the key leaves at "
                  "once (`docs/safety.md`). No agent ever deletes another's key. Then HAProxy's "
                  "check (every 500 ms, 100 ms while a server changes state) moves the traffic.",
                  "- Host death: nothing on the dead host can act, so both systems wait for the "
                  "lease to expire (ttl after the last renewal); it runs on the fault suite's "
                  "namespace hosts (`tests/fault`), with its recorder and checkers: lost writes "
                  "and dual-primary windows come from the recorded history, not from the agents.",
                  ""]
        notes = self.notes()
        if notes:
            parts += ["## Notes", "", notes, ""]
        fails = self.failures()
        parts += ["## Failures", "", fails or "none", ""]
        parts += ["## How to run", "",
                  "```sh",
                  "bench/run.sh                       # 5 rounds, every scenario, both settings",
                  "bench/run.sh --rounds 1            # a quick run",
                  "bench/run.sh --scenario node-death --settings equal",
                  "```",
                  "Scenarios: " + ", ".join(SCENARIOS) + ". Raw figures of each run: "
                  "`build-bench/results/<date>/results.json` (with the logs of failed steps).",
                  ""]
        return "\n".join(parts)


# ---------------------------------------------------------------------------------------------

def cleanup_state(state, pghactl=None):
    """Stops everything a run registered in STATE/registry (pid + start time, so a reused pid
    is never hit)."""
    registry = util.Registry(state)
    entries = registry.entries()
    pghactl = pghactl or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
        __file__))), "build/src/bin/pghactl")
    for kind, value in entries:
        if kind == "pghadir":
            destroy(pghactl, value)
    pids = []
    for kind, value in entries:
        if kind == "pid":
            pid, started = (int(x) for x in value.split())
            pids.append((pid, started))
    util.stop_pids(pids, timeout=30)  # Patroni stops its PostgreSQL on SIGTERM
    for kind, value in entries:
        if kind == "pgdata":
            pm = util.postmaster_pid(value)
            if pm:
                group = util.identify([pm] + util.descendants(pm))
                util.stop_pids(group[:1], timeout=10, sig=signal.SIGINT)  # fast shutdown
                util.stop_pids(group, timeout=5, sig=signal.SIGKILL)


def rewrite_report(results, doc):
    """The document again from a finished run (a report change needs no new hour of runs)."""
    with open(results, encoding="utf-8") as f:
        data = json.load(f)
    run_args = argparse.Namespace(**data["args"])
    selected = set(run_args.scenario)
    bench = argparse.Namespace(
        args=run_args, runs=data["runs"], timing_equal=data["timing_equal"],
        checks=data["checks"], tree=data.get("tree", "unknown"), selected=selected,
        timing_source=data.get("timing_source"), identity=data.get("pgha_identity"), repo=os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))),
        want=lambda name: name in selected,
        started=datetime.datetime.strptime(data.get("stamp") or os.path.basename(
            os.path.dirname(os.path.abspath(results))), "%Y%m%d-%H%M%S"))
    with open(doc, "w", encoding="utf-8") as f:
        f.write(Report(bench).markdown())
    print(f"wrote {doc}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--repo", required=True)
    r.add_argument("--state", required=True)
    r.add_argument("--writer", required=True)
    r.add_argument("--pghactl", required=True, help="pgha's binaries: this and `pgha` beside it")
    r.add_argument("--rounds", type=int, default=5)
    r.add_argument("--scenario", default="all")
    r.add_argument("--settings", choices=["equal", "defaults", "both"], default="both")
    r.add_argument("--doc")
    r.add_argument("--soak-seconds", type=int, default=600)
    r.add_argument("--soak-systems", choices=["pgha", "both"], default="both")
    r.add_argument("--results-dir", required=True)
    c = sub.add_parser("cleanup")
    c.add_argument("--state", required=True)
    c.add_argument("--pghactl")
    rp = sub.add_parser("report", help="write the document again from a run's results.json")
    rp.add_argument("--results", required=True)
    rp.add_argument("--doc", required=True)
    args = ap.parse_args()
    if args.cmd == "report":
        return rewrite_report(args.results, args.doc)
    if args.cmd == "cleanup":
        cleanup_state(args.state, args.pghactl if args.pghactl and os.path.exists(args.pghactl)
                      else None)
        return 0
    names = SCENARIOS if args.scenario == "all" else args.scenario.split(",")
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or args.rounds < 1:
        print(f"unknown scenario {unknown}; known: {', '.join(SCENARIOS)}" if unknown
              else "--rounds must be ≥ 1", file=sys.stderr)
        return 2
    args.scenario = names
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    try:
        bench.run()
    except util.BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        bench.save()
        cleanup_state(args.state, args.pghactl)
    return 1 if any(run["errors"] for run in bench.runs) else 0


if __name__ == "__main__":
    sys.exit(main())
