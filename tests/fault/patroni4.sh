#!/usr/bin/env bash
# Installs the newest Patroni 4.x from PyPI into /opt/patroni4 (a venv; Debian 12 ships 3.0.2),
# for `tests/fault/run.sh --system patroni4` and suite.sh. Idempotent; needs PyPI.
set -euo pipefail
VENV=${PGHA_PATRONI4_VENV:-/opt/patroni4}
if [ ! -x "$VENV/bin/patroni" ]; then
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "patroni[etcd3,psycopg2-binary]>=4,<5"
fi
"$VENV/bin/patroni" --version
