"""Soak (issue 3): a long run with both cores saturated by pgbench while the etcd leader is
killed -9 again and again (and restarted with its data); counts failovers and demotions that
nothing but etcd trouble caused. A healthy HA system has zero of them: the primary lives on, and
losing one etcd member out of three never costs the quorum."""

import json
import os
import random
import re
import subprocess
import time

import util
from cluster import APP_DB, APP_USER

KILL_EVERY_S = (20, 40)  # pause between two etcd-leader kills: random within these bounds
DEMOTE_WORDS = ("demoting", "demote self", "fenced")  # a primary giving up, in either log


def _etcd_status(port):
    """(this member's id, the leader id it sees) or None."""
    status, text = util.http("POST", port, "/v3/maintenance/status", {}, timeout=1)
    if status != 200:
        return None
    doc = json.loads(text)
    return doc.get("header", {}).get("member_id"), doc.get("leader")


def _etcd_leader_port(ports):
    for port in ports:
        st = _etcd_status(port)
        if st and st[0] and st[0] == st[1]:
            return port
    return None


def _etcd_pid(port):
    """PID of the etcd serving client port `port` (from /proc cmdlines)."""
    want = f"http://127.0.0.1:{port}"
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                argv = f.read().rstrip(b"\0").split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"etcd") and want.encode() in argv:
            return int(name)
    return None


def _restart_etcd(cluster, argv, cwd, port, old_pid):
    """The killed member again, with its data directory (its initial-cluster flags are ignored
    then); pgha's pid file follows so that `pghactl local destroy` finds it."""
    log = os.path.join(cluster.dir, f"soak-etcd-{port}.log")
    proc = util.spawn(cluster.registry, argv, log, cwd=cwd)
    pid_dir = os.path.join(cluster.dir, "pids")
    for name in os.listdir(pid_dir) if os.path.isdir(pid_dir) else []:
        path = os.path.join(pid_dir, name)
        if util.read_pid_file(path) == old_pid:
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"{proc.pid}\n")
    util.poll(f"etcd :{port} healthy again", lambda: util.etcd_healthy(port), 60, 0.1)


def _leader_and_timeline(cluster):
    """(leader name, its timeline) from any agent's GET /cluster, or None."""
    for node in cluster.nodes:
        status, text = util.http("GET", node.api_port, "/cluster", timeout=1)
        if status != 200:
            continue
        for m in json.loads(text).get("members", []):
            if m.get("role") in ("leader", "master", "primary"):
                return m.get("name"), m.get("timeline")
    return None


def _cpu_busy():
    with open("/proc/stat", encoding="utf-8") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


def soak(cluster, writer_factory, seconds):
    """Returns ({metric: value}, extra)."""
    primary = cluster.wait_healthy(60)
    env = dict(os.environ, PGPASSWORD=cluster.app_password)
    base = ["pgbench", "-h", "127.0.0.1", "-U", APP_USER]
    subprocess.run(base + ["-p", str(cluster.ports.write), "-i", "-s", "10", "-q", APP_DB],
                   env=env, capture_output=True, timeout=300, check=True)
    cluster.wait_healthy(60)
    start = _leader_and_timeline(cluster)
    demotes0 = count_in_logs(cluster, DEMOTE_WORDS)
    writer = writer_factory("bench_soak", seconds + 120)
    loads = []
    for port, args in ((cluster.ports.write, ["-c", "6", "-j", "2"]),
                       (cluster.ports.read, ["-S", "-c", "4", "-j", "2"])):
        cmd = base + ["-p", str(port), "-n", "-T", str(seconds)] + args + [APP_DB]
        loads.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True,
                                      start_new_session=True))
        cluster.registry.add_pid(loads[-1].pid)
    kills, elections, changes, samples = 0, [], [], 0
    cpu0 = _cpu_busy()
    t_end = time.monotonic() + seconds
    rng = random.Random(20261123)
    last = start
    try:
        while time.monotonic() < t_end:
            pause_until = min(t_end, time.monotonic() + rng.uniform(*KILL_EVERY_S))
            while time.monotonic() < pause_until:  # watch the leader between two faults
                now = _leader_and_timeline(cluster)
                samples += 1
                if now and last and now != last:
                    changes.append({"from": last, "to": now, "at_s": round(seconds - (
                        t_end - time.monotonic()), 1)})
                last = now or last
                time.sleep(0.5)  # sampling cadence of the leader check
            if time.monotonic() >= t_end:
                break
            port = _etcd_leader_port(cluster.ports.etcd_clients())
            pid = _etcd_pid(port) if port else None
            if not pid:
                raise util.BenchError("soak: no etcd leader to kill")
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode() for a in f.read().rstrip(b"\0").split(b"\0")]
            cwd = os.readlink(f"/proc/{pid}/cwd")
            t_kill = time.monotonic()
            util.signal_pid(pid, 9)
            util.wait_gone([pid], 10)
            kills += 1
            others = [p for p in cluster.ports.etcd_clients() if p != port]
            util.poll("a new etcd leader", lambda o=others: _etcd_leader_port(o), 30, 0.05)
            elections.append(time.monotonic() - t_kill)
            _restart_etcd(cluster, argv, cwd, port, pid)
    finally:
        cpu1 = _cpu_busy()
        outs = []
        for p in loads:
            if p.poll() is None and time.monotonic() < t_end:
                p.terminate()
            out, err = p.communicate(timeout=seconds + 120)
            outs.append(out + err)
        summary = writer.stop()
    end = _leader_and_timeline(cluster)
    if end and last and end != last:
        changes.append({"from": last, "to": end, "at_s": seconds})
    tps = [float(m.group(1)) for o in outs
           for m in [re.search(r"tps = ([0-9.]+) \(without initial", o)] if m]
    total = cpu1[0] - cpu0[0]
    busy = 1.0 - (cpu1[1] - cpu0[1]) / total if total else None
    demotes = count_in_logs(cluster, DEMOTE_WORDS) - demotes0
    metrics = {"soak_minutes": seconds / 60, "soak_etcd_kills": kills,
               "soak_failovers": len(changes), "soak_demotes": demotes,
               "soak_lost": summary.get("lost"),
               "soak_gap_s": summary.get("longest_gap_ms", 0) / 1000,
               "soak_cpu_busy": busy}
    extra = {"soak_leader_changes": changes, "soak_start": start, "soak_end": end,
             "soak_etcd_elections_s": [round(e, 2) for e in elections],
             "soak_tps_write_read": tps, "soak_writer": summary, "soak_samples": samples,
             "soak_primary": primary.name}
    return metrics, extra


def count_in_logs(cluster, words):
    """Lines of the agents' logs (pgha.log / patroni.log) that mention any of `words`."""
    n = 0
    for path in cluster.logs():
        if not os.path.isfile(path) or path.endswith(".up.log"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            n += sum(1 for line in f if any(w in line.lower() for w in words))
    return n
