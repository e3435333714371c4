// Host-preparation worker: a disposable child process (started by worker-pool.ts) that does the
// filesystem work, so that storage that hangs blocks threads of this process, never Tether's.
// Several requests at a time (async fs on a thread pool enlarged by the parent); once one of
// them misses its deadline the parent sends no more and kills this process.
import { checkHostPath } from '../mappings/index.js';
import { WORKER_THREADS } from './protocol.js';
import { PrepareStepError } from './classify.js';
import { runPrepareSteps } from './prepare-steps.js';
import { verifyBinds } from './verify-steps.js';
import { buildProfile, probeProfile, purgeProfileTrash } from './profile-steps.js';
import { runStorageSteps } from './storage-steps.js';
import { useHostRoot } from './host-root.js';
import type { WorkerRequest, WorkerResponse } from './protocol.js';

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  try {
    useHostRoot(req.hostRoot ?? '/');
    if (req.op === 'verify') return { id: req.id, ok: true, findings: await verifyBinds(req.pid, req.checks) };
    if (req.op === 'profile') {
      const check = (path: string) => checkHostPath(path, req.policy);
      if (req.step === 'probe') return { id: req.id, ok: true, profile: { step: 'probe', ...(await probeProfile(req, check)) } };
      if (req.step === 'build') return { id: req.id, ok: true, profile: { step: 'build', ...(await buildProfile(req, check)) } };
      return { id: req.id, ok: true, profile: { step: 'purge', removed: await purgeProfileTrash(req, check) } };
    }
    if (req.op === 'storage') return { id: req.id, ok: true, storage: await runStorageSteps(req, (path) => checkHostPath(path, req.policy)) };
    const result = await runPrepareSteps(req, (path) => checkHostPath(path, req.policy));
    return { id: req.id, ok: true, ...result };
  } catch (err) {
    if (err instanceof PrepareStepError) return { id: req.id, ok: false, class: err.failureClass, message: err.message };
    const what = req.op === 'verify' ? `verification of container process ${req.pid}` : req.op === 'storage' ? `storage check of ${JSON.stringify(req.path)}` : req.op === 'profile' ? `profile ${req.step} of ${JSON.stringify(req.hostPath)}` : `host preparation of ${JSON.stringify(req.hostPath)}`;
    return { id: req.id, ok: false, class: 'io', message: `${what} failed unexpectedly: ${String(err)}` };
  }
}

// libuv sizes its thread pool at the first fs call, so this takes effect: hung calls each hold a
// thread, and the others must still find one (the parent sends at most WORKER_CONCURRENCY at once).
process.env.UV_THREADPOOL_SIZE = String(WORKER_THREADS);

if (!process.send) {
  console.error('hostprep worker: must be started with an IPC channel (by worker-pool.ts)');
  process.exit(2);
}
process.on('message', (msg: WorkerRequest) => {
  void handle(msg).then((res) => {
    if (process.connected) process.send!(res);
  });
});
// the parent's death closes the channel: do not linger (unless stuck on storage, which nobody can help)
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
