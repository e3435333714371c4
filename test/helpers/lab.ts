// Runs the lab scripts (scripts/lab/*.sh) that install and start real components, once per process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const LAB_DIR = fileURLToPath(new URL('../../scripts/lab/', import.meta.url));
const done = new Map<string, Promise<void>>();

/** Runs scripts/lab/<name> (no arguments) once per test process; rejects with its output on failure. */
export function runLabScript(name: string): Promise<void> {
  let p = done.get(name);
  if (!p) {
    p = execFileAsync('bash', [LAB_DIR + name], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }).then(
      () => undefined,
      (err: { stdout?: string; stderr?: string; message: string }) => {
        done.delete(name);
        throw new Error(`scripts/lab/${name} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
      },
    );
    done.set(name, p);
  }
  return p;
}
