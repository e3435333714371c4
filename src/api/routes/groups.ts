// Groups and their settings: administrators only. System groups ("Administrators",
// "All Users") cannot be deleted or renamed; their priority and settings may change.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defaultGroupSettings } from '../../store/system-groups.js';
import type { GroupRecord } from '../../store/types.js';
import type { AppDeps } from '../types.js';
import { conflict } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { requireGroup } from '../lookup.js';
import { GroupSettingsInput, atLeastOne, errorResponses, idParams, nameText, saved } from '../schemas.js';
import { ownershipWarnings, withWarnings } from '../ownership-warnings.js';
import { groupJson } from '../serialize.js';
import { mergeGroupSettings } from '../group-settings-input.js';
import { Group } from '../wire/index.js';

const params = idParams('group id or name');
const priority = z.number().int().min(0).max(2147483647).describe('unique; lower wins when mappings collide');

export async function groupRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const now = clockOf(deps);
  const tags = ['groups'];

  app.get('/groups', {
    config: { access: 'admin' },
    schema: { summary: 'List groups (by priority)', tags, response: { 200: z.array(Group), ...errorResponses } },
  }, async () => (await deps.store.groups.list()).sort((a, b) => a.priority - b.priority).map(groupJson));

  app.post('/groups', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create a group',
      tags,
      body: z.object({ name: nameText, priority, settings: GroupSettingsInput.optional() }),
      response: { 201: saved(Group), ...errorResponses },
    },
  }, async (request, reply) => {
    const { name, priority: prio, settings = {} } = request.body;
    const at = now().toISOString();
    const group: GroupRecord = {
      group_id: randomUUID(), name, priority: prio, system: false,
      settings: mergeGroupSettings(defaultGroupSettings(), settings, deps.policy), created_at: at, updated_at: at,
    };
    await deps.store.transaction(async (tx) => {
      await tx.groups.create(group);
      await writeAudit(tx, caller(request), now(), { action: 'group.create', target_type: 'group', target_id: group.group_id, target_name: name, after: groupJson(group) });
    });
    const warnings = await ownershipWarnings(deps.store, group.settings.volume_mappings, { kind: 'group', id: group.group_id });
    return reply.status(201).send(withWarnings(groupJson(group), warnings));
  });

  app.get('/groups/:id', {
    config: { access: 'admin' },
    schema: { summary: 'Show a group', tags, params, response: { 200: Group, ...errorResponses } },
  }, async (request) => groupJson(await requireGroup(deps.store, request.params.id)));

  app.patch('/groups/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Rename, re-prioritize or change settings (settings merge: only the given keys change)',
      tags, params,
      body: atLeastOne(z.object({ name: nameText.optional(), priority: priority.optional(), settings: GroupSettingsInput.optional() })),
      response: { 200: saved(Group), ...errorResponses },
    },
  }, async (request) => {
    const group = await requireGroup(deps.store, request.params.id);
    const { name, priority: prio, settings } = request.body;
    if (name !== undefined && name !== group.name && group.system) throw conflict(`the system group "${group.name}" cannot be renamed`);
    const patch: Partial<GroupRecord> = { updated_at: now().toISOString() };
    if (name !== undefined) patch.name = name;
    if (prio !== undefined) patch.priority = prio;
    if (settings !== undefined) patch.settings = mergeGroupSettings(group.settings, settings, deps.policy);
    const updated = { ...group, ...patch };
    await deps.store.transaction(async (tx) => {
      await tx.groups.update(group.group_id, patch);
      await writeAudit(tx, caller(request), now(), {
        action: settings !== undefined ? 'group.settings' : 'group.update', target_type: 'group', target_id: group.group_id, target_name: updated.name,
        before: groupJson(group), after: groupJson(updated),
      });
    });
    const warnings = settings?.volume_mappings === undefined ? [] : await ownershipWarnings(deps.store, updated.settings.volume_mappings, { kind: 'group', id: group.group_id });
    return withWarnings(groupJson(updated), warnings);
  });

  app.delete('/groups/:id', {
    config: { access: 'admin' },
    schema: { summary: 'Delete a group (system groups: 409)', tags, params, response: { 204: z.null(), ...errorResponses } },
  }, async (request, reply) => {
    const group = await requireGroup(deps.store, request.params.id);
    if (group.system) throw conflict(`the system group "${group.name}" cannot be deleted`);
    await deps.store.transaction(async (tx) => {
      await tx.groups.delete(group.group_id);
      await writeAudit(tx, caller(request), now(), { action: 'group.delete', target_type: 'group', target_id: group.group_id, target_name: group.name, before: groupJson(group) });
    });
    return reply.status(204).send(null);
  });
}
