#!/bin/sh
# Runs as root INSIDE the agent image's root file system (a debootstrap chroot, or a Dockerfile
# RUN): installs packages.txt without documentation, then drops apt's caches. Both recipes run
# exactly this.
set -eu
list="${1:-/tmp/packages.txt}"
export DEBIAN_FRONTEND=noninteractive
cat >/etc/dpkg/dpkg.cfg.d/tether-slim <<'CFG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
CFG
apt-get update -q
# shellcheck disable=SC2046 # one package per word, comments dropped
apt-get install -y -q --no-install-recommends $(sed -e 's/#.*//' "$list")
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log
