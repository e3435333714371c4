// What the in-process session suites (the state machine, placement) share: a fake image in
// the store, a launch as an administrator that waits for its end, and closing the world.
import type { MappingDocument } from '../../src/mappings/types.js';
import type { Actor, SessionManager } from '../../src/sessions/types.js';
import type { ImageRecord, SessionRecord, Store, UserRecord } from '../../src/store/types.js';
import { makeImage } from './store-records.js';

export const TEST_ADMIN: Actor = { user_id: null, username: 'test-admin', isAdmin: true };

export interface WorldBasics {
  image(doc?: MappingDocument, zones?: string[]): Promise<ImageRecord>;
  /** launch as an administrator and wait for the launch to finish */
  launch(user: UserRecord, image: ImageRecord): Promise<SessionRecord>;
  close(): Promise<void>;
}

export function worldBasics(store: Store, manager: SessionManager): WorldBasics {
  return {
    async image(doc = {}, zones) {
      const i = makeImage({ docker_image: 'fake/image:1', volume_mappings: doc, user: '1000:1000', ...(zones ? { zones } : {}) });
      await store.images.create(i);
      return i;
    },
    async launch(user, image) {
      const rec = await manager.launch({ imageId: image.image_id, userId: user.user_id, actor: TEST_ADMIN });
      return manager.waitForLaunch(rec.session_id);
    },
    async close() {
      await manager.close();
      await store.close();
    },
  };
}
