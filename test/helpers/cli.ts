// How tests run the `tether` command: runTether to its end, tetherArgs for a long-running
// child (the server). `npm test` builds first and sets TETHER_TEST_BUILT=1: then tests start the built dist/cli/main.js with plain node (about ten times faster to
// start than tsx, and it is what users run). Without it (a single test file run by hand)
// they run the TypeScript source through tsx, so no build is needed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

const built = process.env.TETHER_TEST_BUILT === '1';

/** Arguments for process.execPath that run `tether ARGS...`. */
export function tetherArgs(args: string[]): string[] {
  return built
    ? [join(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args]
    : ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args];
}

/**
 * This process's environment without the developer's own TETHER_* settings (they would
 * point a test's CLI or server elsewhere), plus `extra`.
 */
export function tetherEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TETHER_')) env[k] = v;
  return { ...env, ...extra };
}

export interface TetherRun {
  /** the exit code; -1 when it was killed (e.g. by the timeout) */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tether ARGS...` to its end, from the repository root, with tetherEnv(env). `stdin`
 * is its whole input (a pipe, never a TTY; default: empty).
 */
export function runTether(args: string[], opts: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<TetherRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, tetherArgs(args), { cwd: REPO_ROOT, env: tetherEnv(opts.env), timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(opts.stdin ?? '');
  });
}
