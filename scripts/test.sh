#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs and starts what the tests need
# (Docker Engine, sshfs, sshd, a registry, Chromium), starts the installed PostgreSQL (not
# installed here: scripts/lab/ensure-postgres.sh), installs node modules, brings up the
# three-node swarm lab (scripts/lab/swarm-lab.sh) that the multi-host suites share, then runs
# lint, typecheck, build and every test (`npm test`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lab/ensure-all.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# One lab for every swarm suite (each would otherwise bring it up and down again). A lab that
# was already up belongs to whoever started it and stays; one brought up here goes at the end.
if docker -H unix:///run/tether-swarm-lab/n1.sock version >/dev/null 2>&1; then
  bash scripts/lab/swarm-lab.sh up >/dev/null
else
  bash scripts/lab/swarm-lab.sh up >/dev/null
  trap 'bash scripts/lab/swarm-lab.sh down || true' EXIT
fi
npm test
