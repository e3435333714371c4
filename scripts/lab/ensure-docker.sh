#!/usr/bin/env bash
# Makes a Docker Engine answer on unix:///var/run/docker.sock: installs Debian's docker.io when
# dockerd is missing, starts it in the background when it does not answer. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log=/var/log/tether-dockerd.log
sock=/var/run/docker.sock

if docker -H "unix://$sock" version >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  "$here/apt-install.sh" docker.io
fi

# A dockerd from an earlier run may still be starting up: only start one if the default daemon
# (pidfile /var/run/docker.pid) is not alive. Extra daemons (swarm node tests) use other pidfiles.
if ! { [ -s /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; }; then
  echo "lab: starting dockerd (log: $log)" >&2
  # setsid: the daemon must outlive this script and the test process that ran it.
  setsid dockerd --host "unix://$sock" >>"$log" 2>&1 < /dev/null &
fi

for _ in $(seq 1 120); do
  if docker -H "unix://$sock" version >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.5
done
echo "lab: ERROR: dockerd did not answer on $sock within 60 s; last lines of $log:" >&2
tail -n 30 "$log" >&2 || true
exit 1
