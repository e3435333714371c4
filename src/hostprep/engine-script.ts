// The host-preparation steps as constant busybox sh scripts, for helper containers on an
// engine Tether does not share a host with. Inputs only ever arrive as positional arguments
// (argv arrays through the engine API), never spliced into the script text.
//
// ENTER_SCRIPT runs in the helper (host pid namespace, CAP_SYS_ADMIN + CAP_SYS_PTRACE, no
// network, no mounts) and enters the mount namespace of the parent of the helper's main
// process (its pid, as the engine reports it, is the first argument): the engine's
// containerd shim, i.e. the engine's own view of the host's folders (not blindly pid 1's: an
// engine may run in a mount namespace of its own). The work runs there with the helper's
// busybox applets (reached through /proc/<helper>/root/bin, so nothing on the host is needed).
// It stays a child of the helper's shell, never exec'd: /proc/$$/root must stay the helper's.
//
// WORK_SCRIPT: a folder is entered one component at a time with `cd -P` after `[ -L ]`
// refused a symlink, and each step is proved: `..` must be the folder we came from and
// `pwd -P` must end in the name (a symlink swapped in between the test and the cd is caught).
// chown acts on `.`, the entered object; the stage binds /proc/self/cwd, the same object, and
// is checked by device:inode against it.
//
// usage (after ENTER_SCRIPT's own two arguments, the helper's main pid and WORK_SCRIPT):
//   prefix FIXED_PREFIX                 -> "real PATH" (symlinks in the prefix resolved)
//   make REAL_PREFIX NEW_UID NEW_GID SET_UID SET_GID SKIP STAGE_DIR STAGE_NAME [NAME...]
//        -> "created PATH" lines, "real PATH", "identity DEV:INO", "stage PATH"
//   verify PID [NAME...]                -> "identity DEV:INO" of /proc/PID/root/NAME/... (no symlinks)
//   unstage STAGE                       -> detaches one stage
//   release SESSION_STAGE_DIR           -> detaches every stage in it and removes it
//   sweep NAMESPACE_STAGE_DIR           -> release for every session folder in it
// Exit codes: see EXIT_CLASSES.

export const EXIT_CLASSES: Record<number, 'missing' | 'not_directory' | 'policy' | 'permission' | 'io'> = {
  2: 'missing',
  3: 'not_directory',
  4: 'io',
  5: 'policy', // a symlink below the prefix, or a folder swapped while it was entered
  6: 'permission',
  7: 'io',
};

export const ENTER_SCRIPT = `
init="$1"; work="$2"; shift 2
P=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$init/status")
[ -n "$P" ] || { echo "cannot find the engine's process (no parent of the helper's process $init)" >&2; exit 7; }
B=/proc/$$/root/bin
busybox nsenter -t "$P" -m -- "$B/busybox" env PATH="$B" sh -c "$work" hostprep "$@"
rc=$?
exit $rc
`;

