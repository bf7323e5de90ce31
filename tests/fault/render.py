#!/usr/bin/python3
"""Per-host configuration for the fault suite, in the Patroni format `pghactl local up` renders
(src/local/render.cc): one pgha.yml per host, haproxy.cfg for the client namespace, and the
etcd command line of each member. Standard library only.

usage: render.py DIR [pgha|patroni] [async|sync] [TTL]
       render.py --timing-event [TTL]
  writes DIR/hN/pgha.yml (or patroni.yml), DIR/hN/etcd.args, DIR/haproxy.cfg;
  --timing-event prints the timing both systems run at, as one line of run.sh's events.jsonl

Patroni gets the same file with pgha's default timing written into bootstrap.dcs (read from
src/ha/settings.h, so both systems run at equal settings) and `watchdog: off` (pgha has no
watchdog device here either). With TTL (run.sh --ttl) both systems get ttl TTL, loop_wait 1 and
retry_timeout TTL/4 (at least 2) written out: Patroni 4 accepts no ttl below 20.
"""
import json
import os
import re
import sys

SUBNET = "10.77.0"
HOSTS = ["h1", "h2", "h3"]
CLIENT = SUBNET + ".20"
PG_PORT, API_PORT, ETCD_CLIENT, ETCD_PEER = 5432, 8008, 2379, 2380
WRITE_PORT, READ_PORT, STATS_PORT = 5000, 5001, 7000
PASSWORDS = {"postgres": "pgha-fault-su", "replicator": "pgha-fault-repl",
             "rewind_user": "pgha-fault-rw"}


def addr(host):
    return "%s.1%s" % (SUBNET, host[1:])


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    s = str(v)
    plain = re.fullmatch(r"[A-Za-z_/][A-Za-z0-9_./+@-]*", s) and s.lower() not in (
        "true", "false", "yes", "no", "on", "off", "y", "n", "null")
    return s if plain else json.dumps(s)


def yaml(v, indent=0):
    """Block YAML, as ToYaml in local_render.cc writes it."""
    pad, out = " " * indent, []
    if isinstance(v, dict):
        for k, item in v.items():
            if isinstance(item, (dict, list)) and item:
                out.append("%s%s:\n%s" % (pad, scalar(k), yaml(item, indent + 2)))
            else:
                out.append("%s%s: %s\n" % (pad, scalar(k), "{}" if item == {} else
                                            "[]" if item == [] else scalar(item)))
    else:
        for item in v:
            if isinstance(item, (dict, list)) and item:
                nested = yaml(item, indent + 2)
                out.append(nested[:indent] + "- " + nested[indent + 2:])
            else:
                out.append("%s- %s\n" % (pad, scalar(item)))
    return "".join(out)


def pg_hba():
    net = SUBNET + ".0/24"
    return ["local all all trust",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host all all %s scram-sha-256" % net,
            "host replication replicator %s scram-sha-256" % net]


