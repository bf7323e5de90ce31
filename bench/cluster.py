"""What both benchmarked clusters have in common: the node layout, the observation "who is
primary and how many replicas stream" (read from PostgreSQL itself, identically for both
systems), agent pids, and the power-loss / crash faults."""

import os
import signal
import time
from dataclasses import dataclass

import util

NODES = 3
APP_USER = "app"
APP_DB = "app"


@dataclass
class Ports:
    """One cluster's ports (member/node i adds to the bases like `pghactl local` does)."""
    write: int
    read: int
    stats: int
    postgres: int  # node i: postgres + i - 1
    api: int  # node i: api + i - 1
    etcd_client: int  # member j: etcd_client + 100 * (j - 1)
    etcd_peer: int

    def pg(self, i):
        return self.postgres + i - 1

    def rest(self, i):
        return self.api + i - 1

    def etcd_clients(self):
        return [self.etcd_client + 100 * j for j in range(NODES)]

    def etcd_peers(self):
        return [self.etcd_peer + 100 * j for j in range(NODES)]

    def all(self):
        return ([self.write, self.read, self.stats] + [self.pg(i) for i in range(1, NODES + 1)]
                + [self.rest(i) for i in range(1, NODES + 1)] + self.etcd_clients()
                + self.etcd_peers())


@dataclass
class Node:
    index: int
    name: str
    pg_port: int
    api_port: int
    node_dir: str  # holds the unix socket
    data_dir: str


class Cluster:
    """Base class; subclasses implement launch/finish_bootstrap/agent_pid/teardown/logs."""
    system = "?"

    def __init__(self, base_dir, ports, app_password):
        self.dir = base_dir
        self.ports = ports
        self.app_password = app_password
        self.nodes = [Node(i, f"node{i}", ports.pg(i), ports.rest(i),
                           os.path.join(base_dir, f"node{i}"),
                           os.path.join(base_dir, f"node{i}", "data"))
                      for i in range(1, NODES + 1)]

    # -- observation ------------------------------------------------------------------------

    def node_state(self, node):
        """(in_recovery, streaming replicas) or None when PostgreSQL does not answer."""
        try:
            rows = util.pg_query(node.node_dir, node.pg_port,
                                 "SELECT pg_is_in_recovery(), (SELECT count(*) FROM "
                                 "pg_stat_replication WHERE state = 'streaming' "
                                 "AND application_name <> 'pgha_commit_gate')")
        except Exception:  # noqa: BLE001 - not up (yet)
            return None
        return rows[0][0], rows[0][1]

    def streaming_primary(self):
        """The node that is primary with all other nodes streaming from it, else None."""
        primaries = []
        for node in self.nodes:
            st = self.node_state(node)
            if st is not None and not st[0]:
                primaries.append((node, st[1]))
        if len(primaries) == 1 and primaries[0][1] == NODES - 1:
            return primaries[0][0]
        return None

    def healthy_primary(self):
        """streaming_primary() that its agent also reports as primary (what HAProxy routes by)."""
        node = self.streaming_primary()
        if node is None:
            return None
        status, _ = util.http("GET", node.api_port, "/primary", timeout=1)
        return node if status == 200 else None

    def wait_healthy(self, timeout):
        return util.poll(f"{self.system}: a primary with {NODES - 1} streaming replicas",
                         self.healthy_primary, timeout, interval=0.2)

    # -- agents and faults ------------------------------------------------------------------

    def agent_pid(self, node):
        raise NotImplementedError

    def agent_pids(self, node):
        pid = self.agent_pid(node)
        return util.agent_pids(pid) if pid else []

    def kill_node(self, node):
        """SIGKILL of the agent and of the postmaster and its children, at once, on a live host.
        pgha's fencing guard is a process of its own (like a supervisor's) and lives on: that it
        outlives its agent is the point of it. A host that loses every process is the host-death
        scenario. Returns the CLOCK_MONOTONIC time of the kill."""
        cmap = util.children_map()
        agent = self.agent_pid(node)
        pm = util.postmaster_pid(node.data_dir)
        victims = []
        if agent:
            victims.append(agent)
        if pm:
            victims.append(pm)
        for root in list(victims):
            victims += [p for p in util.descendants(root, cmap)
                        if p not in victims and util.exe_name(p) != "pgha-fence-guard"]
        if not agent or not pm:
            raise util.BenchError(f"{self.system} {node.name}: agent pid {agent}, postmaster {pm}")
        t = util.now_ns()
        for p in victims:
            util.signal_pid(p, signal.SIGKILL)
        util.wait_gone([agent, pm], 5)
        return t

    def crash_postgres(self, node):
        """SIGKILL of the postmaster only; the agent lives on."""
        pm = util.postmaster_pid(node.data_dir)
        if not pm:
            raise util.BenchError(f"{self.system} {node.name}: no postmaster")
        t = util.now_ns()
        util.signal_pid(pm, signal.SIGKILL)
        return t

    def agent_start_ns(self):
        """CLOCK_MONOTONIC time at which the first agent process started (from /proc)."""
        offset = time.clock_gettime_ns(time.CLOCK_BOOTTIME) - time.monotonic_ns()
        starts = []
        for node in self.nodes:
            pid = self.agent_pid(node)
            if pid:
                starts.append(util.start_time(pid) * 1_000_000_000 // util.CLK_TCK - offset)
        return min(starts) if starts else None

    def switchover(self, leader, candidate):
        raise NotImplementedError

    def logs(self):
        raise NotImplementedError

    def effective_timing(self):
        """(ttl, loop_wait, retry_timeout) the agents run with."""
        raise NotImplementedError
