"""The host-death scenario: pgha and Patroni on three hosts with their own addresses (the fault
suite's network namespaces, tests/fault), because a host that silently disappears cannot be
shown on loopback. Each round: the leader's host dies (every packet dropped and every process
frozen at once; powered off and booted again once another leader is seen), first with etcd's
raft leader on another host, then with it on the dying host (etcd's new leader then extends every
lease by its election); then kill -9 of the leader's agent and PostgreSQL on a live host. Both in asynchronous and synchronous mode.
The figures are tests/fault/check.py's, read from the history the harness recorded."""

import json
import os
import subprocess

import util

# (fault name in the harness, metric prefix)
FAULTS = (("host-death", "host_death"), ("host-death-etcd-leader", "host_death_etcd"),
          ("kill9-primary", "ns_kill9"))


def run_harness(repo, bin_dir, system, sync, rounds, out_json, log_path):
    """tests/fault/run.sh --bench; returns (figures, error text or None)."""
    cmd = ["bash", os.path.join(repo, "tests/fault/run.sh"), "--bench", str(rounds),
           "--system", system, "--json", out_json] + (["--sync"] if sync else [])
    env = dict(os.environ, PGHA_BIN_DIR=bin_dir)
    # bring-up, each fault bounded by the harness (6 x ttl + 90 s convergence), the final checks
    timeout = 300 + rounds * 3 * 150
    with open(log_path, "wb") as log:
        try:
            rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env, timeout=timeout,
                                check=False).returncode
        except subprocess.TimeoutExpired:
            return [], f"tests/fault/run.sh did not finish in {timeout} s (log: {log_path})"
    figures = []
    if os.path.exists(out_json):
        with open(out_json, encoding="utf-8") as f:
            figures = json.load(f)
    if rc == 77:
        return figures, f"tests/fault/run.sh skipped (exit 77; log: {log_path})"
    if rc != 0:
        failed = [f"{x['name']}: {'; '.join(x.get('reasons') or ['overall'])}"
                  for x in figures if not x.get("ok")]
        return figures, (f"tests/fault/run.sh exit {rc}: " + (", ".join(failed) or "no figures")
                         + f" (log: {log_path})")
    return figures, None


def metrics_by_round(figures, sync):
    """[{metric: value}] per round, in the order the harness ran the faults."""
    pre = "sync_" if sync else ""
    rounds = {}
    seen = {name: 0 for name, _ in FAULTS}
    for fig in figures:
        for name, key in FAULTS:
            if fig.get("name") != name:
                continue
            r = seen[name]
            seen[name] += 1
            m = rounds.setdefault(r, {})
            m[f"{pre}{key}_rto_s"] = fig.get("rto")
            m[f"{pre}{key}_lost"] = (fig.get("lost") or 0) + (fig.get("async_lost") or 0)
            m[f"{pre}{key}_dual"] = fig.get("dual")
            m[f"{pre}{key}_late"] = fig.get("late")
    return [rounds[r] for r in sorted(rounds)]


def run(repo, bin_dir, work_dir, systems, rounds):
    """systems: [(label, "pgha" | "patroni")]. Returns {label: ([metrics per round], errors)}."""
    out = {}
    for sync in (False, True):
        for label, system in systems:
            mode = "sync" if sync else "async"
            util.log(f"host-death: {label} ({system}, {mode}), {rounds} round(s)")
            base = os.path.join(work_dir, f"fault-{system}-{mode}")
            figures, err = run_harness(repo, bin_dir, system, sync, rounds, base + ".json",
                                       base + ".log")
            per_round, errors = out.setdefault(label, ([], []))
            for r, m in enumerate(metrics_by_round(figures, sync)):
                while len(per_round) <= r:
                    per_round.append({})
                per_round[r].update(m)
            if err:
                errors.append(f"{mode}: {err}")
    return out
