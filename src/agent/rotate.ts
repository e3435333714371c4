// Rotation on a swarm: the new key file (current + previous) becomes a new Swarm secret, and the
// agents' service `tether-agent` is updated to mount it at /run/secrets/tether-agent-key (its
// tasks restart with it, one after another). Secrets of earlier rotations no task uses any more
// are removed; one still in use stays until the next rotation.
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { keyFileText } from './keys.js';
import type { KeyRing } from './signing.js';

export const AGENT_SERVICE = 'tether-agent';
/** the file name under /run/secrets the agents read */
export const AGENT_SECRET_TARGET = 'tether-agent-key';
/** label on the secrets rotation makes (only those are ever removed) */
export const AGENT_SECRET_LABEL = 'tether.agent-key';

export interface SwarmRotation {
  secret: string;
  /** the service updated, or null when there is none */
  service: string | null;
  removed_secrets: string[];
}

interface SecretRef { SecretID: string; SecretName: string; File?: { Name: string; UID?: string; GID?: string; Mode?: number } }

export async function rotateSwarmSecret(docker: Dockerode, ring: KeyRing, o: { service?: string; now?: Date } = {}): Promise<SwarmRotation> {
  // time to the ms and a random part: two rotations in one second must not collide
  const stamp = (o.now ?? new Date()).toISOString().replace(/[-:.]/g, '').toLowerCase();
  const name = `${AGENT_SECRET_TARGET}-${stamp}-${randomBytes(2).toString('hex')}`;
  const created = (await docker.createSecret({
    Name: name, Labels: { [AGENT_SECRET_LABEL]: '1' }, Data: Buffer.from(keyFileText(ring), 'utf8').toString('base64'),
  })) as { id: string };
  let service: string | null = o.service ?? AGENT_SERVICE;
  try {
    const svc = docker.getService(service);
    const info = (await svc.inspect()) as { Version: { Index: number }; Spec: { TaskTemplate: { ContainerSpec: { Secrets?: SecretRef[] } } } };
    const spec = info.Spec;
    const others = (spec.TaskTemplate.ContainerSpec.Secrets ?? []).filter((s) => s.File?.Name !== AGENT_SECRET_TARGET);
    spec.TaskTemplate.ContainerSpec.Secrets = [...others, { SecretID: created.id, SecretName: name, File: { Name: AGENT_SECRET_TARGET, UID: '0', GID: '0', Mode: 0o400 } }];
    await svc.update({ ...spec, version: info.Version.Index });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    service = null;
  }
  const removed: string[] = [];
  const old = (await docker.listSecrets({ filters: JSON.stringify({ label: [AGENT_SECRET_LABEL] }) })) as Array<{ ID: string; Spec?: { Name?: string } }>;
  for (const s of old) {
    if (s.ID === created.id) continue;
    // in use by a task still running with it: the engine refuses, and the next rotation retries
    await docker.getSecret(s.ID).remove().then(() => removed.push(s.Spec?.Name ?? s.ID), () => undefined);
  }
  return { secret: name, service, removed_secrets: removed };
}
