"""The scenarios of issue 5, each measured identically on a pgha and a Patroni cluster.
Every scenario returns {metric: value}; value None means "not applicable" (with a note)."""

import json
import os
import re
import signal
import subprocess
import time

import util
from cluster import APP_DB, APP_USER, NODES

SETTLE_S = 3  # quiet time after bootstrap before the idle measurements (a window, not a wait)
IDLE_S = 60  # CPU window of the footprint
ETCD_S = 30  # etcd request-rate window (inside the idle window)
PGBENCH_S = 10
WRITE_RATE = 50


class Writer:
    """bench_writer inserting into `table` through HAProxy's write port."""

    def __init__(self, binary, cluster, table, work_dir, max_seconds=400):
        self.cluster = cluster
        self.table = table
        self.acks_path = os.path.join(work_dir, f"{table}.acks")
        self.err_path = os.path.join(work_dir, f"{table}.writer.log")
        primary = cluster.wait_healthy(60)
        conn = util.pg_connect(primary.node_dir, primary.pg_port, APP_USER, APP_DB)
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY)")
        finally:
            conn.close()
        for path in (self.acks_path, self.err_path):
            if os.path.exists(path):  # never read a previous writer's acknowledgements
                os.remove(path)
        env = dict(os.environ, PGPASSWORD=cluster.app_password)
        conninfo = (f"host=127.0.0.1 port={cluster.ports.write} user={APP_USER} dbname={APP_DB} "
                    "application_name=bench_writer")
        self.err = open(self.err_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [binary, "--conninfo", conninfo, "--acks", self.acks_path, "--table", table,
             "--rate", str(WRITE_RATE), "--op-timeout-ms", "1000", "--max-seconds",
             str(max_seconds)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.err, env=env,
            start_new_session=True)
        cluster.registry.add_pid(self.proc.pid)

    def acks(self):
        """[(id, t_ns, connected_ns)] acknowledged so far."""
        out = []
        try:
            with open(self.acks_path, encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and line.endswith("\n"):
                        out.append(tuple(int(x) for x in parts))
        except FileNotFoundError:
            pass
        return out

    def wait_acks(self, n, timeout=15):
        util.poll(f"{n} acknowledged writes", lambda: len(self.acks()) >= n, timeout, 0.05)

    def first_ack_after(self, t_ns, timeout, connected_after=None):
        """First write acknowledged after t_ns on a connection made after `connected_after`
        (default t_ns): an INSERT in flight at the fault can still be acknowledged by the dying
        server's backend; that is no recovery."""
        c_ns = t_ns if connected_after is None else connected_after

        def probe():
            if self.proc.poll() is not None:
                raise util.BenchError("bench_writer exited early")
            later = [t for _, t, connected in self.acks() if t > t_ns and connected > c_ns]
            return min(later) if later else None
        return util.poll("the first acknowledged write after the fault", probe, timeout, 0.02)

    def longest_gap(self, t_from, t_to):
        """Longest time between consecutive acks, over gaps that overlap [t_from, t_to]."""
        times = [t for _, t, _ in self.acks()]
        gaps = [b - a for a, b in zip(times, times[1:]) if b > t_from and a < t_to]
        return max(gaps) / 1e9 if gaps else None

    def stop(self):
        """Stops the writer; it reads the table back and reports lost acknowledged ids."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.err.close()
        try:
            return json.loads(out.decode().strip().splitlines()[-1])
        except (ValueError, IndexError) as exc:
            raise util.BenchError(f"bench_writer printed no summary (see {self.err_path})") \
                from exc


# ---------------------------------------------------------------------------------------------

def bootstrap(cluster, timeout=150):
    """Launch → a primary with every replica streaming (pg_stat_replication on the primary)."""
    if hasattr(cluster, "prepare"):
        cluster.prepare()
    t0 = cluster.launch()
    util.poll(f"{cluster.system}: all replicas streaming", cluster.streaming_primary, timeout, 0.1)
    t_ready = util.now_ns()
    t_agents = cluster.agent_start_ns()
    t_done = cluster.finish_bootstrap(timeout)
    return {"bootstrap_s": (t_ready - t0) / 1e9,
            "bootstrap_agents_s": (t_ready - t_agents) / 1e9 if t_agents else None,
            "bootstrap_command_s": (t_done - t0) / 1e9}


def idle(cluster, want_footprint, want_etcd):
    """Footprint (per agent: RSS, PSS, threads, CPU over IDLE_S) and etcd requests/s per agent
    (grpc_server_handled_total over the members, delta over ETCD_S)."""
    time.sleep(SETTLE_S)
    cluster.wait_healthy(30)
    groups = {n.name: util.identify(cluster.agent_pids(n)) for n in cluster.nodes}
    ticks0 = sum(util.cpu_ticks([p for p, _ in g]) for g in groups.values())
    t0 = time.monotonic()
    out, extra = {}, {}
    if want_etcd:
        c0, m0 = util.etcd_grpc_handled(cluster.ports.etcd_clients())
        time.sleep(ETCD_S)
        c1, m1 = util.etcd_grpc_handled(cluster.ports.etcd_clients())
        elapsed = time.monotonic() - t0
        out["etcd_rps_per_agent"] = (c1 - c0) / elapsed / NODES
        extra["etcd_per_method_rps"] = {k: round((m1.get(k, 0) - m0.get(k, 0)) / elapsed, 3)
                                        for k in sorted(m1) if m1.get(k, 0) != m0.get(k, 0)}
    if want_footprint:
        time.sleep(max(0.0, IDLE_S - (time.monotonic() - t0)))
        elapsed = time.monotonic() - t0
        pids = [p for g in groups.values() for p, started in g if util.alive(p, started)]
        if len(pids) < sum(len(g) for g in groups.values()):
            raise util.BenchError(f"{cluster.system}: an agent process exited during the idle "
                                  "window")
        ticks1 = util.cpu_ticks(pids)
        rss, pss, threads, anon = util.memory_of(pids)
        out.update({
            "rss_mb": rss / 1024 / NODES, "rss_anon_mb": anon / 1024 / NODES,
            "pss_mb": pss / 1024 / NODES, "threads": threads / NODES,
            "cpu_s_per_60s": (ticks1 - ticks0) / util.CLK_TCK / NODES * (60.0 / elapsed)})
        extra["processes_per_agent"] = {k: len(g) for k, g in groups.items()}
        extra["node1_processes"] = util.process_table(
            [p for p, started in groups["node1"] if util.alive(p, started)])
    return out, extra


def _pgbench(cluster, port, args, seconds=None):
    env = dict(os.environ, PGPASSWORD=cluster.app_password)
    cmd = ["pgbench", "-h", "127.0.0.1", "-p", str(port), "-U", APP_USER] + args + [APP_DB]
    timeout = (seconds or 60) + 60
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                         check=False)
    if res.returncode != 0:
        raise util.BenchError(f"{' '.join(cmd)} failed: {res.stderr[-800:]}")
    return res.stdout


def router(cluster):
    """pgbench -S through HAProxy's write and read ports vs directly to the primary."""
    primary = cluster.wait_healthy(30)
    _pgbench(cluster, cluster.ports.write, ["-i", "-s", "1", "-q"])
    cluster.wait_healthy(30)  # the replicas have the tables
    tps = {}
    for name, port in (("direct", primary.pg_port), ("write", cluster.ports.write),
                       ("read", cluster.ports.read)):
        out = _pgbench(cluster, port, ["-S", "-n", "-c", "4", "-j", "2", "-T", str(PGBENCH_S)],
                       PGBENCH_S)
        m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
        if not m:
            raise util.BenchError(f"no tps in pgbench output: {out[-400:]}")
        tps[name] = float(m.group(1))
    return {"tps_direct": tps["direct"], "tps_write_port": tps["write"],
            "tps_read_port": tps["read"], "router_write_ratio": tps["write"] / tps["direct"],
            "router_read_ratio": tps["read"] / tps["direct"]}


def _fault(cluster, writer_bin, work_dir, table, inject, timeout):
    """Writer on; inject(primary) → CLOCK_MONOTONIC of the fault; time to the first ack after."""
    primary = cluster.wait_healthy(60)
    writer = Writer(writer_bin, cluster, table, work_dir)
    try:
        writer.wait_acks(25)
        t_fault = inject(primary)
        t_first = writer.first_ack_after(t_fault, timeout)
        gap = writer.longest_gap(t_fault, t_first)
    finally:
        summary = writer.stop()
    return {"first_write_s": (t_first - t_fault) / 1e9, "gap_s": gap,
            "lost": summary.get("lost"), "old_primary": primary.name}, summary


def node_death(cluster, writer_bin, work_dir, ttl):
    res, summary = _fault(cluster, writer_bin, work_dir, "bench_death", cluster.kill_node,
                          ttl + 90)
    return {"death_first_write_s": res["first_write_s"], "death_gap_s": res["gap_s"],
            "death_lost": res["lost"]}, {"death_writer": summary}


def pg_crash(cluster, writer_bin, work_dir, ttl):
    res, summary = _fault(cluster, writer_bin, work_dir, "bench_crash", cluster.crash_postgres,
                          ttl + 90)
    cluster.wait_healthy(120)
    return {"crash_first_write_s": res["first_write_s"], "crash_gap_s": res["gap_s"],
            "crash_lost": res["lost"]}, {"crash_writer": summary}


def switchover(cluster, writer_bin, work_dir, candidate=None, table="bench_switch"):
    """POST /switchover leader → a replica; outage = longest gap between acknowledged writes
    from the call until the first write acknowledged by the new primary."""
    primary = cluster.wait_healthy(60)
    candidate = candidate or next(n for n in cluster.nodes if n.name != primary.name)
    writer = Writer(writer_bin, cluster, table, work_dir)
    extra = {}
    try:
        writer.wait_acks(25)
        t_call = util.now_ns()
        status, text = cluster.switchover(primary, candidate)
        t_ret = util.now_ns()
        extra["switchover_reply"] = f"{status} {text.strip()[:200]}"
        if status == 501:
            return {"switchover_outage_s": None, "switchover_call_s": None}, extra
        if status != 200:
            raise util.BenchError(f"{cluster.system}: POST /switchover answered {status}: "
                                  f"{text.strip()[:300]}")
        util.poll(f"{candidate.name} primary", lambda: cluster.node_state(candidate) is not None
                  and not cluster.node_state(candidate)[0], 60, 0.05)
        t_seen = util.now_ns()
        # The writer may reconnect to the new primary before we see it promoted (Patroni's POST
        # returns late at its defaults): after the candidate is primary the old one is down, so
        # any ack then on a connection made after the call is the new primary's.
        t_first = writer.first_ack_after(max(t_seen, t_ret), 60, connected_after=t_call)
        gap = writer.longest_gap(t_call, t_first)
    finally:
        extra["switchover_writer"] = writer.stop()
    cluster.wait_healthy(120)
    return {"switchover_outage_s": gap, "switchover_call_s": (t_ret - t_call) / 1e9,
            "switchover_lost": extra["switchover_writer"].get("lost")}, extra


def _sync_standbys(cluster, api_port):
    status, text = util.http("GET", api_port, "/cluster")
    if status != 200:
        return []
    return [m["name"] for m in json.loads(text).get("members", [])
            if m.get("role") == "sync_standby"]


def _set_sync_mode(cluster, on):
    """PATCH /config synchronous_mode on both systems alike; waits until /cluster shows a
    synchronous standby (on) or none (off)."""
    primary = cluster.wait_healthy(60)
    status, text = util.http("PATCH", primary.api_port, "/config", {"synchronous_mode": on})
    if status != 200:
        raise util.BenchError(f"{cluster.system}: PATCH /config synchronous_mode={on} answered "
                              f"{status}: {text.strip()[:300]}")
    util.poll(f"{cluster.system}: synchronous standby {'named' if on else 'gone'}",
              lambda: bool(_sync_standbys(cluster, primary.api_port)) == on, 60, 0.1)
    return primary


def switchover_sync(cluster, writer_bin, work_dir):
    """synchronous_mode on (PATCH /config), then the switchover scenario to the synchronous
    standby; synchronous_mode off again afterwards so later scenarios run as before."""
    primary = _set_sync_mode(cluster, True)
    name = _sync_standbys(cluster, primary.api_port)[0]
    candidate = next(n for n in cluster.nodes if n.name == name)
    metrics, extra = switchover(cluster, writer_bin, work_dir, candidate, "bench_switch_sync")
    _set_sync_mode(cluster, False)
    return ({"sync_" + k: v for k, v in metrics.items()},
            {"sync_" + k: v for k, v in extra.items()})


def pg_settings(cluster):
    """Non-default PostgreSQL settings of the primary, to show both clusters run the same."""
    primary = cluster.wait_healthy(30)
    rows = util.pg_query(primary.node_dir, primary.pg_port,
                         "SELECT name, setting FROM pg_settings WHERE source NOT IN "
                         "('default', 'override') ORDER BY name")
    return dict(rows)