export const WORK_SCRIPT = `
fail() { code=$1; shift; echo "$*" >&2; exit $code; }
errclass() {
  case "$1" in
    *"Permission denied"*|*"Operation not permitted"*|*"Read-only file system"*) echo 6 ;;
    *"No such file"*) echo 2 ;;
    *"Not a directory"*) echo 3 ;;
    *) echo 7 ;;
  esac
}
join() { case "$1" in /) echo "/$2" ;; *) echo "$1/$2" ;; esac; }
# step NAME SHOWN WHERE CHECKPWD: enter NAME below the current folder, never through a symlink
step() {
  if [ -L "$1" ]; then fail 5 "\\"$2\\" is a symlink: symlinks $3 are never followed, whatever their target (expected a real folder there)"; fi
  [ -e "$1" ] || fail 2 "\\"$2\\" does not exist (expected it to exist)"
  [ -d "$1" ] || fail 3 "\\"$2\\" exists but is not a folder (expected a folder to mount)"
  before=$(stat -c %d:%i .) || fail 7 "stat of the folder above \\"$2\\" failed"
  out=$(cd -P -- "$1" 2>&1) || fail $(errclass "$out") "cannot enter \\"$2\\": $out"
  cd -P -- "$1" 2>/dev/null || fail 7 "cannot enter \\"$2\\""
  [ "$(stat -c %d:%i ..)" = "$before" ] || fail 5 "\\"$2\\" was swapped while it was entered (a symlink to elsewhere?): refused"
  if [ "$4" = 1 ]; then
    case "$(pwd -P)" in */"$1") ;; *) fail 5 "\\"$2\\" was swapped while it was entered (now at $(pwd -P)): refused" ;; esac
  fi
}
ensure_stage_dir() {
  cur=""; rest="\${1#/}"
  while [ -n "$rest" ]; do
    case "$rest" in */*) part="\${rest%%/*}"; rest="\${rest#*/}" ;; *) part="$rest"; rest="" ;; esac
    cur="$cur/$part"
    [ -L "$cur" ] && fail 5 "staging folder $cur is a symlink: expected Tether's own root-only folder"
    [ -d "$cur" ] || { out=$(mkdir -m 700 "$cur" 2>&1) || [ -d "$cur" ] || fail $(errclass "$out") "create staging folder $cur: $out"; }
  done
}
release_dir() {
  for s in "$1"/*; do
    [ "$s" = "$1/*" ] && break
    umount -l "$s" 2>/dev/null
    rmdir "$s" 2>/dev/null
  done
  rmdir "$1" 2>/dev/null
  return 0
}
op="$1"; shift
case "$op" in
  prefix)
    [ -e "$1" ] || fail 2 "fixed prefix $1 does not exist"
    [ -d "$1" ] || fail 3 "fixed prefix \\"$1\\" is not a folder (expected a folder)"
    out=$(cd -P -- "$1" 2>&1) || fail $(errclass "$out") "cannot enter fixed prefix $1: $out"
    cd -P -- "$1" && echo "real $(pwd -P)"
    ;;
  make)
    prefix="$1"; nuid="$2"; ngid="$3"; suid="$4"; sgid="$5"; skip="$6"; stagedir="$7"; stagename="$8"; shift 8
    cd -P -- "$prefix" 2>/dev/null || fail 7 "cannot enter fixed prefix $prefix"
    [ "$(pwd -P)" = "$prefix" ] || fail 5 "fixed prefix $prefix changed since it was checked (now $(pwd -P)): refused"
    shown="$prefix"; made=0
    for name in "$@"; do
      shown=$(join "$shown" "$name"); made=0
      if [ ! -e "$name" ] && [ ! -L "$name" ]; then
        [ "$skip" = 1 ] && fail 2 "\\"$shown\\" does not exist (skip_check: Tether creates nothing; expected the folder to exist)"
        if out=$(mkdir -m 755 -- "$name" 2>&1); then made=1; else [ -e "$name" ] || fail $(errclass "$out") "create \\"$shown\\": $out"; fi
      fi
      step "$name" "$shown" "below the fixed prefix" 1
      if [ $made = 1 ]; then
        out=$(chown "$nuid:$ngid" . 2>&1) || fail $(errclass "$out") "chown \\"$shown\\" to $nuid:$ngid: $out"
        echo "created $shown"
      fi
    done
    real=$(pwd -P)
    if [ "$skip" != 1 ]; then
      owner=""
      [ -n "$suid" ] && owner="$suid"
      [ -n "$sgid" ] && owner="$owner:$sgid"
      if [ -n "$owner" ] && [ $made = 0 ]; then
        out=$(chown "$owner" . 2>&1) || fail $(errclass "$out") "chown \\"$real\\" to $owner: $out"
      fi
      out=$(stat . 2>&1 >/dev/null) || fail $(errclass "$out") "connectivity check of \\"$real\\" (stat): $out"
      out=$(find . -maxdepth 1 -mindepth 1 2>&1 | head -n 1)
      case "$out" in find:*) fail $(errclass "$out") "connectivity check of \\"$real\\" (read one entry): $out" ;; esac
    fi
    id=$(stat -c %d:%i .) || fail 7 "stat of \\"$real\\" failed"
    ensure_stage_dir "$stagedir"
    stage="$stagedir/$stagename"
    out=$(mkdir -m 700 "$stage" 2>&1) || fail 7 "create stage $stage: $out"
    if ! out=$(mount -o bind /proc/self/cwd "$stage" 2>&1); then
      rmdir "$stage"
      [ "$(stat -c %h .)" = 0 ] && fail 2 "the prepared folder \\"$real\\" was removed while it was being prepared (expected it to stay)"
      fail 7 "staging \\"$real\\" at $stage failed: $out"
    fi
    if [ "$(stat -c %d:%i "$stage")" != "$id" ]; then
      umount -l "$stage"; rmdir "$stage"
      fail 5 "the stage $stage does not show the prepared folder \\"$real\\" ($id): refused"
    fi
    echo "real $real"
    echo "identity $id"
    echo "stage $stage"
    ;;
  verify)
    pid="$1"; shift
    cd -P "/proc/$pid/root" 2>/dev/null || fail 7 "cannot open the root of container process $pid (expected a running container)"
    shown=""
    for name in "$@"; do
      shown="$shown/$name"
      step "$name" "$shown" "on the way to a bind target inside the container" 0
    done
    echo "identity $(stat -c %d:%i .)"
    ;;
  unstage) umount -l "$1" 2>/dev/null; rmdir "$1" 2>/dev/null; exit 0 ;;
  release) release_dir "$1" ;;
  sweep)
    for d in "$1"/*; do
      [ "$d" = "$1/*" ] && break
      release_dir "$d"
    done
    ;;
  *) fail 7 "unknown operation $op" ;;
esac
`;
