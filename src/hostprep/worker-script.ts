// Which script a worker process runs. Built code runs dist/hostprep/worker.js with plain node.
// Under tsx (development, tests) starting tsx in every worker costs ~0.5-1 s per process, which
// would make a replacement worker slow exactly when storage hangs; so the worker is bundled
// once per process with esbuild (a dev dependency, already used by tsx) and run with plain node.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerScript {
  path: string;
  execArgv: string[];
}

// flags that belong to the parent only (test runner, inspector, watch mode)
function inheritedExecArgv(): string[] {
  return process.execArgv.filter((a) => !/^--(test|inspect|watch|experimental-test)/.test(a));
}

let cached: Promise<WorkerScript> | undefined;

export function workerScript(): Promise<WorkerScript> {
  cached ??= resolveWorkerScript();
  return cached;
}

async function resolveWorkerScript(): Promise<WorkerScript> {
  const isSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./worker${isSource ? '.ts' : '.js'}`, import.meta.url));
  if (!isSource) return { path: entry, execArgv: inheritedExecArgv() };
  const outfile = join(tmpdir(), `tether-hostprep-worker-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent' });
    process.once('exit', () => {
      try {
        unlinkSync(outfile);
      } catch {
        // already gone
      }
    });
    return { path: outfile, execArgv: [] };
  } catch {
    // no esbuild: run the source through the same loader as this process (slower start)
    return { path: entry, execArgv: inheritedExecArgv() };
  }
}
