#!/usr/bin/env bash
# Builds the local test images from Debian's busybox-static (no registry reachable here).
# tether-test/busybox:1 — busybox applets on PATH, default command keeps running. Idempotent.
set -euo pipefail
# An image built from an older version of this recipe is rebuilt: the recipe's hash is a label.
image=tether-test/busybox:1
recipe="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
if [ "$(docker image inspect -f '{{ index .Config.Labels "tether.recipe" }}' "$image" 2>/dev/null)" = "$recipe" ]; then
  exit 0
fi
busybox=/bin/busybox
if ! "$busybox" --list 2>/dev/null | grep -qx httpd; then
  echo "lab: ERROR: $busybox is not busybox-static with httpd (run scripts/lab/ensure-tools.sh)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/tmp" "$work/root/etc" "$work/root/www"
cp "$busybox" "$work/root/bin/busybox"
for applet in sh ls cat echo id touch stat sleep mkdir chown chmod rm mv cp ln readlink realpath \
              httpd wget grep sed head tail test true false env printf find df mount kill ps dd wc \
              umount rmdir nsenter tr; do
  ln -sf busybox "$work/root/bin/$applet"
done
chmod 1777 "$work/root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' > "$work/root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' > "$work/root/etc/group"
tar -C "$work/root" -c . | docker import \
  -c 'ENV PATH=/bin' -c 'CMD ["sleep", "1000000"]' -c "LABEL tether.recipe=$recipe" - "$image" >/dev/null
echo "lab: built $image" >&2
