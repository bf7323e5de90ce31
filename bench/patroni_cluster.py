#!/usr/bin/python3
"""A Patroni 3.0.2 cluster laid out exactly like `pghactl local`'s: 3 etcd members started with
the same flags, 3 Patroni nodes (as the `postgres` OS user) with the same PostgreSQL parameters,
pg_hba, initdb options and roles, and the same HAProxy configuration. Only the ports and
(optionally) ttl / loop_wait / retry_timeout differ.

Standalone use (for debugging the runner):
  bench/patroni_cluster.py up --dir /tmp/p [--timing 10,1,3]   # returns with the cluster running
  bench/patroni_cluster.py down --dir /tmp/p
"""

import argparse
import json
import os
import pwd
import secrets
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import util  # noqa: E402
from cluster import APP_DB, APP_USER, NODES, Cluster, Ports  # noqa: E402

PATRONI = "/usr/bin/patroni"
ETCD = "/usr/bin/etcd"
HAPROXY = "/usr/sbin/haproxy"
PG_USER = "postgres"

# What `pghactl local` writes (src/local/render.cc), kept in step by hand; bench.py diffs
# the rendered HAProxy file against pgha's and the non-default pg_settings of both clusters.
PG_HBA = ["local all all trust", "host all all 127.0.0.1/32 scram-sha-256",
          "host replication replicator 127.0.0.1/32 scram-sha-256",
          "host all all ::1/128 scram-sha-256"]
DCS_PARAMETERS = {"wal_level": "replica", "hot_standby": "on", "max_wal_senders": 10,
                  "max_replication_slots": 10, "wal_log_hints": "on", "wal_keep_size": "128MB"}


def render_haproxy(ports, nodes):
    """Byte for byte RenderHaproxyCfg() of src/local/render.cc, for our ports."""
    def servers():
        return "".join(f"    server {n.name} 127.0.0.1:{n.pg_port} maxconn 100 check port "
                       f"{n.api_port}\n" for n in nodes)
    return (
        "# Written by `pghactl local up` for cluster bench; rewritten on every up.\n"
        "global\n    maxconn 1000\n    log stderr format iso local0 notice\n\n"
        "defaults\n    mode tcp\n    log global\n    retries 3\n    option redispatch\n"
        "    timeout connect 200ms\n"
        "    timeout client 30m\n    timeout server 30m\n    timeout check 2s\n\n"
        f"listen stats\n    mode http\n    bind 127.0.0.1:{ports.stats}\n"
        "    stats enable\n    stats uri /\n    stats refresh 5s\n\n"
        f"listen primary\n    bind 127.0.0.1:{ports.write}\n"
        "    option httpchk OPTIONS /primary\n    http-check expect status 200\n"
        "    default-server inter 500ms fastinter 100ms downinter 100ms fall 2 rise 1 "
        "on-marked-down shutdown-sessions\n"
        + servers()
        + f"\nlisten replicas\n    bind 127.0.0.1:{ports.read}\n"
        "    balance roundrobin\n    option httpchk OPTIONS /replica\n"
        "    http-check expect status 200\n"
        "    default-server inter 500ms fastinter 100ms downinter 100ms fall 2 rise 1 "
        "on-marked-down shutdown-sessions\n"
        + servers())


