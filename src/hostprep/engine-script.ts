// The host-preparation steps as a constant busybox sh script, for helper containers on an engine
// Tether does not share a host with. Inputs only ever arrive as positional arguments (argv
// arrays through the engine API), never spliced into the script text.
// The host's root is bind-mounted at $R; symlinks are resolved by hand, component by component,
// because an absolute link target must be read in the host's namespace, not the container's.
//
// usage: sh -c SCRIPT hostprep prefix FIXED_PREFIX
//          -> prints the real prefix
//        sh -c SCRIPT hostprep make REAL_PREFIX NEW_UID NEW_GID SET_UID SET_GID [NAME...]
//          -> creates NAMEs below REAL_PREFIX one level at a time (new folders NEW_UID:NEW_GID),
//             never through a symlink leading out of it; chowns the final folder itself to
//             SET_UID/SET_GID (each may be empty); checks connectivity; prints
//             "created PATH" lines, then "real PATH".
// Exit codes: see EXIT_CLASSES.

export const EXIT_CLASSES: Record<number, 'missing' | 'not_directory' | 'policy' | 'permission' | 'io'> = {
  2: 'missing',
  3: 'not_directory',
  4: 'io', // symlink loop
  5: 'policy', // a symlink below the prefix leads out of it
  6: 'permission',
  7: 'io',
};

export const HOST_ROOT_IN_HELPER = '/host';

// a plain template literal: every shell ${...} is escaped; only the host root is interpolated
export const ENGINE_SCRIPT = `
R=${HOST_ROOT_IN_HELPER}
fail() { code=$1; shift; echo "$*" >&2; exit $code; }
errclass() {
  case "$1" in
    *"Permission denied"*|*"Operation not permitted"*|*"Read-only file system"*) echo 6 ;;
    *"No such file"*) echo 2 ;;
    *"Not a directory"*) echo 3 ;;
    *) echo 7 ;;
  esac
}
resolve() {
  todo="$1"; cur=""; hops=0
  while [ -n "$todo" ]; do
    todo="\${todo#/}"
    case "$todo" in */*) name="\${todo%%/*}"; todo="\${todo#*/}" ;; *) name="$todo"; todo="" ;; esac
    [ -z "$name" ] && continue
    [ "$name" = "." ] && continue
    if [ "$name" = ".." ]; then cur="\${cur%/*}"; continue; fi
    if [ -n "$cur" ] && [ ! -d "$R$cur" ]; then echo "$cur is not a folder" >&2; return 3; fi
    next="$cur/$name"
    if [ -L "$R$next" ]; then
      hops=$((hops + 1)); [ $hops -gt 40 ] && { echo "too many symlinks at $next" >&2; return 4; }
      target=$(readlink "$R$next") || return 7
      case "$target" in /*) cur="" ;; esac
      if [ -n "$todo" ]; then todo="$target/$todo"; else todo="$target"; fi
    elif [ -e "$R$next" ]; then
      cur="$next"
    else
      echo "$next does not exist" >&2; return 2
    fi
  done
  echo "\${cur:-/}"
}
op="$1"; shift
case "$op" in
  prefix)
    real=$(resolve "$1") || fail $? "resolving fixed prefix $1"
    [ -d "$R$real" ] || fail 3 "fixed prefix $1 (real $real) is not a folder"
    echo "$real"
    ;;
  make)
    prefix="$1"; nuid="$2"; ngid="$3"; suid="$4"; sgid="$5"; shift 5
    cur="$prefix"
    for name in "$@"; do
      next="$cur/$name"
      if [ -L "$R$next" ]; then
        t=$(resolve "$next") || fail $? "resolving symlink $next"
        case "$t" in "$prefix"|"$prefix"/*) ;; *) fail 5 "$next is a symlink to $t, outside the fixed prefix $prefix" ;; esac
        [ -d "$R$t" ] || fail 3 "$next leads to $t, which is not a folder"
        cur="$t"
      elif [ -e "$R$next" ]; then
        [ -d "$R$next" ] || fail 3 "$next exists but is not a folder"
        cur="$next"
      else
        out=$(mkdir "$R$next" 2>&1) || { [ -d "$R$next" ] || fail $(errclass "$out") "create $next: $out"; }
        out=$(chown "$nuid:$ngid" "$R$next" 2>&1) || fail $(errclass "$out") "chown $next: $out"
        echo "created $next"
        cur="$next"
      fi
    done
    real=$(resolve "$cur") || fail $? "resolving $cur"
    case "$real" in "$prefix"|"$prefix"/*) ;; *) fail 5 "$cur resolves to $real, outside the fixed prefix $prefix" ;; esac
    owner=""
    [ -n "$suid" ] && owner="$suid"
    [ -n "$sgid" ] && owner="$owner:$sgid"
    if [ -n "$owner" ]; then
      out=$(chown "$owner" "$R$real" 2>&1) || fail $(errclass "$out") "chown $real to $owner: $out"
    fi
    out=$(stat "$R$real" 2>&1 >/dev/null) || fail $(errclass "$out") "connectivity check of $real (stat): $out"
    cd "$R$real" 2>/dev/null || fail 6 "connectivity check of $real: cannot open it"
    out=$(find . -maxdepth 1 -mindepth 1 2>&1 | head -n 1)
    case "$out" in find:*) fail $(errclass "$out") "connectivity check of $real (read one entry): $out" ;; esac
    echo "real $real"
    ;;
  *) fail 7 "unknown operation $op" ;;
esac
`;
