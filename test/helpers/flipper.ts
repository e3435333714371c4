// The attacker of the symlink race, for real: a separate process that flips a folder the
// user can write between a real folder and a symlink to a decoy, as fast as it can, for a
// fixed time (renames: each state is atomic, as an attacker's loop would make it).
import { spawn } from 'node:child_process';

const FLIP_SCRIPT = `
const fs = require('node:fs');
const [path, decoy, ms] = process.argv.slice(1);
const dir = path + '.flip-dir', lnk = path + '.flip-lnk';
const pause = new Int32Array(new SharedArrayBuffer(4));
try { fs.mkdirSync(path); } catch {}
try { fs.symlinkSync(decoy, lnk); } catch {}
const until = Date.now() + Number(ms);
let flips = 0;
const step = (from, to) => { try { fs.renameSync(from, to); return true; } catch { return false; } };
while (Date.now() < until) {
  if (step(path, dir) && step(lnk, path)) {
    flips++;
    Atomics.wait(pause, 0, 0, 1);
    step(path, lnk);
  }
  if (!step(dir, path)) { try { fs.mkdirSync(path); } catch {} }
  Atomics.wait(pause, 0, 0, 1);
}
// leave a plain folder behind (the path as an honest user would have it)
try { if (fs.lstatSync(path).isSymbolicLink()) fs.renameSync(path, lnk); } catch {}
try { fs.renameSync(dir, path); } catch {}
try { fs.mkdirSync(path); } catch {}
try { fs.unlinkSync(lnk); } catch {}
process.stdout.write(String(flips));
`;

export interface Flipper {
  /** resolves with the number of flips once the fixed time is over */
  done: Promise<number>;
}

/** Flips `path` (a folder) with a symlink to `decoy` for `ms` milliseconds in a child process. */
export function startFlipper(path: string, decoy: string, ms: number): Flipper {
  const child = spawn(process.execPath, ['-e', FLIP_SCRIPT, path, decoy, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`flipper exited ${code}`))));
  });
  return { done };
}
