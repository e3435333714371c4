// `tether agent` as the plain process an administrator runs (docs/agent.md): flags, its key file
// read again on SIGHUP, clear refusals of a bad key file or address; and `tether agent
// rotate-key` through a real `tether server`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createAgentClient } from '../src/agent/http-client.js';
import { AgentUnavailableError } from '../src/agent/client.js';
import { newKeyText, parseKeyFile } from '../src/agent/keys.js';
import { keyId } from '../src/agent/signing.js';
import { REPO_ROOT, runTether, tetherArgs, tetherEnv } from './helpers/cli.js';
import { freePort, login, startTetherServer } from './helpers/tether-server.js';
import { ensureDocker } from './helpers/docker.js';

const dir = mkdtempSync('/tmp/tether-agent-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));

async function startAgentProcess(args: string[]): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, tetherArgs(['agent', ...args]), { cwd: REPO_ROOT, env: tetherEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  for (const until = Date.now() + 30_000; !out.includes('agent: listening'); await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`tether agent did not start:\n${out}`);
    }
  }
  return { child, output: () => out };
}

describe('tether agent (a plain process)', () => {
  it('serves with its key file, reads it again on SIGHUP, and stops on SIGTERM', async () => {
    await ensureDocker();
    const keyFile = `${dir}/key`;
    const A = newKeyText();
    writeFileSync(keyFile, `${A}\n`, { mode: 0o600 });
    const port = await freePort();
    const agent = await startAgentProcess(['--listen', `127.0.0.1:${port}`, '--key-file', keyFile, '--host-root', '/']);
    const url = `http://127.0.0.1:${port}`;
    const withA = createAgentClient({ url, keys: () => ({ current: Buffer.from(A) }) });
    try {
      const ping = await withA.ping();
      assert.match(ping.engine, /^\d+\.\d+/);
      assert.equal(ping.nodeId, null, 'this engine is not in a swarm');
      assert.match(agent.output(), /"hostRoot":"\/"/);

      const B = newKeyText();
      writeFileSync(keyFile, `${B}\n`);
      agent.child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 500));
      const withB = createAgentClient({ url, keys: () => ({ current: Buffer.from(B) }) });
      assert.equal((await withB.ping()).engine, ping.engine);
      await assert.rejects(withA.ping(), (err: unknown) => err instanceof AgentUnavailableError && err.reason === 'unauthorized');
      assert.match(agent.output(), /key file reloaded \(SIGHUP\)/);
      for (const until = Date.now() + 5_000; !agent.output().includes('"reason":"unknown-key"') && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
      assert.match(agent.output(), /"reason":"unknown-key"/, 'the refused credential is logged');
      withB.close();
    } finally {
      withA.close();
      const exited = new Promise<number | null>((r) => agent.child.once('exit', (code) => r(code)));
      agent.child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('refuses a missing or bad key file and a bad address, saying which and what was expected', async () => {
    const missing = await runTether(['agent', '--listen', '127.0.0.1:0', '--key-file', `${dir}/nope`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /agent key file .*\/nope: does not exist/);
    writeFileSync(`${dir}/short`, 'too-short\n');
    const short = await runTether(['agent', '--listen', '127.0.0.1:0', '--key-file', `${dir}/short`]);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /key on line 1 has 9 characters \(expected at least 32\)/);
    const listen = await runTether(['agent', '--listen', 'nowhere', '--key-file', `${dir}/short`]);
    assert.notEqual(listen.code, 0);
    assert.match(listen.stderr, /listen address "nowhere": expected HOST:PORT/);
  });
});

describe('tether agent rotate-key (through the server)', () => {
  it('makes a new key, keeps the current one as the previous, 0600; the next rotation drops the oldest', async () => {
    await ensureDocker();
    const dataDir = `${dir}/data`;
    const server = await startTetherServer({ port: await freePort(), dataDir, database: `${dir}/tether.db` });
    try {
      const token = await login(server.url);
      const first = await runTether(['agent', 'rotate-key', '--url', server.url, '--token', token, '--json']);
      assert.equal(first.code, 0, first.stderr);
      const r1 = JSON.parse(first.stdout) as { key_file: string; key_id: string; previous_key_id: string | null; swarm: unknown };
      assert.equal(r1.key_file, `${dataDir}/agent.key`);
      assert.equal(r1.swarm, null, 'a single engine: no Swarm secret');
      const ring1 = parseKeyFile(readFileSync(r1.key_file, 'utf8'), 'k');
      assert.equal(keyId(ring1.current), r1.key_id);
      assert.ok(ring1.previous, 'the key made at first use stays accepted');
      assert.equal(keyId(ring1.previous), r1.previous_key_id);
      assert.equal(statSync(r1.key_file).mode & 0o777, 0o600);

      const second = await runTether(['agent', 'rotate-key', '--url', server.url, '--token', token]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, new RegExp(`previous key ${r1.key_id} still accepted`));
      const ring2 = parseKeyFile(readFileSync(r1.key_file, 'utf8'), 'k');
      assert.deepEqual(ring2.previous, ring1.current);

      const anonymous = await runTether(['agent', 'rotate-key', '--url', server.url, '--token', 'not-a-token']);
      assert.equal(anonymous.code, 1);
      assert.deepEqual(parseKeyFile(readFileSync(r1.key_file, 'utf8'), 'k'), ring2, 'a refused caller changes nothing');
    } finally {
      await server.kill('SIGTERM');
    }
  });
});
