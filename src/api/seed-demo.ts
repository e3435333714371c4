// `tether server --seed-demo` (scripts/up.sh): on a Tether without an image named "demo",
// create it: tether/demo-workspace:1 (scripts/lab/build-demo-image.sh), its web app on 8080,
// run as 1000:1000, with /srv/tether/share -> /share (rw, owned by 1000:1000). Idempotent:
// an existing "demo" image is left as the administrator made it. It creates the image as
// POST /images does (same audit entry), hence its place beside the routes.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { ImageRecord, Store } from '../store/types.js';
import type { HostPathPolicy, MappingDocument } from '../mappings/types.js';
import { checkDocumentPolicy } from '../mappings/index.js';
import { writeAudit } from './audit-log.js';
import { imageJson } from './serialize.js';

export const DEMO_IMAGE_NAME = 'demo';
export const DEMO_DOCKER_IMAGE = 'tether/demo-workspace:1';
export const DEMO_SHARE = '/srv/tether/share';

export function demoMappings(share = DEMO_SHARE): MappingDocument {
  return { [share]: { bind: '/share', mode: 'rw', uid: 1000, gid: 1000, required: true, timeout: 10, skip_check: false } };
}

/** Returns true when it created the image. */
export async function seedDemo(store: Store, policy: HostPathPolicy, print: (line: string) => void, share = DEMO_SHARE): Promise<boolean> {
  if (await store.images.getByName(DEMO_IMAGE_NAME)) return false;
  const volume_mappings = demoMappings(share);
  const problems = checkDocumentPolicy(volume_mappings, policy);
  if (problems.length > 0) throw new Error(`seed-demo: the demo mapping ${share} is refused by the host-path policy: ${problems.map((p) => p.message).join('; ')}`);
  await mkdir(share, { recursive: true, mode: 0o755 });
  const now = new Date();
  const at = now.toISOString();
  const image: ImageRecord = {
    image_id: randomUUID(), name: DEMO_IMAGE_NAME, friendly_name: 'Demo workspace (files in /share persist)', docker_image: DEMO_DOCKER_IMAGE,
    volume_mappings, persistent_profile_path: null, user: '1000:1000', cores: null, memory: null, enabled: true, groups: [],
    web_port: 8080, registry_auth_encrypted: null, created_at: at, updated_at: at,
  };
  await store.transaction(async (tx) => {
    await tx.images.create(image);
    // the same entry POST /images writes, by "(system)"
    await writeAudit(tx, null, now, { action: 'image.create', target_type: 'image', target_id: image.image_id, target_name: image.name, after: imageJson(image) });
  });
  print(`Created image "${DEMO_IMAGE_NAME}" (${DEMO_DOCKER_IMAGE}, web app on 8080, ${share} -> /share): launch it with \`tether session launch --image demo\` or from the web UI`);
  return true;
}
