# Sourced by the image builders (build-desktop-image.sh, build-agent-image.sh): a Debian 12
# root file system from debootstrap, with a package list installed by the image's own setup
# script in a chroot. The caller keeps it under a folder named by its own cache key.
# Expects: $mirror (a Debian mirror URL) and say() (progress on stderr).

# Removes a tree that an interrupted build may have left with /proc still mounted in it.
remove_tree() {
  findmnt -rno TARGET | grep -F "$1/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$1"
}

# build_rootfs BASE PACKAGES SETUP: debootstrap bookworm (minbase) into BASE/root, then SETUP
# runs in it as root with PACKAGES; BASE/complete marks a finished tree. Built in BASE.partial
# and moved into place only when whole.
build_rootfs() {
  local base="$1" packages="$2" setup="$3"
  command -v debootstrap >/dev/null || bash scripts/lab/apt-install.sh debootstrap
  remove_tree "$base.partial"
  mkdir -p "$base.partial"
  local root="$base.partial/root"
  say "debootstrap bookworm (minbase) from $mirror into $base (about 1 min)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$base.partial/debootstrap.log" 2>&1 \
    || { tail -20 "$base.partial/debootstrap.log" >&2; say "ERROR: debootstrap failed (log: $base.partial/debootstrap.log)"; return 1; }
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
  cp "$packages" "$root/tmp/packages.txt"
  cp "$setup" "$root/tmp/setup-root.sh"
  mount -t proc proc "$root/proc"
  say "installing $packages in the chroot"
  local ok=1
  chroot "$root" /bin/sh /tmp/setup-root.sh /tmp/packages.txt >"$base.partial/setup.log" 2>&1 || ok=0
  umount "$root/proc" 2>/dev/null || true
  if [ "$ok" = 0 ]; then
    tail -30 "$base.partial/setup.log" >&2
    say "ERROR: package installation failed (log: $base.partial/setup.log)"
    return 1
  fi
  rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/packages.txt" "$root/tmp/setup-root.sh"
  rm -rf "$base"
  mv "$base.partial" "$base"
  touch "$base/complete"
  say "root file system ready ($(du -sh "$base/root" | cut -f1))"
}
