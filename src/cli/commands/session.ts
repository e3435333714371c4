// `tether session launch|list|show|destroy`. launch follows the server-sent progress stream
// (lines on stderr) until the session runs or fails: exit 0 when running, 1 otherwise; with
// --json the session JSON is printed on stdout either way. destroy waits until destroyed
// (exit 0; also for a session that had already ended: failed or destroyed).
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { action, clientFrom, withClientOptions, type ClientFlags } from '../command-support.js';
import { ConnectionError, seg, type HttpClient } from '../http-client.js';
import { keyValues, printJson, printLine, table, UsageError } from '../output.js';
import { ExitCode } from '../exit-codes.js';
import type { Session as SessionJson } from '../../api/wire/index.js';
import { progressLine, repeatedPullFilter } from '../../sessions/progress-line.js';
import { FINAL_STATES, LAUNCH_DONE_STATES, type SessionState } from '../../sessions/vocabulary.js';
import { registerSessionShellCommand } from './session-shell.js';
import { parseProfileMode } from '../../mappings/index.js';

interface LaunchFlags extends ClientFlags { image: string; as?: string; timeout?: string; profile?: string }
interface ListFlags extends ClientFlags { user?: string; state?: string }

export function registerSessionCommands(program: Command): void {
  const session = program.command('session').description('launch, list, show and destroy workspace sessions');

  withClientOptions(session.command('launch').description('launch a session and wait until it runs or fails')
    .requiredOption('--image <name>', 'image name or id')
    .option('--as <user>', 'administrators: launch for this user (username or id)')
    .option('--profile <mode>', 'persistent profile: enabled (default where offered), disabled (a throw-away home) or reset (delete it, start afresh)')
    .option('--timeout <seconds>', 'give up waiting after this long (default 600)'))
    .action(action(async (opts: LaunchFlags) => {
      const timeoutSeconds = parseTimeout(opts.timeout);
      const profile = opts.profile === undefined ? undefined : parseProfileMode(opts.profile);
      if (profile === null) throw new UsageError(`--profile ${JSON.stringify(opts.profile)}: expected enabled, disabled or reset`);
      const client = clientFrom(opts);
      const created = await client.post<SessionJson>('/sessions', { image: opts.image, ...(opts.as ? { user: opts.as } : {}), ...(profile ? { persistent_profile_mode: profile } : {}) });
      process.stderr.write(`session ${created.id}: launching ${created.image.name ?? opts.image} for ${created.user.username ?? created.user.id}\n`);
      const deadline = Date.now() + timeoutSeconds * 1000;
      await followEvents(opts, created.id, deadline).catch((err: unknown) => {
        // The stream is only progress: fall back to polling the state.
        process.stderr.write(`(progress stream unavailable: ${err instanceof Error ? err.message : String(err)}; polling)\n`);
      });
      const final = await waitForState(client, created.id, LAUNCH_DONE_STATES, deadline);
      printSession(final, Boolean(opts.json));
      if (final.state !== 'running') process.exitCode = ExitCode.serverError;
    }));

  withClientOptions(session.command('list').description('list sessions (yours; administrators: everyone\'s)')
    .option('--user <user>', 'administrators: only this user\'s sessions')
    .option('--state <state>', 'only sessions in this state'))
    .action(action(async (opts: ListFlags) => {
      const list = await clientFrom(opts).get<SessionJson[]>('/sessions', { user: opts.user, state: opts.state });
      if (opts.json) return printJson(list);
      printLine(table(['ID', 'STATE', 'USER', 'IMAGE', 'CREATED', 'EXPIRES', 'NODE', 'NOTE'], list.map((s) => [
        s.id, s.state, s.user.username ?? s.user.id, s.image.name ?? s.image.id, s.created_at, s.expires_at, s.node?.hostname,
        s.error ? `${s.error.class}: ${s.error.message}` : s.warnings.length > 0 ? `${s.warnings.length} warning(s)` : s.drift ? 'drift' : '',
      ])));
    }));

  withClientOptions(session.command('show').description('show one session').argument('<id>', 'session id'))
    .action(action(async (id: string, opts: ClientFlags) => {
      printSession(await clientFrom(opts).get<SessionJson>(`/sessions/${seg(id)}`), Boolean(opts.json));
    }));

  withClientOptions(session.command('destroy').description('destroy a session and wait until it is gone (host data is never touched)').argument('<id>', 'session id'))
    .action(action(async (id: string, opts: ClientFlags) => {
      const client = clientFrom(opts);
      const accepted = await client.delete<SessionJson>(`/sessions/${seg(id)}`);
      // The server accepts a destroy of a session that already ended (202, unchanged): nothing to wait for.
      if (accepted && FINAL_STATES.includes(accepted.state)) {
        if (!opts.json) process.stderr.write(`session ${id} had already ended (${accepted.state}); nothing to destroy\n`);
        return printSession(accepted, Boolean(opts.json));
      }
      const final = await waitForState(client, id, FINAL_STATES, Date.now() + 120_000);
      printSession(final, Boolean(opts.json));
      if (final.state !== 'destroyed') process.exitCode = ExitCode.serverError;
    }));

  registerSessionShellCommand(session); // `tether session shell ID`
}

