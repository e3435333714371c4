// Pure translation of a ContainerSpec into a Swarm service spec: one replica, never restarted
// (Tether decides what happens when a session ends or its node dies, never Swarm), pinned to
// the node the caller chose. Labels and the bind mounts are those of the single-engine backend
// (docker/container-spec.ts), on the service (what list/inspect read) and on its container
// (what a node's own engine sees).
import { DEFAULT_HARDENING, SESSION_NETWORK } from '../hardening.js';
import { SWARM_SESSION_NETWORK } from './session-network.js';
import { RuntimeError } from '../errors.js';
import type { ContainerSpec } from '../types.js';
import { compareApiVersions } from '../docker/engine.js';
import { LABEL_NETWORK, labelsFor } from '../docker/container-spec.js';
import type { SwarmServiceSpec } from './swarm-types.js';

/** Swarm node ids are lowercase base-36; anything else must not reach a placement constraint. */
const NODE_ID = /^[a-z0-9]{1,64}$/;

/** The first API version whose service spec carries Privileges.NoNewPrivileges (Docker 27). */
export const NO_NEW_PRIVILEGES_API = '1.46';

/** Whether a service made through a manager of this API version runs with no-new-privileges. */
export function carriesNoNewPrivileges(apiVersion: string): boolean {
  return compareApiVersions(apiVersion, NO_NEW_PRIVILEGES_API) >= 0;
}

export interface ServiceSpecOptions {
  /** SIGTERM grace when the task is stopped or removed; fixed at create (a task's spec cannot change) */
  stopGraceSeconds: number;
  /** the manager's API version: fields newer than it are not sent (the engine would drop them silently) */
  apiVersion: string;
}

export function serviceSpecFor(spec: ContainerSpec, opts: ServiceSpecOptions): SwarmServiceSpec {
  if (spec.node !== undefined && !NODE_ID.test(spec.node)) {
    throw new RuntimeError('bad_request', `swarm: create service ${spec.name}: node "${spec.node}" is not a Swarm node id (expected lowercase letters and digits, e.g. from tether node list)`);
  }
  const h = spec.hardening ?? DEFAULT_HARDENING;
  const labels = labelsFor(spec);
  // the default sessions network is the swarm's own (session-network.ts); a network an image
  // names instead must be one a service can join (swarm-scoped)
  const network = h.network === SESSION_NETWORK ? SWARM_SESSION_NETWORK : h.network;
  labels[LABEL_NETWORK] = network;
  const container: SwarmServiceSpec['TaskTemplate']['ContainerSpec'] = {
    Image: spec.image,
    Labels: { ...labels },
    Mounts: spec.mounts.map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
    CapabilityDrop: ['ALL'],
    CapabilityAdd: [...h.capabilities],
    StopGracePeriod: Math.round(opts.stopGraceSeconds * 1e9),
  };
  if (h.noNewPrivileges && carriesNoNewPrivileges(opts.apiVersion)) container.Privileges = { NoNewPrivileges: true };
  if (spec.user !== null) container.User = spec.user;
  if (spec.env) container.Env = [...spec.env];
  // Args replaces the image's CMD, as Cmd does on a single engine (Command would replace its ENTRYPOINT)
  if (spec.cmd) container.Args = [...spec.cmd];
  const limits: SwarmServiceSpec['TaskTemplate']['Resources']['Limits'] = {};
  if (spec.cores !== null) limits.NanoCPUs = Math.round(spec.cores * 1e9);
  if (spec.memory !== null) limits.MemoryBytes = spec.memory;
  // 0 = no limit for a service
  if (h.pidsLimit !== null) limits.Pids = h.pidsLimit;
  return {
    Name: spec.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: container,
      RestartPolicy: { Condition: 'none' },
      Networks: [{ Target: network }],
      Placement: { Constraints: spec.node !== undefined ? [`node.id==${spec.node}`] : [] },
      Resources: { Limits: limits },
    },
    Mode: { Replicated: { Replicas: 1 } },
  };
}
