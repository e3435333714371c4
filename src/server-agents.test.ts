// The start-up warning about no-new-privileges on a swarm. The manager is replaced by an object
// answering engineVersion only: which engine version a real lab runs is fixed (20.10), and the
// warning must be shown to be absent on a newer one too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Writable } from 'node:stream';
import { warnWithoutNoNewPrivileges } from './server-agents.js';
import type { SwarmRuntime } from './runtime/swarm/index.js';

function capture(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
  return { logger: pino({ level: 'info' }, sink), lines };
}
const managerAt = (apiVersion: string, version: string) => ({ engineVersion: async () => ({ apiVersion, version }) }) as unknown as SwarmRuntime;

describe('no-new-privileges on a swarm, at server start', () => {
  it('warns once on a manager older than API 1.46, naming its version', async () => {
    const { logger, lines } = capture();
    await warnWithoutNoNewPrivileges(managerAt('1.41', '20.10.24'), logger);
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, /"level":40.*API 1\.41 is older than 1\.46 \(Docker 27\): sessions run WITHOUT no-new-privileges/);
  });

  it('says nothing on API 1.46 and later, nor when the manager does not answer', async () => {
    const { logger, lines } = capture();
    await warnWithoutNoNewPrivileges(managerAt('1.46', '27.0.1'), logger);
    await warnWithoutNoNewPrivileges(managerAt('1.47', '27.3.1'), logger);
    await warnWithoutNoNewPrivileges({ engineVersion: async () => { throw new Error('down'); } } as unknown as SwarmRuntime, logger);
    assert.deepEqual(lines, []);
  });
});
