// The staging folders' own safety: every level a real folder that only Tether (root) can
// change, so nobody can swap a level for a symlink between the check and the mount.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStageDir } from './staging.js';
import { PrepareStepError } from './classify.js';

const refusedAsPolicy = (pattern: RegExp) => (err: unknown) => err instanceof PrepareStepError && err.failureClass === 'policy' && pattern.test(err.message);

describe('ensureStageDir', { skip: process.getuid?.() !== 0 ? 'needs root (chown)' : false }, () => {
  it('creates missing levels root-only and accepts them again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tether-stage-'));
    try {
      await ensureStageDir(join(root, 'ns', 'session'));
      await ensureStageDir(join(root, 'ns', 'session'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a level someone else owns, one others can write, and a symlink', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tether-stage-'));
    try {
      mkdirSync(join(root, 'theirs'), { mode: 0o700 });
      chownSync(join(root, 'theirs'), 1000, 1000);
      await assert.rejects(ensureStageDir(join(root, 'theirs', 's')), refusedAsPolicy(/owned by uid 1000/));
      mkdirSync(join(root, 'open'));
      chmodSync(join(root, 'open'), 0o777);
      await assert.rejects(ensureStageDir(join(root, 'open', 's')), refusedAsPolicy(/mode 777/));
      mkdirSync(join(root, 'real'), { mode: 0o700 });
      symlinkSync(join(root, 'real'), join(root, 'link'));
      await assert.rejects(ensureStageDir(join(root, 'link', 's')), refusedAsPolicy(/not a real folder/));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
