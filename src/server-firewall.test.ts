// The start-up decision around the sessions' firewall. iptables is replaced by a recorder
// here (a broken or missing iptables cannot be staged on a shared test host without taking
// the firewall away from everything else); test/sessions-firewall.test.ts runs the real one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { isLoopbackHost, setUpSessionFirewall } from './server-firewall.js';
import type { IptablesRunner } from './runtime/docker/session-firewall.js';

const logger = pino({ level: 'silent' });
const broken: IptablesRunner = async () => Promise.reject(new Error('iptables: could not run (ENOENT)'));

function recorder(): { run: IptablesRunner; calls: string[] } {
  const calls: string[] = [];
  // every -C says "absent", every change succeeds
  return { calls, run: async (args) => { calls.push(args.join(' ')); return { code: args[0] === '-C' ? 1 : 0, stderr: '' }; } };
}

describe('sessions firewall at start', () => {
  it('refuses to start when the rules cannot be installed and the API listens beyond loopback', async () => {
    await assert.rejects(setUpSessionFirewall({ local: true, listen: { host: '0.0.0.0', port: 8080 }, reachApi: false, logger, run: broken }),
      /sessions firewall: .*ENOENT.*listens on 0\.0\.0\.0.*TETHER_SESSIONS_REACH_API=1/);
    // on loopback the API is out of the sessions' reach anyway: a warning, not a refusal
    await setUpSessionFirewall({ local: true, listen: { host: '127.0.0.1', port: 8080 }, reachApi: false, logger, run: broken });
  });

  it('drops by default and takes back an allowance of the API port; allows it with the setting', async () => {
    const off = recorder();
    await setUpSessionFirewall({ local: true, listen: { host: '0.0.0.0', port: 8080 }, reachApi: false, logger, run: off.run });
    assert.ok(off.calls.includes('-A TETHER-SESSIONS-IN -j DROP'), off.calls.join('\n'));
    assert.ok(off.calls.includes('-I INPUT 1 -i tether-sessions -j TETHER-SESSIONS-IN'), off.calls.join('\n'));
    assert.ok(!off.calls.some((c) => c.startsWith('-I TETHER-SESSIONS-IN 1 -p tcp')), 'no port opened');
    const on = recorder();
    await setUpSessionFirewall({ local: true, listen: { host: '0.0.0.0', port: 8080 }, reachApi: true, logger, run: on.run });
    assert.ok(on.calls.includes('-I TETHER-SESSIONS-IN 1 -p tcp --dport 8080 -j RETURN'), on.calls.join('\n'));
    await assert.rejects(setUpSessionFirewall({ local: true, listen: { host: '0.0.0.0', port: 0 }, reachApi: true, logger, run: on.run }), /needs a fixed port/);
  });

  it('leaves a remote engine\'s host alone', async () => {
    const r = recorder();
    await setUpSessionFirewall({ local: false, listen: { host: '0.0.0.0', port: 8080 }, reachApi: false, logger, run: r.run });
    assert.deepEqual(r.calls, []);
  });

  it('knows loopback hosts', () => {
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost'));
    assert.ok(!isLoopbackHost('0.0.0.0') && !isLoopbackHost('::') && !isLoopbackHost('192.0.2.2'));
  });
});
