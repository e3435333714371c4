#!/usr/bin/env bash
# Everything the integration tests need on a fresh machine, in order. Idempotent: a second run
# only checks. Run as root (installs Debian packages, starts dockerd and sshd).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/ensure-tools.sh"        # sshfs, openssh-server, docker-registry, busybox-static, apache2-utils
"$here/ensure-docker.sh"       # docker.io installed, dockerd answering on /var/run/docker.sock
"$here/build-test-images.sh"   # tether-test/busybox:1
"$here/ensure-postgres.sh"     # PostgreSQL on 127.0.0.1:5432
if [ "${TETHER_LAB_BROWSER:-1}" = 1 ]; then
  "$here/ensure-browser.sh"    # chromium for UI tests (for the end-to-end UI tests; TETHER_LAB_BROWSER=0 skips it)
fi
if [ "${TETHER_LAB_DESKTOP:-1}" = 1 ]; then
  # tether/desktop:1 for the desktop tests (about 3 min cold, cached by recipe hash; TETHER_LAB_DESKTOP=0 skips it)
  "$here/build-desktop-image.sh" >/dev/null
fi
