// Key files. One format on both sides: one key per line, the current key first, the previous
// one (accepted during a rotation) second. The server's file is <dataDir>/agent.key (made at
// first use, 0600); an agent reads its file (a Swarm secret, /run/secrets/tether-agent-key).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MIN_KEY_LENGTH, type KeyRing } from './signing.js';

export const SERVER_KEY_FILE_NAME = 'agent.key';
export const DEFAULT_AGENT_KEY_FILE = '/run/secrets/tether-agent-key';

export function newKeyText(): string {
  return randomBytes(32).toString('base64url');
}

/** Parses a key file's text; throws saying which line is wrong and what was expected. */
export function parseKeyFile(text: string, where: string): KeyRing {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new Error(`${where}: no key in the file (expected one line of at least ${MIN_KEY_LENGTH} characters, e.g. from "openssl rand -base64 32")`);
  if (lines.length > 2) throw new Error(`${where}: ${lines.length} keys in the file (expected the current key, and at most one previous key on the second line)`);
  lines.forEach((l, i) => {
    if (l.length < MIN_KEY_LENGTH) throw new Error(`${where}: key on line ${i + 1} has ${l.length} characters (expected at least ${MIN_KEY_LENGTH})`);
  });
  return { current: Buffer.from(lines[0]!, 'utf8'), ...(lines[1] ? { previous: Buffer.from(lines[1], 'utf8') } : {}) };
}

export function keyFileText(ring: KeyRing): string {
  return `${ring.current.toString('utf8')}\n${ring.previous ? `${ring.previous.toString('utf8')}\n` : ''}`;
}

export async function readKeyFile(path: string): Promise<KeyRing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`agent key file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message} (expected the join key: see docs/agent.md)`);
  }
  return parseKeyFile(text, `agent key file ${path}`);
}

/** Writes a key file atomically, readable by its owner only. */
export async function writeKeyFile(path: string, ring: KeyRing): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, keyFileText(ring), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

const instances = new Map<string, ServerAgentKeys>();

/**
 * The server's keys: TETHER_AGENT_KEY_FILE when set (e.g. the file a lab also made the Swarm
 * secret from), else <dataDir>/agent.key, made at first use.
 */
export class ServerAgentKeys {
  private ring: KeyRing | undefined;
  constructor(readonly path: string) {}

  /** one instance per file in a process: a rotation through the API reaches every client at once */
  static forDataDir(dataDir: string, keyFile?: string): ServerAgentKeys {
    const path = keyFile ?? join(dataDir, SERVER_KEY_FILE_NAME);
    let keys = instances.get(path);
    if (!keys) instances.set(path, (keys = new ServerAgentKeys(path)));
    return keys;
  }

  async load(): Promise<KeyRing> {
    if (this.ring) return this.ring;
    try {
      this.ring = await readKeyFile(this.path);
    } catch (err) {
      const missing = await readFile(this.path).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
      if (!missing) throw err;
      this.ring = { current: Buffer.from(newKeyText(), 'utf8') };
      await writeKeyFile(this.path, this.ring);
    }
    return this.ring;
  }

  /** the keys as last loaded (load() first) */
  get current(): KeyRing {
    if (!this.ring) throw new Error('agent keys: load() was not called');
    return this.ring;
  }

  /** A new current key; the current one becomes the previous (the one before is dropped). */
  async rotate(): Promise<KeyRing> {
    const old = await this.load();
    const next: KeyRing = { current: Buffer.from(newKeyText(), 'utf8'), previous: old.current };
    await writeKeyFile(this.path, next);
    this.ring = next;
    return next;
  }
}
