// After start: what a container shows at each bind target, found through its root
// (/proc/<pid>/root) with the same no-symlink walk as preparation, compared by device and
// inode with the folder that was prepared and staged.
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS: opening a mounted folder may touch storage that hangs.
import { PrepareStepError } from './classify.js';
import { identityOf, openRootDir, sameIdentity, walkBeneath } from './beneath.js';
import type { BindCheck, VerifyFinding } from './types.js';
import { inHost } from './host-root.js';

const IN_CONTAINER = { where: 'on the way to a bind target inside the container' };

function targetNames(target: string): string[] {
  return target.split('/').filter((n) => n !== '' && n !== '.');
}

export async function verifyBinds(pid: number, checks: BindCheck[]): Promise<VerifyFinding[]> {
  if (!Number.isInteger(pid) || pid <= 0) throw new PrepareStepError('io', `container process id ${pid} is not valid (expected the running container's main process)`);
  const root = await openRootDir(inHost(`/proc/${pid}/root`)).catch((err: unknown) => {
    throw new PrepareStepError('io', `cannot open the root of container process ${pid}: ${(err as Error).message} (expected a running container)`);
  });
  try {
    const findings: VerifyFinding[] = [];
    for (const check of checks) {
      if (targetNames(check.target).includes('..')) {
        findings.push({ ...check, found: null, ok: false, message: `bind target ${JSON.stringify(check.target)} has a ".." segment` });
        continue;
      }
      try {
        const h = await walkBeneath(root, '/', targetNames(check.target), IN_CONTAINER);
        try {
          const found = await identityOf(h);
          findings.push({ ...check, found, ok: sameIdentity(found, check.expected) });
        } finally {
          if (h !== root) await h.close();
        }
      } catch (err) {
        findings.push({ ...check, found: null, ok: false, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return findings;
  } finally {
    await root.close();
  }
}
