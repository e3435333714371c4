// Key rotation on the real swarm lab: the new key file becomes a new Swarm secret, the service
// is updated to mount it at /run/secrets/tether-agent-key (its task restarts and reads it there),
// and the secret of the rotation before is removed once no task uses it. A service of this test
// stands in for `tether-agent` (the lab's own agents keep their key).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { keyFileText, newKeyText } from '../src/agent/keys.js';
import { AGENT_SECRET_LABEL, AGENT_SECRET_TARGET, rotateSwarmSecret } from '../src/agent/rotate.js';
import type { KeyRing } from '../src/agent/signing.js';
import { execIn } from './helpers/docker.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';

const unavailable = swarmLabUnavailable();
const SERVICE = `tether-agent-rotate-test-${process.pid}`;
let lab: SwarmLab;
const ours: string[] = [];

/** The service's running task that mounts secret `secretId` at the agents' key file, once there is one. */
async function runningTask(manager: Dockerode, secretId: string): Promise<{ node: string; container: string }> {
  for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
    const tasks = (await manager.listTasks({ filters: { service: [SERVICE], 'desired-state': ['running'] } })) as Array<{
      NodeID: string; Status: { State: string; ContainerStatus?: { ContainerID?: string } };
      Spec: { ContainerSpec: { Secrets?: Array<{ SecretID: string; File?: { Name: string } }> } };
    }>;
    const t = tasks.find((x) => x.Status.State === 'running' && x.Status.ContainerStatus?.ContainerID
      && x.Spec.ContainerSpec.Secrets?.some((sec) => sec.File?.Name === AGENT_SECRET_TARGET && sec.SecretID === secretId));
    if (t) return { node: t.NodeID, container: t.Status.ContainerStatus!.ContainerID! };
  }
  throw new Error(`no running task of ${SERVICE} with secret ${secretId}`);
}

describe('agent key rotation on a swarm', { skip: unavailable ?? false }, () => {
  before(async () => {
    lab = await startSwarmLab();
  });
  after(async () => {
    await lab.manager.getService(SERVICE).remove().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2_000));
    for (const id of ours) await lab.manager.getSecret(id).remove().catch(() => undefined);
    await lab.down();
  });

  it('makes a new secret with both keys, mounts it in the service, removes the earlier one once unused', async () => {
    const first: KeyRing = { current: Buffer.from(newKeyText()) };
    const initial = (await lab.manager.createSecret({ Name: `${SERVICE}-initial`, Labels: { [AGENT_SECRET_LABEL]: '1' }, Data: Buffer.from(keyFileText(first)).toString('base64') })) as { id: string };
    ours.push(initial.id);
    await lab.manager.createService({
      Name: SERVICE,
      TaskTemplate: {
        ContainerSpec: { Image: lab.env.SWARM_LAB_IMAGE, Command: ['sleep', '1000000'], Secrets: [{ SecretID: initial.id, SecretName: `${SERVICE}-initial`, File: { Name: AGENT_SECRET_TARGET, UID: '0', GID: '0', Mode: 0o400 } }] },
        RestartPolicy: { Condition: 'none' },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    await runningTask(lab.manager, initial.id);

    const second: KeyRing = { current: Buffer.from(newKeyText()), previous: first.current };
    const r1 = await rotateSwarmSecret(lab.manager, second, { service: SERVICE });
    const created = (await lab.manager.listSecrets({ filters: JSON.stringify({ name: [r1.secret] }) })) as Array<{ ID: string; Spec: { Labels?: Record<string, string> } }>;
    assert.equal(created.length, 1);
    ours.push(created[0]!.ID);
    assert.equal(created[0]!.Spec.Labels?.[AGENT_SECRET_LABEL], '1');
    assert.equal(r1.service, SERVICE);
    const svc = (await lab.manager.getService(SERVICE).inspect()) as { Spec: { TaskTemplate: { ContainerSpec: { Secrets: Array<{ SecretID: string; File: { Name: string } }> } } } };
    assert.deepEqual(svc.Spec.TaskTemplate.ContainerSpec.Secrets.map((s) => [s.SecretID, s.File.Name]), [[created[0]!.ID, AGENT_SECRET_TARGET]]);

    // the task restarted with the new secret: the file holds the new key, then the previous one
    const task = await runningTask(lab.manager, created[0]!.ID);
    const engine = lab.nodes.get(task.node)!;
    const seen = await execIn(engine, task.container, ['cat', `/run/secrets/${AGENT_SECRET_TARGET}`]);
    assert.equal(seen.output, keyFileText(second));

    // the next rotation: earlier secrets the engine no longer holds for a service or task are
    // removed (the engine refuses the others: they stay for a later rotation), never the new one
    const third: KeyRing = { current: Buffer.from(newKeyText()), previous: second.current };
    const r2 = await rotateSwarmSecret(lab.manager, third, { service: SERVICE });
    const made2 = (await lab.manager.listSecrets({ filters: JSON.stringify({ name: [r2.secret] }) })) as Array<{ ID: string }>;
    assert.equal(made2.length, 1);
    ours.push(...made2.map((s) => s.ID));
    assert.notEqual(r2.secret, r1.secret);
    assert.ok(!r2.removed_secrets.includes(r2.secret));
    assert.ok(r2.removed_secrets.length >= 1, `the secret of the rotation before is no longer used by the service: ${JSON.stringify(r2)}`);
    const left = ((await lab.manager.listSecrets()) as Array<{ Spec: { Name: string } }>).map((x) => x.Spec.Name);
    for (const name of r2.removed_secrets) assert.ok(!left.includes(name), `${name} is gone`);
  });

  it('without the service: the secret is made, service null', async () => {
    const r = await rotateSwarmSecret(lab.manager, { current: Buffer.from(newKeyText()) }, { service: `${SERVICE}-absent` });
    assert.equal(r.service, null);
    const made = (await lab.manager.listSecrets({ filters: JSON.stringify({ name: [r.secret] }) })) as Array<{ ID: string }>;
    assert.equal(made.length, 1);
    ours.push(made[0]!.ID);
  });
});
