#!/usr/bin/env bash
# Builds the desktop workspace image tether/desktop:1 from Debian 12's packages, without any
# registry: debootstrap (minbase) -> desktop/setup-root.sh in a chroot (installs
# desktop/packages.txt, user 1000) -> desktop/rootfs/ copied over -> docker import.
# Idempotent and cached:
#   - the image carries the hash of the whole recipe (label tether.desktop.hash): same hash,
#     nothing is done;
#   - the installed root file system (the slow part) is kept under
#     /var/cache/tether/desktop-<base hash>, keyed by packages.txt + setup-root.sh only, so a
#     change to the entrypoint or the build script re-imports in seconds.
# Progress goes to stderr; the image reference is the LAST line of stdout.
# desktop/Dockerfile is the same recipe for engines that can pull debian:bookworm-slim.
set -euo pipefail
cd "$(dirname "$0")/../.."
image="${TETHER_DESKTOP_IMAGE:-tether/desktop:1}"
cache="${TETHER_DESKTOP_CACHE:-/var/cache/tether}"
mirror="${TETHER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
started=$SECONDS
say() { echo "build-desktop-image: [$((SECONDS - started))s] $*" >&2; }

hash_of() { # files (sorted, names and contents) -> 16 hex digits
  for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-16
}
base_hash="$(hash_of desktop/packages.txt desktop/setup-root.sh)"
mapfile -t overlay < <(find desktop/rootfs -type f | LC_ALL=C sort)
full_hash="$(hash_of desktop/packages.txt desktop/setup-root.sh scripts/lab/build-desktop-image.sh "${overlay[@]}")"

if [ "$(docker image inspect -f '{{index .Config.Labels "tether.desktop.hash"}}' "$image" 2>/dev/null || true)" = "$full_hash" ]; then
  say "$image is up to date (recipe $full_hash)"
  echo "$image"
  exit 0
fi

base="$cache/desktop-$base_hash"
if [ ! -e "$base/complete" ]; then
  command -v debootstrap >/dev/null || bash scripts/lab/apt-install.sh debootstrap
  say "building the root file system $base (debootstrap + packages; a few minutes)"
  mkdir -p "$cache"
  rm -rf "$base.partial"
  mkdir -p "$base.partial"
  root="$base.partial/root"
  cleanup_mounts() { umount "$root/proc" 2>/dev/null || true; }
  trap cleanup_mounts EXIT
  say "debootstrap bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$base.partial/debootstrap.log" 2>&1 \
    || { tail -20 "$base.partial/debootstrap.log" >&2; say "ERROR: debootstrap failed (log: $base.partial/debootstrap.log)"; exit 1; }
  say "debootstrap done"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -f "$root/etc/apt/sources.list"
  # no service may start inside the chroot
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  cp desktop/packages.txt "$root/tmp/packages.txt"
  cp desktop/setup-root.sh "$root/tmp/setup-root.sh"
  mount -t proc proc "$root/proc"
  say "installing desktop/packages.txt in the chroot"
  chroot "$root" /bin/sh /tmp/setup-root.sh /tmp/packages.txt >"$base.partial/setup.log" 2>&1 \
    || { tail -30 "$base.partial/setup.log" >&2; say "ERROR: package installation failed (log: $base.partial/setup.log)"; exit 1; }
  umount "$root/proc"
  trap - EXIT
  rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/packages.txt" "$root/tmp/setup-root.sh"
  rm -rf "$base"
  mv "$base.partial" "$base"
  touch "$base/complete"
  say "root file system ready ($(du -sh "$base/root" | cut -f1))"
else
  say "reusing the root file system $base"
fi

# The overlay goes onto a hard-linked copy: files are replaced (never written through), so
# the cached tree stays as built.
stage="$(mktemp -d "$cache/desktop-stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
cp -al "$base/root" "$stage/root"
(cd desktop/rootfs && find . -type d) | while read -r d; do mkdir -p "$stage/root/$d"; done
for f in "${overlay[@]}"; do
  rel="${f#desktop/rootfs/}"
  rm -f "$stage/root/$rel"
  cp --preserve=mode "$f" "$stage/root/$rel"
  chown 0:0 "$stage/root/$rel"
done
chmod 755 "$stage/root/usr/local/bin/"*

say "importing $image"
tar -C "$stage/root" --numeric-owner -c . | docker import \
  -c 'USER 1000:1000' -c 'ENV HOME=/home/user' -c 'WORKDIR /home/user' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'ENV LANG=C.UTF-8' \
  -c 'EXPOSE 6901' \
  -c "LABEL tether.desktop.hash=$full_hash tether.web_port=6901" \
  -c 'ENTRYPOINT ["/usr/bin/tini", "--"]' \
  -c 'CMD ["/usr/local/bin/tether-desktop"]' - "$image" >/dev/null

# Root file systems of older recipes are dead weight (about 1 GB each).
for old in "$cache"/desktop-*; do
  case "$old" in "$base" | "$stage") ;; *) [ -d "$old" ] && rm -rf "$old" ;; esac
done
say "built $image (recipe $full_hash, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
echo "$image"
