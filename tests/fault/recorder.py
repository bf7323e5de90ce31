#!/usr/bin/python3
"""Role recorder for one node: every PERIOD seconds asks the node's PostgreSQL, over its unix
socket, whether it is in recovery, and appends {"t", "node", "w"} to a JSONL history, where w is
"yes" (writable: not in recovery), "no" (in recovery) or "unreachable". Runs inside the node's
network namespace as the postgres OS user, so no network fault can hide the node's own view.
Stops by itself after --max-seconds, or when --stop-file exists.

usage: recorder.py NODE SOCKET_DIR OUT.jsonl STOP_FILE MAX_SECONDS
"""
import json
import os
import sys
import time

import psycopg2

PERIOD = 0.035  # aim well under 50 ms between samples of one node (the CPU is shared)


def main():
    node, sock, out, stop_file, max_s = sys.argv[1:6]
    deadline = time.monotonic() + float(max_s)
    conn = None
    with open(out, "a", buffering=1) as f:
        while time.monotonic() < deadline and not os.path.exists(stop_file):
            start = time.monotonic()
            state = "unreachable"
            try:
                if conn is None:
                    conn = psycopg2.connect(host=sock, dbname="postgres", user="postgres",
                                            connect_timeout=1,
                                            options="-c statement_timeout=500")
                    conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_is_in_recovery()")
                    state = "no" if cur.fetchone()[0] else "yes"
            except Exception:  # any failure to answer is "unreachable"; reconnect next time
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:
                        pass
                conn = None
            # The sample's time is when the answer arrived: the node was in that state then.
            f.write(json.dumps({"t": round(time.time(), 4), "node": node, "w": state}) + "\n")
            time.sleep(max(0.0, PERIOD - (time.monotonic() - start)))


if __name__ == "__main__":
    main()
