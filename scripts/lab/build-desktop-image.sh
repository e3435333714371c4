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
# shellcheck source=rootfs.sh
. scripts/lab/rootfs.sh

hash_of() { # files (sorted, names and contents) -> 16 hex digits
  for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-16
}
base_hash="$(hash_of desktop/packages.txt desktop/setup-root.sh)"
mapfile -t overlay < <(find desktop/rootfs -type f | LC_ALL=C sort)
full_hash="$(hash_of desktop/packages.txt desktop/setup-root.sh scripts/lab/build-desktop-image.sh scripts/lab/rootfs.sh "${overlay[@]}")"

if [ "$(docker image inspect -f '{{index .Config.Labels "tether.desktop.hash"}}' "$image" 2>/dev/null || true)" = "$full_hash" ]; then
  say "$image is up to date (recipe $full_hash)"
  echo "$image"
  exit 0
fi

base="$cache/desktop-$base_hash"
if [ ! -e "$base/complete" ]; then
  say "building the root file system $base (debootstrap + packages; a few minutes)"
  mkdir -p "$cache"
  build_rootfs "$base" desktop/packages.txt desktop/setup-root.sh || exit 1
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
