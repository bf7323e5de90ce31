#!/usr/bin/python3
"""Writers for the fault suite (run in the client namespace). Each insert carries a unique id and
is recorded as one JSONL line {"src", "id", "sent", "ack", "node", "res", "err"}:
  res "ok"   acknowledged (ack = time the commit returned, node = the server that acknowledged)
      "fail" certainly not applied (the connection could not be made, or the server refused)
      "info" indeterminate (the connection broke after the statement was sent)
Modes:
  lb HOST PORT       one client inserting through HAProxy's write port
  direct HOST...     one thread per node, each inserting straight into its node whenever that
                     node says it is not in recovery (whichever node claims to be primary)
  read HOST PORT     a reader through HAProxy's read port: a new connection every 0.1 s (the
                     port balances per connection), one JSONL line per read {"src": "read",
                     "t", "node", "recovery", "max_id", "res", "err"}: which node answered,
                     whether it said it was a replica, and the highest id it had
Common trailing arguments: OUT.jsonl STOP_FILE MAX_SECONDS. Stops by itself.
Commits are never cancelled (no statement_timeout): a cancelled commit can be acknowledged
locally and still be lost.
"""
import itertools
import json
import os
import sys
import threading
import time

import psycopg2
import psycopg2.errors

PASSWORD = "pgha-fault-su"
PERIOD = 0.02  # about 50 writes a second per client
_lock = threading.Lock()


def connect(host, port):
    c = psycopg2.connect(host=host, port=port, dbname="postgres", user="postgres",
                         password=PASSWORD, connect_timeout=1, keepalives=1, keepalives_idle=1,
                         keepalives_interval=1, keepalives_count=2, tcp_user_timeout=2000)
    c.autocommit = True
    return c


def record(f, rec):
    with _lock:
        f.write(json.dumps(rec) + "\n")


def client(src, host, port, ids, f, stop, deadline, only_if_primary):
    conn = None
    while time.monotonic() < deadline and not os.path.exists(stop):
        time.sleep(PERIOD)
        try:
            if conn is None:
                conn = connect(host, port)
            if only_if_primary:
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_is_in_recovery()")
                    if cur.fetchone()[0]:
                        time.sleep(0.1)
                        continue
        except Exception:
            conn = None
            time.sleep(0.1)
            continue
        with _lock:
            i = next(ids)
        rec = {"src": src, "id": i, "sent": round(time.time(), 4), "ack": None, "node": None,
               "res": "info", "err": None}
        try:
            with conn.cursor() as cur:
                cur.execute("INSERT INTO acks (id, src) VALUES (%s, %s) "
                            "RETURNING host(inet_server_addr())", (i, src))
                rec["node"] = "h" + cur.fetchone()[0].rsplit(".", 1)[1][1:]
            rec["ack"], rec["res"] = round(time.time(), 4), "ok"
        except psycopg2.Error as e:
            # A server-side refusal (read-only, shutting down with an error reply) is a definite
            # failure; a broken connection after sending leaves the outcome unknown.
            rec["err"] = (str(e).strip().splitlines() or ["?"])[0][:120]
            rec["res"] = "fail" if (e.pgcode and conn.closed == 0) else "info"
            if conn.closed or rec["res"] == "info":
                try:
                    conn.close()
                except Exception:
                    pass
                conn = None
        record(f, rec)


def reader(host, port, f, stop, deadline):
    while time.monotonic() < deadline and not os.path.exists(stop):
        time.sleep(0.1)
        rec = {"src": "read", "t": round(time.time(), 4), "node": None, "recovery": None,
               "max_id": None, "res": "fail", "err": None}
        try:
            conn = connect(host, port)
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT host(inet_server_addr()), pg_is_in_recovery(), "
                                "(SELECT max(id) FROM acks WHERE src = 'lb')")
                    addr, rec["recovery"], rec["max_id"] = cur.fetchone()
                    rec["node"] = "h" + addr.rsplit(".", 1)[1][1:]
                    rec["res"] = "ok"
            finally:
                conn.close()
        except Exception as e:
            rec["err"] = (str(e).strip().splitlines() or ["?"])[0][:120]
        record(f, rec)


def main():
    mode = sys.argv[1]
    out, stop, max_s = sys.argv[-3:]
    deadline = time.monotonic() + float(max_s)
    with open(out, "a", buffering=1) as f:
        if mode == "read":
            reader(sys.argv[2], int(sys.argv[3]), f, stop, deadline)
            return
        if mode == "lb":
            host, port = sys.argv[2], int(sys.argv[3])
            client("lb", host, port, itertools.count(1), f, stop, deadline, False)
            return
        ids = itertools.count(1_000_000_001)
        threads = [threading.Thread(target=client, args=("direct", h, 5432, ids, f, stop,
                                                          deadline, True))
                   for h in sys.argv[2:-3]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


if __name__ == "__main__":
    main()
