#!/usr/bin/env bash
# Sets Tether up on this machine with its embedded defaults and runs it in the foreground:
# the local Docker Engine (installed from Debian's docker.io and started when absent),
# SQLite in the data directory (~/.local/share/tether), http://127.0.0.1:8080.
# The first start creates the administrator `admin` and prints its password once
# (or uses TETHER_ADMIN_PASSWORD) and the demo image "demo" (tether/demo-workspace:1, built
# here from busybox-static) mapping /srv/tether/share -> /share. Extra arguments go to `tether server`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lab/ensure-docker.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
# the demo workspace (busybox httpd file app on 8080), built locally; seeded as image "demo"
bash scripts/lab/build-demo-image.sh
exec node dist/cli/main.js server --seed-demo "$@"
