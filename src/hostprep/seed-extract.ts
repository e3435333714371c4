// Seeding a new profile from an image's home: a tar archive (as the engine's archive API gives
// it: the first path component is the home folder's own name) unpacked into a fresh folder,
// through descriptors only. Folders on the way are opened with O_NOFOLLOW, files are created
// with O_CREAT|O_EXCL|O_NOFOLLOW, symlinks are created as links and never written through, so
// no entry of the archive can make a write land outside the folder. Everything gets the
// session user as owner; setuid/setgid bits are dropped; hard links, devices and fifos are
// skipped (counted). The archive itself sits on Tether's own disk, not on profile storage.
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS: writes go to profile storage, which may hang.
import { constants } from 'node:fs';
import { lchown, mkdir, open, symlink, type FileHandle } from 'node:fs/promises';
import { fdPath, joinPath, openBeneath } from './beneath.js';

const IN_SEED = { where: 'inside a profile being seeded' };
const BLOCK = 512;
const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface SeedCount {
  entries: number;
  bytes: number;
  /** entries not copied: unsafe names, hard links, devices, fifos, or a symlink on the way */
  skipped: number;
}

interface Owner {
  uid: number;
  gid: number;
}

interface Header {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  type: string;
  linkname: string;
}

function text(b: Buffer, start: number, len: number): string {
  const slice = b.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

/** Octal, or base-256 when the first byte has its high bit set (large sizes). */
function numberField(b: Buffer, start: number, len: number): number {
  if ((b[start]! & 0x80) !== 0) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = text(b, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(b: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  return sum === numberField(b, 148, 8);
}

/** PAX records "<len> key=value\n": path and linkpath override the next header's fields. */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!(len > 0)) break;
    const rec = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** The names below the archive's top folder, or null when a name is unsafe (absolute, "..", NUL). */
export function seedComponents(name: string): string[] | null {
  if (name.includes('\0')) return null;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  return parts.slice(1); // the home folder's own name
}

class TarReader {
  private pos = 0;
  constructor(private readonly fh: FileHandle) {}
  async read(len: number): Promise<Buffer> {
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, this.pos + got);
      if (bytesRead === 0) throw new Error(`seed archive ends early (at byte ${this.pos + got})`);
      got += bytesRead;
    }
    this.pos += len;
    return buf;
  }
  skip(len: number): void {
    this.pos += len;
  }
  at(): number {
    return this.pos;
  }
}

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

async function nextHeader(r: TarReader): Promise<Header | null> {
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  for (;;) {
    const b = await r.read(BLOCK);
    if (b.every((x) => x === 0)) return null;
    if (!checksumOk(b)) throw new Error(`seed archive: bad header checksum at byte ${r.at() - BLOCK}`);
    const type = String.fromCharCode(b[156]!) || '0';
    const size = numberField(b, 124, 12);
    if (type === 'x' || type === 'L' || type === 'K' || type === 'g') {
      const data = (await r.read(padded(size))).subarray(0, size);
      if (type === 'x') pax = { ...pax, ...paxRecords(data) };
      if (type === 'L') longName = text(data, 0, size);
      if (type === 'K') longLink = text(data, 0, size);
      continue;
    }
    const prefix = text(b, 345, 155);
    const plain = text(b, 0, 100);
    return {
      name: pax.path ?? longName ?? (prefix ? `${prefix}/${plain}` : plain),
      mode: numberField(b, 100, 8),
      size: pax.size !== undefined ? Number(pax.size) : size,
      mtime: numberField(b, 136, 12),
      type: type === '\0' ? '0' : type,
      linkname: pax.linkpath ?? longLink ?? text(b, 157, 100),
    };
  }
}

/** Opens the folder `names` below root, creating missing ones (owner applied); null when a symlink is on the way. */
async function openParent(root: FileHandle, names: string[], owner: Owner): Promise<FileHandle | null> {
  let cur = root;
  let shown = '';
  try {
    for (const name of names) {
      shown = joinPath(shown || '/', name);
      let next = await openBeneath(cur, name, shown, IN_SEED);
      if (next === null) {
        await mkdir(fdPath(cur, name), { mode: 0o755 });
        next = await openBeneath(cur, name, shown, IN_SEED);
        if (next === null) return null;
        await next.chown(owner.uid, owner.gid);
      }
      if (cur !== root) await cur.close();
      cur = next;
    }
    return cur;
  } catch {
    if (cur !== root) await cur.close().catch(() => undefined);
    return null;
  }
}

const safeMode = (mode: number) => mode & 0o1777; // no setuid/setgid in a home

async function writeFile(r: TarReader, parent: FileHandle, name: string, h: Header, owner: Owner): Promise<boolean> {
  let out: FileHandle;
  try {
    out = await open(fdPath(parent, name), CREATE_FILE, 0o600);
  } catch {
    r.skip(padded(h.size));
    return false; // exists (never overwritten) or a link in the way
  }
  try {
    let left = h.size;
    while (left > 0) {
      const chunk = await r.read(Math.min(left, 1 << 20));
      await out.write(chunk);
      left -= chunk.length;
    }
    r.skip(padded(h.size) - h.size);
    await out.chown(owner.uid, owner.gid);
    await out.chmod(safeMode(h.mode));
    if (h.mtime > 0) await out.utimes(h.mtime, h.mtime);
    return true;
  } finally {
    await out.close();
  }
}

/** Unpacks the archive at tarPath into the folder behind root. */
export async function extractSeed(tarPath: string, root: FileHandle, owner: Owner): Promise<SeedCount> {
  const count: SeedCount = { entries: 0, bytes: 0, skipped: 0 };
  const fh = await open(tarPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const r = new TarReader(fh);
    for (let h = await nextHeader(r); h !== null; h = await nextHeader(r)) {
      const names = seedComponents(h.name);
      const isData = h.type === '0' || h.type === '7';
      if (names === null || names.length === 0) {
        if (isData) r.skip(padded(h.size));
        if (names === null) count.skipped++;
        continue;
      }
      const name = names[names.length - 1]!;
      const parent = await openParent(root, names.slice(0, -1), owner);
      if (parent === null) {
        if (isData) r.skip(padded(h.size));
        count.skipped++;
        continue;
      }
      try {
        let done = false;
        if (isData) {
          done = await writeFile(r, parent, name, h, owner);
          if (done) count.bytes += h.size;
        } else if (h.type === '5') {
          await mkdir(fdPath(parent, name), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'EEXIST') throw err;
          });
          const dir = await openBeneath(parent, name, name, IN_SEED).catch(() => null);
          if (dir) {
            await dir.chown(owner.uid, owner.gid);
            await dir.chmod(safeMode(h.mode) | 0o700);
            await dir.close();
            done = true;
          }
        } else if (h.type === '2') {
          // created as a link; lchown changes the link, never its target
          done = await symlink(h.linkname, fdPath(parent, name)).then(() => lchown(fdPath(parent, name), owner.uid, owner.gid)).then(() => true, () => false);
        } else if (h.size > 0) {
          r.skip(padded(h.size)); // hard links carry no data; anything else with data is skipped
        }
        if (done) count.entries++;
        else count.skipped++;
      } finally {
        if (parent !== root) await parent.close();
      }
    }
    return count;
  } finally {
    await fh.close();
  }
}