/** --timeout: positive seconds (decimals allowed); default 600. NaN would wait forever. */
export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return 600;
  const n = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n > 0)) throw new UsageError(`--timeout "${text}": expected a positive number of seconds, e.g. 600`);
  return n;
}

function printSession(s: SessionJson, json: boolean): void {
  if (json) return printJson(s);
  printLine(keyValues([
    ['id', s.id], ['state', s.state], ['user', s.user.username ?? s.user.id], ['image', s.image.name ?? s.image.id],
    ['container', s.container_id], ['node', s.node ? `${s.node.hostname} (${s.node.id}${s.node.zone ? `, zone ${s.node.zone}` : ''})` : null],
    ['placement', s.placement?.reason ?? null], ['created', s.created_at], ['expires', s.expires_at], ['drift', s.drift],
    ['error', s.error ? `${s.error.class}: ${s.error.mapping ? `${s.error.mapping}: ` : ''}${s.error.message}` : null],
  ]));
  for (const m of s.mounts?.mounts ?? []) printLine(`mount:    ${m.host_path} -> ${m.bind} (${m.mode})`);
  for (const w of s.warnings) printLine(`warning:  ${w.class}: ${w.mapping}: ${w.message}`);
  for (const t of s.placement?.tried ?? []) printLine(`tried:    ${t.node}: ${t.outcome}`);
}

async function waitForState(client: HttpClient, id: string, states: readonly SessionState[], deadline: number): Promise<SessionJson> {
  for (;;) {
    const s = await client.get<SessionJson>(`/sessions/${seg(id)}`);
    if (states.includes(s.state)) return s;
    if (Date.now() > deadline) throw new ConnectionError(`session ${id} is still ${s.state}; gave up waiting (see \`tether session show ${id}\`)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Prints each progress event on stderr until the launch is done. */
async function followEvents(flags: ClientFlags, id: string, deadline: number): Promise<void> {
  const config = loadConfig({ url: flags.url, token: flags.token });
  const res = await fetch(`${config.url}/api/v1/sessions/${seg(id)}/events`, {
    headers: { accept: 'text/event-stream', ...(config.token ? { authorization: `Bearer ${config.token}` } : {}) },
    signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
  });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const t0 = Date.now();
  let buffer = '';
  const show = repeatedPullFilter();
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!data) continue;
      const e = JSON.parse(data) as { type: string; data: Record<string, unknown> };
      const line = progressLine(e.type, e.data);
      if (line && show(e.type, line)) process.stderr.write(`[+${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
    }
  }
}
