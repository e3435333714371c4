#!/usr/bin/env bash
# PostgreSQL runs on these machines already (127.0.0.1:5432, trust auth); start it if it is down.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "postgres: up"
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && { echo "postgres: started"; exit 0; }
  sleep 1
done
echo "postgres: did not start on 127.0.0.1:5432" >&2
exit 1
