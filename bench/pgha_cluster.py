"""A pgha cluster for the benchmark: `pghactl local up` with a cluster.yaml that only moves the
ports; everything else (etcd flags, PostgreSQL parameters, pg_hba, HAProxy, timing) is what
`pghactl local` generates."""

import os
import re
import subprocess

import yaml

import util
from cluster import APP_DB, APP_USER, NODES, Cluster


def settings_defaults(repo):
    """pgha's built-in (ttl, loop_wait, retry_timeout) from src/ha/settings.h."""
    with open(os.path.join(repo, "src/ha/settings.h"), encoding="utf-8") as f:
        text = f.read()
    values = []
    for key in ("ttl", "loop_wait", "retry_timeout"):
        m = re.search(rf"\bint {key} = (\d+);", text)
        if not m:
            raise util.BenchError(f"cannot read {key} from src/ha/settings.h")
        values.append(int(m.group(1)))
    return tuple(values)


class PghaCluster(Cluster):
    system = "pgha"

    def __init__(self, base_dir, ports, app_password, repo, registry, pghactl):
        """pghactl: the binary to run; `pgha` next to it is the agent (a frozen copy)."""
        super().__init__(base_dir, ports, app_password)
        self.repo = repo
        self.pghactl = pghactl
        self.registry = registry
        self.up_proc = None
        self.up_log = base_dir + ".up.log"

    def _cluster_yaml(self):
        p = self.ports
        spec = {
            "name": "bench",
            "replicas": NODES,
            "postgres": {"username": APP_USER, "password": self.app_password, "database": APP_DB},
            "etcd": {"replicas": NODES},
            "ports": {"write": p.write, "read": p.read, "stats": p.stats, "postgres": p.postgres,
                      "api": p.api, "etcd_client": p.etcd_client, "etcd_peer": p.etcd_peer},
        }
        path = self.dir + ".cluster.yaml"
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(spec, f)
        return path

    def launch(self):
        """Starts `pghactl local up` (etcd, agents, HAProxy); returns its launch time."""
        cfg = self._cluster_yaml()
        self.registry.add("pghadir", self.dir)
        env = dict(os.environ, PGHA_LOCAL_TIMEOUT="150")
        t0 = util.now_ns()
        with open(self.up_log, "wb") as out:
            self.up_proc = subprocess.Popen(
                [self.pghactl, "local", "up", "-f", cfg, "--dir", self.dir],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
        return t0

    def finish_bootstrap(self, timeout):
        """Waits for `local up` to return (it also creates the app role and database)."""
        try:
            rc = self.up_proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.up_proc.kill()
            self.up_proc.wait()
            raise util.BenchError(f"pghactl local up did not return in {timeout} s") from exc
        if rc != 0:
            with open(self.up_log, encoding="utf-8", errors="replace") as f:
                tail = f.read()[-3000:]
            raise util.BenchError(f"pghactl local up failed (rc {rc}):\n{tail}")
        return util.now_ns()

    def agent_pid(self, node):
        pid = util.read_pid_file(os.path.join(self.dir, "pids", f"{node.name}.pid"))
        return pid if pid and util.alive(pid) else None

    def switchover(self, leader, candidate):
        return util.http("POST", leader.api_port, "/switchover",
                         {"leader": leader.name, "candidate": candidate.name}, timeout=30)

    def effective_timing(self):
        """The generated bootstrap.dcs if it sets the triple, else pgha's built-in defaults."""
        with open(os.path.join(self.dir, "node1", "pgha.yml"), encoding="utf-8") as f:
            dcs = (yaml.safe_load(f).get("bootstrap") or {}).get("dcs") or {}
        defaults = settings_defaults(self.repo)
        keys = ("ttl", "loop_wait", "retry_timeout")
        return tuple(int(dcs.get(k, d)) for k, d in zip(keys, defaults)), \
            {k: ("pgha.yml bootstrap.dcs" if k in dcs else "src/ha/settings.h") for k in keys}

    def logs(self):
        return [self.up_log] + [os.path.join(n.node_dir, "pgha.log") for n in self.nodes]

    def teardown(self):
        if self.up_proc and self.up_proc.poll() is None:
            self.up_proc.kill()
            self.up_proc.wait()
        destroy(self.pghactl, self.dir)


def destroy(pghactl, directory):
    """`pghactl local destroy --force`, then makes sure no process of the cluster is left."""
    pids_dir = os.path.join(directory, "pids")
    leftover = []
    if os.path.isdir(pids_dir):
        for name in os.listdir(pids_dir):
            pid = util.read_pid_file(os.path.join(pids_dir, name))
            if pid:
                leftover.append(pid)
    postmasters = [util.postmaster_pid(os.path.join(directory, f"node{i}", "data"))
                   for i in range(1, NODES + 1)]
    leftover += [p for p in postmasters if p]
    cmap = util.children_map()
    for p in list(leftover):
        leftover += util.descendants(p, cmap)  # pgha's fencing guard, postgres backends
    leftover = util.identify(leftover)
    if os.path.exists(os.path.join(directory, "cluster.json")):
        subprocess.run([pghactl, "local", "destroy", "--force", "--dir", directory],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=90, check=False)
    util.stop_pids(leftover, timeout=10)
