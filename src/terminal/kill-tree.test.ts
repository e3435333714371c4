import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { readPidLine } from './kill-tree.js';

async function rest(r: Readable): Promise<string> {
  let s = '';
  r.on('data', (c: Buffer) => { s += c.toString(); });
  r.resume();
  await new Promise((res) => r.once('end', res));
  return s;
}

describe("the shell's pid line", () => {
  it('takes the pid off the front, in one piece or split, and leaves the output after it', async () => {
    for (const chunks of [['tether-shell-pid:42\r\n$ ls\r\n'], ['tether-she', 'll-pid:4', '2\n$ ls\r\n']]) {
      const s = new PassThrough();
      const got = readPidLine(s);
      for (const c of chunks) s.write(c);
      const { pid, output } = await got;
      s.end('more');
      assert.equal(pid, 42);
      assert.match(await rest(output), /^\$ ls\r\nmore$/);
    }
  });

  it('without the line (other output, pid 1, an early end, a long line) hands everything on and knows no pid', async () => {
    for (const text of ['hello\nworld', 'tether-shell-pid:1\nx', 'tether-shell-pid:', `${'x'.repeat(100)}\n`]) {
      const s = new PassThrough();
      const got = readPidLine(s, 2_000);
      s.end(text);
      const { pid, output } = await got;
      assert.equal(pid, null, text);
      assert.equal(await rest(output), text);
    }
  });
});
