#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs and starts what the tests need
# (Docker Engine, sshfs, sshd, a registry, Chromium), starts the installed PostgreSQL (not
# installed here: scripts/lab/ensure-postgres.sh), installs node modules, brings up the
# three-node swarm lab (scripts/lab/swarm-lab.sh) that the multi-host suites share, then runs
# lint, typecheck, build and every test: `npm test`, with the lab coming up during the first three.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lab/ensure-all.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# One lab for every swarm suite (each would otherwise bring it up and down again). A lab that
# was already up belongs to whoever started it and stays; one brought up here goes at the end.
# It comes up (about a minute, mostly waiting on its engines) while lint, typecheck and build run.
if ! docker -H unix:///run/tether-swarm-lab/n1.sock version >/dev/null 2>&1; then
  trap 'bash scripts/lab/swarm-lab.sh down || true' EXIT
fi
bash scripts/lab/swarm-lab.sh up >/dev/null &
lab=$!
npm run check || { wait "$lab" || true; exit 1; }
wait "$lab" || { echo "test.sh: the swarm lab did not come up (its messages are above)" >&2; exit 1; }
npm run test:built
