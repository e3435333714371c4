#!/usr/bin/env bash
# Makes PostgreSQL answer on 127.0.0.1:5432 (trust auth, as on the CI machines): starts the
# installed cluster when it is down. Installing and configuring PostgreSQL itself is the
# machine image's job (lab.md); this fails loudly when there is none.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "lab: ERROR: PostgreSQL is not installed (expected a cluster under /etc/postgresql, trust auth on 127.0.0.1:5432)" >&2
  exit 1
fi
for version in /etc/postgresql/*; do
  pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
done
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 0.5
done
echo "lab: ERROR: PostgreSQL did not answer on 127.0.0.1:5432 within 30 s" >&2
exit 1
