"""Shared helpers of the benchmark harness: process registry and cleanup, polling with
deadlines, /proc readings, PostgreSQL, REST and etcd probes. Loopback only."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import psycopg2

PG_BIN = "/usr/lib/postgresql/15/bin"
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A scenario or cluster step failed; the message says what and where to look."""


def now_ns():
    """CLOCK_MONOTONIC, the clock bench_writer stamps its acknowledgements with."""
    return time.monotonic_ns()


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def poll(what, fn, timeout, interval=0.1):
    """Calls fn() until it returns something truthy; BenchError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = fn()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - any probe failure means "not yet"
            last_exc = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_exc})" if last_exc else ""
            raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# Processes. Everything the harness starts is written to STATE/registry so that run.sh's trap
# can clean up even if this interpreter dies.

class Registry:
    def __init__(self, state_dir):
        self.path = os.path.join(state_dir, "registry")

    def add(self, kind, value):
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(f"{kind} {value}\n")

    def add_pid(self, pid):
        self.add("pid", f"{pid} {start_time(pid)}")

    def entries(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding="utf-8") as f:
            return [line.split(" ", 1) for line in f.read().splitlines() if " " in line]


def proc_stat(pid):
    """Fields of /proc/PID/stat after the command name (index 0 = state)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
        data = f.read()
    return data[data.rindex(")") + 2:].split()


def start_time(pid):
    try:
        return int(proc_stat(pid)[19])
    except (OSError, ValueError, IndexError):
        return 0


def alive(pid, started=None):
    """True if pid runs and (when given) is still the process that started at `started`."""
    try:
        st = proc_stat(pid)
    except OSError:
        return False
    if st[0] == "Z":
        return False
    return started is None or int(st[19]) == started


def children_map():
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            ppid = int(proc_stat(int(name))[1])
        except (OSError, ValueError, IndexError):
            continue
        out.setdefault(ppid, []).append(int(name))
    return out


def descendants(pid, cmap=None):
    cmap = cmap if cmap is not None else children_map()
    out, todo = [], list(cmap.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(cmap.get(p, []))
    return out


def exe_name(pid):
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return ""


def signal_pid(pid, sig):
    try:
        os.kill(pid, sig)
        return True
    except ProcessLookupError:
        return False


def wait_gone(pids, timeout):
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def identify(pids):
    """[(pid, start time)] so that a later stop never hits a reused pid."""
    return [(p, start_time(p)) for p in pids if alive(p)]


def stop_pids(pids, timeout=15.0, sig=signal.SIGTERM):
    """sig, wait up to timeout, then SIGKILL whatever is left. `pids`: ints (alive now) or
    (pid, start time) pairs from identify()."""
    pairs = [p if isinstance(p, tuple) else (p, start_time(p)) for p in pids]
    pids = [p for p, started in pairs if started and alive(p, started)]
    for p in pids:
        signal_pid(p, sig)
    if not wait_gone(pids, timeout):
        for p in pids:
            if alive(p):
                signal_pid(p, signal.SIGKILL)
        wait_gone(pids, 5)


def read_pid_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def postmaster_pid(data_dir):
    pid = read_pid_file(os.path.join(data_dir, "postmaster.pid"))
    return pid if pid and alive(pid) and exe_name(pid) == "postgres" else None


def spawn(registry, argv, log_path, user=None, cwd=None, env=None):
    """Starts a detached process (own session), output to log_path; registers its pid."""
    with open(log_path, "ab") as out:
        kwargs = {}
        if user:
            kwargs = {"user": user, "group": user, "extra_groups": []}
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                cwd=cwd, env=env, start_new_session=True, **kwargs)
    registry.add_pid(proc.pid)
    return proc


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


# ---------------------------------------------------------------------------------------------
# /proc measurements of an agent (the agent process plus its descendants that are not
# PostgreSQL, e.g. pgha's fencing guard).

def agent_pids(agent_pid):
    return [agent_pid] + [p for p in descendants(agent_pid) if exe_name(p) != "postgres"]


def cpu_ticks(pids):
    total = 0
    for p in pids:
        try:
            st = proc_stat(p)
            total += int(st[11]) + int(st[12])  # utime + stime
        except (OSError, ValueError, IndexError):
            pass
    return total


def memory_of(pids):
    """(rss_kb, pss_kb, threads, rss_anon_kb) summed over pids."""
    rss = pss = threads = anon = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("RssAnon:"):
                        anon += int(line.split()[1])
                    elif line.startswith("Threads:"):
                        threads += int(line.split()[1])
            with open(f"/proc/{p}/smaps_rollup", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss, threads, anon


def process_table(pids):
    """[{exe, rss_kb, rss_anon_kb, pss_kb, threads}] per process, for the notes."""
    out = []
    for p in pids:
        rss, pss, threads, anon = memory_of([p])
        out.append({"exe": exe_name(p), "rss_kb": rss, "rss_anon_kb": anon, "pss_kb": pss,
                    "threads": threads})
    return out


def loadavg():
    with open("/proc/loadavg", encoding="utf-8") as f:
        return float(f.read().split()[0])


# ---------------------------------------------------------------------------------------------
# Probes.

def http(method, port, path, body=None, timeout=2.0):
    """(status, text); status 0 when nothing answered."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except (urllib.error.URLError, OSError):
        return 0, ""


def pg_connect(socket_dir, port, user="postgres", dbname="postgres", timeout=1):
    """Over the node's unix socket (pg_hba: local trust); the harness's own probes."""
    conn = psycopg2.connect(host=socket_dir, port=port, user=user, dbname=dbname,
                            connect_timeout=timeout, application_name="bench")
    conn.autocommit = True
    return conn


def pg_query(socket_dir, port, sql, user="postgres", dbname="postgres"):
    conn = pg_connect(socket_dir, port, user, dbname)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def etcd_grpc_handled(ports):
    """Sum of grpc_server_handled_total over the members, and the same per method."""
    total, per_method = 0.0, {}
    for port in ports:
        status, text = http("GET", port, "/metrics", timeout=3)
        if status != 200:
            raise BenchError(f"etcd :{port}/metrics answered {status}")
        for line in text.splitlines():
            if not line.startswith("grpc_server_handled_total{"):
                continue
            labels, value = line.rsplit(" ", 1)
            method = labels.split('grpc_method="', 1)[1].split('"', 1)[0]
            total += float(value)
            per_method[method] = per_method.get(method, 0.0) + float(value)
    return total, per_method


def etcd_healthy(port):
    status, text = http("GET", port, "/health", timeout=1)
    return status == 200 and '"true"' in text.replace(" ", "")
