#!/usr/bin/env bash
# Builds the demo workspace image tether/demo-workspace:1 from Debian's busybox-static and
# demo/www (no registry, no pulls): busybox httpd serves the demo app on port 8080 in the
# foreground. Rebuilds only when demo/ changed (a content hash is kept as an image label).
set -euo pipefail
cd "$(dirname "$0")/../.."
image=tether/demo-workspace:1
busybox=/bin/busybox
if ! [ -x "$busybox" ] || ! "$busybox" --list 2>/dev/null | grep -x httpd >/dev/null; then
  bash scripts/lab/ensure-tools.sh >/dev/null
fi
if ! "$busybox" --list 2>/dev/null | grep -x httpd >/dev/null; then
  echo "build-demo-image: ERROR: $busybox is not busybox-static with httpd (apt-get install busybox-static)" >&2
  exit 1
fi
hash="$(cd demo && find www -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
if [ "$(docker image inspect -f '{{index .Config.Labels "tether.demo.hash"}}' "$image" 2>/dev/null || true)" = "$hash" ]; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/home/user" "$root/share"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
cp -r demo/www "$root/www"
chmod -R a+rX "$root/www"
chmod 755 "$root/www/cgi-bin/files"
chmod 1777 "$root/tmp"
chown 1000:1000 "$root/home/user" "$root/share"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' > "$root/etc/group"
tar -C "$root" --numeric-owner -c . | docker import \
  -c 'ENV PATH=/bin' -c 'ENV HOME=/home/user' -c 'WORKDIR /home/user' -c 'EXPOSE 8080' \
  -c "LABEL tether.demo.hash=$hash tether.web_port=8080" \
  -c 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]' - "$image" >/dev/null
echo "build-demo-image: built $image ($hash)" >&2
