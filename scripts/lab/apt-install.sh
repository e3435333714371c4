#!/usr/bin/env bash
# Installs the given Debian packages when any is missing; runs `apt-get update` at most once
# per machine boot (marker in /run) so several lab scripts in a row don't update repeatedly.
set -euo pipefail
missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "lab: installing ${missing[*]}" >&2
marker=/run/tether-apt-updated
if [ ! -e "$marker" ]; then
  apt-get update -q
  touch "$marker"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
