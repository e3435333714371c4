#!/usr/bin/env bash
# Installs the host tools the integration tests use, when missing (one apt-get update at most):
# sshfs + openssh-server (shared storage that can hang), docker-registry (pull tests),
# busybox-static (test images), apache2-utils (htpasswd for the registry with auth), debootstrap
# (the Debian root file systems of the desktop and agent images).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/apt-install.sh" sshfs openssh-server docker-registry busybox-static apache2-utils debootstrap