def etcd_args(ports, base_dir, j, token):
    """EtcdArgs() of src/local/render.cc for member j (1-based)."""
    clients, peers = ports.etcd_clients(), ports.etcd_peers()
    initial = ",".join(f"m{k + 1}=http://127.0.0.1:{peers[k]}" for k in range(NODES))
    client, peer = f"http://127.0.0.1:{clients[j - 1]}", f"http://127.0.0.1:{peers[j - 1]}"
    edir = os.path.join(base_dir, "etcd", f"m{j}")
    return [ETCD, "--name", f"m{j}", "--data-dir", os.path.join(edir, "data"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initial, "--initial-cluster-state", "new",
            "--initial-cluster-token", token, "--heartbeat-interval", "100",
            "--election-timeout", "1000", "--pre-vote=true",
            "--experimental-watch-progress-notify-interval=50ms",  # same etcd as pgha's
            "--auto-compaction-mode", "periodic",
            "--auto-compaction-retention", "1h", "--logger", "zap",
            "--log-outputs", os.path.join(edir, "etcd.log")]


class PatroniCluster(Cluster):
    system = "patroni"

    def __init__(self, base_dir, ports, app_password, registry, timing=None):
        """timing: (ttl, loop_wait, retry_timeout) written to bootstrap.dcs; None = Patroni's
        own defaults (the keys are left out)."""
        super().__init__(base_dir, ports, app_password)
        self.registry = registry
        self.timing = timing
        self.procs = {}  # name -> Popen
        self.roles = {"superuser": {"username": "postgres", "password": secrets.token_hex(12)},
                      "replication": {"username": "replicator",
                                      "password": secrets.token_hex(12)},
                      "rewind": {"username": "rewind_user", "password": secrets.token_hex(12)}}
        self.pw = pwd.getpwnam(PG_USER)

    # -- files ------------------------------------------------------------------------------

    def node_config(self, node):
        hosts = [f"127.0.0.1:{p}" for p in self.ports.etcd_clients()]
        dcs = {"maximum_lag_on_failover": 1048576,
               "postgresql": {"use_pg_rewind": True, "use_slots": True,
                              "parameters": dict(DCS_PARAMETERS)}}
        if self.timing:
            dcs = {"ttl": self.timing[0], "loop_wait": self.timing[1],
                   "retry_timeout": self.timing[2], **dcs}
        addr = f"127.0.0.1:{node.pg_port}"
        api = f"127.0.0.1:{node.api_port}"
        return {
            "scope": "bench", "namespace": "/service", "name": node.name,
            "restapi": {"listen": api, "connect_address": api},
            "etcd3": {"hosts": hosts},
            "bootstrap": {"dcs": dcs, "initdb": [{"encoding": "UTF8"}, "data-checksums"],
                          "pg_hba": PG_HBA},
            "postgresql": {
                "listen": addr, "connect_address": addr, "data_dir": node.data_dir,
                "bin_dir": util.PG_BIN, "pgpass": os.path.join(node.node_dir, "pgpass"),
                "authentication": self.roles,
                "parameters": {"unix_socket_directories": node.node_dir},
                "pg_hba": PG_HBA},
            "tags": {},
            # No /dev/watchdog on these machines, and pgha has none either: say so explicitly.
            "watchdog": {"mode": "off"},
        }

    def prepare(self):
        os.makedirs(self.dir, mode=0o755)
        os.chmod(self.dir, 0o755)
        for j in range(1, NODES + 1):
            os.makedirs(os.path.join(self.dir, "etcd", f"m{j}"))
        for node in self.nodes:
            self.registry.add("pgdata", node.data_dir)
            os.makedirs(node.node_dir, mode=0o700)
            with open(os.path.join(node.node_dir, "patroni.yml"), "w", encoding="utf-8") as f:
                json.dump(self.node_config(node), f, indent=1)  # JSON is YAML
            for root, dirs, files in os.walk(node.node_dir):
                for name in dirs + files + [""]:
                    os.chown(os.path.join(root, name), self.pw.pw_uid, self.pw.pw_gid)
        with open(os.path.join(self.dir, "haproxy.cfg"), "w", encoding="utf-8") as f:
            f.write(render_haproxy(self.ports, self.nodes))

    def agent_env(self):
        env = dict(os.environ)
        env.update(HOME=self.pw.pw_dir, USER=PG_USER, LOGNAME=PG_USER)
        return env

    # -- lifecycle ----------------------------------------------------------------------------

    def launch(self):
        """etcd one by one → (healthy) → Patroni ×3 → HAProxy, as `pghactl local up` orders it."""
        t0 = util.now_ns()
        for j in range(1, NODES + 1):
            self.procs[f"etcd{j}"] = util.spawn(
                self.registry, etcd_args(self.ports, self.dir, j, "pgha-bench-patroni"),
                os.path.join(self.dir, "etcd", f"m{j}", "etcd.out"))
            # One member after the other, each once its peer port serves (WaitEtcdServing).
            peer = self.ports.etcd_peers()[j - 1]
            util.poll(f"etcd peer :{peer} serving",
                      lambda p=peer: util.http("GET", p, "/members", timeout=1)[0] == 200, 30, 0.02)
        for port in self.ports.etcd_clients():
            util.poll(f"etcd :{port} healthy", lambda p=port: util.etcd_healthy(p), 30, 0.05)
        for node in self.nodes:
            self.procs[node.name] = util.spawn(
                self.registry, [PATRONI, os.path.join(node.node_dir, "patroni.yml")],
                os.path.join(node.node_dir, "patroni.log"), user=PG_USER, cwd=node.node_dir,
                env=self.agent_env())
        self.procs["haproxy"] = util.spawn(
            self.registry, [HAPROXY, "-db", "-f", os.path.join(self.dir, "haproxy.cfg")],
            os.path.join(self.dir, "haproxy.log"))
        util.poll("haproxy stats page", lambda: util.http("GET", self.ports.stats, "/")[0] == 200,
                  10, 0.05)
        return t0

    def finish_bootstrap(self, timeout):
        """Creates the application role and database like `pghactl local up` does."""
        primary = self.wait_healthy(timeout)
        conn = util.pg_connect(primary.node_dir, primary.pg_port)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_USER,))
                if not cur.fetchall():
                    cur.execute(f"CREATE ROLE {APP_USER} LOGIN PASSWORD %s",
                                (self.app_password,))
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (APP_DB,))
                if not cur.fetchall():
                    cur.execute(f"CREATE DATABASE {APP_DB} OWNER {APP_USER}")
        finally:
            conn.close()
        return util.now_ns()

    def agent_pid(self, node):
        proc = self.procs.get(node.name)
        return proc.pid if proc and proc.poll() is None else None

    def switchover(self, leader, candidate):
        return util.http("POST", leader.api_port, "/switchover",
                         {"leader": leader.name, "candidate": candidate.name}, timeout=60)

    def effective_timing(self):
        return (self.timing or (30, 10, 10)), {k: ("bootstrap.dcs" if self.timing else
                                                   "Patroni default")
                                               for k in ("ttl", "loop_wait", "retry_timeout")}

    def logs(self):
        return [os.path.join(n.node_dir, "patroni.log") for n in self.nodes]

    def teardown(self):
        """SIGTERM to Patroni (it stops PostgreSQL), then whatever is left; etcd and HAProxy."""
        agents = [self.procs[n.name] for n in self.nodes if n.name in self.procs]
        postmasters = [util.postmaster_pid(n.data_dir) for n in self.nodes]
        cmap = util.children_map()
        roots = [p.pid for p in agents if p.poll() is None] + [p for p in postmasters if p]
        everything = util.identify(roots + [d for r in roots for d in util.descendants(r, cmap)])
        util.stop_pids([p.pid for p in agents if p.poll() is None], timeout=30)
        util.stop_pids(everything, timeout=10)
        others = [p for name, p in self.procs.items() if not name.startswith("node")]
        util.stop_pids([p.pid for p in others if p.poll() is None], timeout=10)
        for p in self.procs.values():
            if p.poll() is None:
                p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["up", "down"])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--timing", help="ttl,loop_wait,retry_timeout (default: Patroni's own)")
    ap.add_argument("--port-offset", type=int, default=20000,
                    help="added to pghactl local's default ports (default 20000)")
    args = ap.parse_args()
    directory = os.path.abspath(args.dir)
    if args.action == "down":
        import bench  # noqa: PLC0415 - the generic registry cleanup lives there
        bench.cleanup_state(directory)
        return 0
    o = args.port_offset
    ports = Ports(5432 + o, 5433 + o, 7000 + o, 5440 + o, 8008 + o, 2379 + o, 2380 + o)
    busy = [p for p in ports.all() if not util.port_free(p)]
    if busy:
        print(f"ports in use: {busy}", file=sys.stderr)
        return 1
    os.makedirs(directory, exist_ok=True)
    registry = util.Registry(directory)
    timing = tuple(int(x) for x in args.timing.split(",")) if args.timing else None
    cluster = PatroniCluster(os.path.join(directory, "cluster"), ports, secrets.token_hex(8),
                             registry, timing)
    cluster.prepare()
    cluster.launch()
    cluster.finish_bootstrap(120)
    print(f"up: write 127.0.0.1:{ports.write}, read :{ports.read}, REST :{ports.api}.., "
          f"app password {cluster.app_password}; stop with: {sys.argv[0]} down --dir {args.dir}")
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
