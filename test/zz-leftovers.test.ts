// Runs last (file order): after the whole suite nothing of Tether's may be left behind on the
// engine or the host: no session container running, no helper container at all (a helper has
// had the host's mount namespace and CAP_SYS_ADMIN), no stage mounted under the staging root.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dockerClient, ensureDocker } from './helpers/docker.js';
import { HELPER_LABEL } from '../src/hostprep/index.js';
import { stageMounts } from './hostprep-contract.js';

describe('after the whole suite', () => {
  it('no Tether session container is running', async () => {
    await ensureDocker();
    const running = await dockerClient().listContainers({ filters: { label: ['tether=1'] } });
    assert.deepEqual(running.map((c) => `${c.Names[0]} (${c.Status})`), []);
  });

  it('no helper container exists, in any state', async () => {
    const helpers = await dockerClient().listContainers({ all: true, filters: { label: [HELPER_LABEL] } });
    assert.deepEqual(helpers.map((c) => `${c.Id.slice(0, 12)} ${c.Labels[HELPER_LABEL]} (${c.Status})`), []);
  });

  it('no stage is left mounted under the staging root', () => {
    assert.deepEqual(stageMounts(), []);
  });
});
