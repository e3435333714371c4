// Host preparation on this host through worker processes: the HostPreparer contract, and the
// pool bound (maxWorkers) held under a burst.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createLocalHostPreparer } from '../src/hostprep/index.js';
import { hostPreparerContract } from './hostprep-contract.js';

hostPreparerContract('local workers', async () => createLocalHostPreparer({ minWorkers: 2, maxWorkers: 4 }));

describe('local workers: pool size', () => {
  const base = mkdtempSync('/tmp/tether-hostprep-burst-');
  after(() => rmSync(base, { recursive: true, force: true }));

  it('12 requests at once on a maxWorkers: 4 preparer never run more than 4 workers', async () => {
    const preparer = createLocalHostPreparer({ minWorkers: 2, maxWorkers: 4 });
    const prefix = `${base}/share`;
    mkdirSync(prefix);
    // Warm first: a request running past 500 ms (a cold worker start) makes its worker suspect,
    // and the pool then starts a spare beyond maxWorkers on purpose (worker-pool.ts); the bound
    // holds for healthy workers, which a warm burst of quick requests keeps them all.
    const warm = await preparer.prepare({ hostPath: `${prefix}/warm`, fixedPrefix: prefix, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: 20_000, session: 'burst' });
    assert.equal(warm.ok, true, JSON.stringify(warm));
    let maxLive = 0;
    // sample often during the burst: a pool growing past its bound would show here
    const sampler = setInterval(() => (maxLive = Math.max(maxLive, preparer.stats().live)), 1);
    try {
      const burst = Array.from({ length: 12 }, (_, i) =>
        preparer.prepare({ hostPath: `${prefix}/u${i}`, fixedPrefix: prefix, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: 20_000, session: 'burst' }));
      maxLive = Math.max(maxLive, preparer.stats().live);
      const results = await Promise.all(burst);
      maxLive = Math.max(maxLive, preparer.stats().live);
      assert.ok(results.every((r) => r.ok), JSON.stringify(results));
      assert.ok(maxLive <= 4, `live workers reached ${maxLive}; maxWorkers is 4`);
      assert.ok(maxLive >= 1, 'the sampler saw the pool at work');
    } finally {
      clearInterval(sampler);
      await preparer.release('burst');
      await preparer.close();
    }
  });
});
