#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs and starts what the tests need
# (Docker Engine, sshfs, sshd, a registry, Chromium), starts the installed PostgreSQL (not
# installed here: scripts/lab/ensure-postgres.sh), installs node modules, then runs lint,
# typecheck, build and every test (`npm test`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lab/ensure-all.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm test
