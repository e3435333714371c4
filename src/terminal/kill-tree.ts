// Ending a terminal's processes in the container when the terminal closes. The engine's exec
// is a session leader (TTY or not), so what the shell starts shares its session id, also
// after the shell exits and they are re-parented; a child that calls setsid is still its
// descendant while its parent lives. The kill script reads /proc in the container (the
// container's own sh; nothing is installed) and takes both: the session, and the descendants
// by parent pid. It stops them first (SIGSTOP: nothing forks meanwhile), scans again until
// nothing new appears, then SIGKILLs the lot. A process that detached itself twice (setsid
// plus a double fork) escapes, as it would from any terminal; the session's own end bounds it.
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';

const MARK = 'tether-shell-pid:';
/** Prepended to the exec's command: prints the shell's pid as the first line of its output. */
export const PID_LINE = `echo "${MARK}$$"`;

/** $1 = the shell's pid (never 1: the container's init is not ours to kill). */
export const KILL_TREE = `
root=$1
case "$root" in ''|*[!0-9]*|1) exit 2 ;; esac
me=$$
scan() {
  found=" $root "
  grew=1
  while [ -n "$grew" ]; do
    grew=
    for f in /proc/[0-9]*/stat; do
      IFS= read -r line < "$f" 2>/dev/null || continue
      p=\${f#/proc/}; p=\${p%/stat}
      case "$found" in *" $p "*) continue ;; esac
      [ "$p" = "$me" ] || [ "$p" = 1 ] && continue
      set -- \${line##*) }
      case "$found" in *" $2 "*) found="$found$p "; grew=1; continue ;; esac
      if [ "$4" = "$root" ]; then found="$found$p "; grew=1; fi
    done
  done
}
prev=
for round in 1 2 3 4 5 6 7 8; do
  scan
  [ "$found" = "$prev" ] && break
  kill -STOP $found 2>/dev/null
  prev=$found
done
kill -KILL $found 2>/dev/null
exit 0
`;

/** Longest first line that can be the pid line; anything longer is the shell's own output. */
const MAX_LINE = 64;
const WAIT_MS = 10_000;

/**
 * Takes the pid line off the front of the shell's output and returns the output from the
 * next byte on (paused: the reader resumes it). Without the line (another first line, no
 * line within WAIT_MS) the output is returned whole and the pid is null.
 */
export function readPidLine(stream: Readable, waitMs = WAIT_MS): Promise<{ pid: number | null; output: Readable }> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (pid: number | null, rest: Buffer, ended: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      if (ended) {
        // the output ended already: hand on what came, as a stream that ends too
        const out = new PassThrough();
        out.end(rest);
        out.pause();
        return resolve({ pid, output: out });
      }
      stream.pause();
      if (rest.length > 0) stream.unshift(rest);
      resolve({ pid, output: stream });
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        if (buf.length > MAX_LINE) finish(null, buf, false);
        return;
      }
      const m = new RegExp(`^${MARK}(\\d{1,10})\\r?$`).exec(buf.subarray(0, nl).toString('latin1'));
      const pid = m ? Number(m[1]) : NaN;
      if (Number.isSafeInteger(pid) && pid > 1) finish(pid, buf.subarray(nl + 1), false);
      else finish(null, buf, false);
    };
    const onEnd = () => finish(null, buf, true);
    const timer = setTimeout(() => finish(null, buf, false), waitMs);
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}