def pgha_timing():
    """pgha's built-in (ttl, loop_wait, retry_timeout) from src/ha/settings.h."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "ha",
                        "settings.h")
    with open(path) as f:
        text = f.read()
    out = {}
    for key in ("ttl", "loop_wait", "retry_timeout"):
        m = re.search(r"\bint %s = (\d+);" % key, text)
        if not m:
            sys.exit("render.py: cannot read %s from %s" % (key, path))
        out[key] = int(m.group(1))
    return out


def timing(ttl=None):
    """(timing, written): what both systems run at, and whether the files must say it."""
    if ttl is None:
        return pgha_timing(), False
    return {"ttl": ttl, "loop_wait": 1, "retry_timeout": max(2, ttl // 4)}, True


def agent_config(host, base, system="pgha", sync=False, ttl=None):
    a = addr(host)
    role = lambda u: {"username": u, "password": PASSWORDS[u]}
    dcs_params = {"wal_level": "replica", "hot_standby": "on", "max_wal_senders": 10,
                  "max_replication_slots": 10, "wal_log_hints": "on",
                  "wal_keep_size": "128MB", "max_worker_processes": "8",
                  "max_connections": 50}
    dcs = {"maximum_lag_on_failover": 1048576,
           "postgresql": {"use_pg_rewind": True, "use_slots": True, "parameters": dcs_params}}
    if sync:
        dcs["synchronous_mode"] = True
    times, written = timing(ttl)
    if system == "patroni" or written:
        dcs = dict(times, **dcs)
    conf = {
        "scope": "fault",
        "namespace": "/service",
        "name": host,
        "restapi": {"listen": "%s:%d" % (a, API_PORT), "connect_address": "%s:%d" % (a, API_PORT)},
        "etcd3": {"hosts": ["%s:%d" % (addr(h), ETCD_CLIENT) for h in HOSTS]},
        # pgha without --ttl: ttl / loop_wait / retry_timeout left out, as local_render.cc
        # does: pgha's defaults (docs/timing.md) apply. Patroni: the same values, written out.
        "bootstrap": {
            "dcs": dcs,
            "initdb": [{"encoding": "UTF8"}, "data-checksums"],
            "pg_hba": pg_hba(),
        },
        "postgresql": {
            "listen": "%s:%d" % (a, PG_PORT),
            "connect_address": "%s:%d" % (a, PG_PORT),
            # disk/ is the host's data disk: a size-limited tmpfs run.sh mounts (disk-full)
            "data_dir": os.path.join(base, host, "disk", "data"),
            "bin_dir": "/usr/lib/postgresql/15/bin",
            "authentication": {"superuser": role("postgres"), "replication": role("replicator"),
                               "rewind": role("rewind_user")},
            "parameters": {"unix_socket_directories": os.path.join(base, host),
                           "shared_buffers": "32MB",
                           "max_parallel_workers": "1", "max_parallel_workers_per_gather": "0"},
            "pg_hba": pg_hba(),
        },
        "tags": {},
    }
    if system == "patroni":
        conf["watchdog"] = {"mode": "off"}
    return conf


def etcd_args(host, base):
    a = addr(host)
    initial = ",".join("%s=http://%s:%d" % (h, addr(h), ETCD_PEER) for h in HOSTS)
    client, peer = "http://%s:%d" % (a, ETCD_CLIENT), "http://%s:%d" % (a, ETCD_PEER)
    return ["--name", host, "--data-dir", os.path.join(base, host, "etcd"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initial, "--initial-cluster-state", "new",
            "--initial-cluster-token", "pgha-fault",
            "--heartbeat-interval", "100", "--election-timeout", "1000", "--pre-vote=true",
            "--auto-compaction-mode", "periodic", "--auto-compaction-retention", "1h",
            "--logger", "zap", "--log-outputs", os.path.join(base, host, "etcd.log")]


def haproxy_cfg():
    def servers():
        return "".join("    server %s %s:%d maxconn 100 check port %d\n" % (h, addr(h), PG_PORT,
                                                                            API_PORT)
                       for h in HOSTS)
    ds = ("    default-server inter 500ms fastinter 100ms downinter 100ms fall 2 rise 1 "
          "on-marked-down shutdown-sessions\n")
    return ("global\n    maxconn 1000\n\n"
            "defaults\n    mode tcp\n    retries 3\n    option redispatch\n"
            "    timeout connect 200ms\n    timeout client 30m\n    timeout server 30m\n"
            "    timeout check 2s\n\n"
            "listen stats\n    mode http\n    bind %s:%d\n    stats enable\n    stats uri /\n\n"
            "listen primary\n    bind %s:%d\n    option httpchk OPTIONS /primary\n"
            "    http-check expect status 200\n%s%s\n"
            "listen replicas\n    bind %s:%d\n    balance roundrobin\n"
            "    option httpchk OPTIONS /replica\n    http-check expect status 200\n%s%s"
            % (CLIENT, STATS_PORT, CLIENT, WRITE_PORT, ds, servers(), CLIENT, READ_PORT, ds,
               servers()))


def ttl_arg(args, i):
    if len(args) <= i:
        return None
    if not re.fullmatch(r"[0-9]{1,2}", args[i]) or not 5 <= int(args[i]) <= 60:
        sys.exit("render.py: TTL must be whole seconds 5-60, not %r" % args[i])
    return int(args[i])


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--timing-event":
        if len(sys.argv) > 3:
            sys.exit(__doc__)
        print(json.dumps(dict(timing(ttl_arg(sys.argv, 2))[0], ev="timing")))
        return
    if len(sys.argv) < 2 or len(sys.argv) > 5:
        sys.exit(__doc__)
    base = os.path.abspath(sys.argv[1])
    system = sys.argv[2] if len(sys.argv) > 2 else "pgha"
    mode = sys.argv[3] if len(sys.argv) > 3 else "async"
    ttl = ttl_arg(sys.argv, 4)
    if system not in ("pgha", "patroni") or mode not in ("async", "sync"):
        sys.exit("render.py: unknown system %r or mode %r\n%s" % (system, mode, __doc__))
    for h in HOSTS:
        os.makedirs(os.path.join(base, h), exist_ok=True)
        with open(os.path.join(base, h, system + ".yml"), "w") as f:
            f.write("# Written by tests/fault/render.py for %s.\n" % h +
                    yaml(agent_config(h, base, system, mode == "sync", ttl)))
        with open(os.path.join(base, h, "etcd.args"), "w") as f:
            f.write("\n".join(etcd_args(h, base)) + "\n")
    with open(os.path.join(base, "haproxy.cfg"), "w") as f:
        f.write(haproxy_cfg())


if __name__ == "__main__":
    main()
