#!/bin/sh
# Runs as root INSIDE the image's root file system (a debootstrap chroot, or a Dockerfile RUN):
# installs packages.txt, creates the desktop user 1000:1000 with HOME /home/user, and makes
# every path the desktop writes writable by that user. Both recipes run exactly this.
set -eu
list="${1:-/tmp/packages.txt}"
export DEBIAN_FRONTEND=noninteractive
# No manuals, documentation or translations (English desktop; about 130 MB less). Licences
# stay. To add a language, delete this file and reinstall the packages concerned.
cat >/etc/dpkg/dpkg.cfg.d/tether-slim <<'CFG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
CFG
# a throw-away build needs no fsync after every file (halves the install time on slow disks)
echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/tether-build-unsafe-io
apt-get update -q
# shellcheck disable=SC2046 # one package per word, comments dropped
apt-get install -y -q --no-install-recommends $(sed -e 's/#.*//' "$list")
rm -f /etc/dpkg/dpkg.cfg.d/tether-build-unsafe-io
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log

# the user Kasm's guide and the volume-mapping contract expect: uid/gid 1000
if ! getent group 1000 >/dev/null; then groupadd -g 1000 user; fi
if ! getent passwd 1000 >/dev/null; then useradd -u 1000 -g 1000 -d /home/user -s /bin/bash -M user; fi
mkdir -p /home/user /share
chown 1000:1000 /home/user /share
chmod 755 /home/user
# X's socket directory exists and belongs to root even when the server runs as 1000
mkdir -p /tmp/.X11-unix /tmp/.ICE-unix
chmod 1777 /tmp /tmp/.X11-unix /tmp/.ICE-unix

# Ctrl+Alt+T opens a terminal (the usual shortcut; tests use it too), Super+E the file manager
rc=/etc/xdg/openbox/rc.xml
if ! grep -q 'tether-desktop' "$rc"; then
  sed -i 's#<keyboard>#<keyboard>\n  <!-- tether-desktop -->\n  <keybind key="C-A-t"><action name="Execute"><command>x-terminal-emulator</command></action></keybind>\n  <keybind key="W-e"><action name="Execute"><command>pcmanfm</command></action></keybind>#' "$rc"
fi

# the panel's launchers: terminal, browser, file manager (tint2 copies this on first start)
tint2rc=/etc/xdg/tint2/tint2rc
sed -i '/^launcher_item_app = /d' "$tint2rc"
sed -i '/^# Launcher/,/^$/ { /^launcher_icon_theme_override/a\
launcher_item_app = debian-xterm.desktop\
launcher_item_app = firefox-esr.desktop\
launcher_item_app = pcmanfm.desktop
}' "$tint2rc"
grep -q '^launcher_item_app = firefox-esr.desktop' "$tint2rc"

# a calm background colour instead of black (pcmanfm draws the desktop and its icons)
sed -i 's/^desktop_bg=.*/desktop_bg=#2d4a63/' /etc/xdg/pcmanfm/default/pcmanfm.conf
