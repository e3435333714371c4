// `tether session shell ID`: a shell in the session container through the terminal
// WebSocket (GET /api/v1/sessions/:id/terminal). On a terminal: raw mode, resized on
// SIGWINCH, until the shell exits. With piped stdin: no TTY; the commands read from stdin
// run, their output is printed, the input's end closes the shell's stdin, and the exit
// code is the shell's.
import type { Command } from 'commander';
import { WebSocket } from 'ws';
import { loadConfig } from '../../config.js';
import { action, withClientOptions, type ClientFlags } from '../command-support.js';
import { ApiError, ConnectionError, errorBodyOf } from '../http-client.js';
import { STDERR, terminalPath, type ServerControl } from '../../terminal/protocol.js';

/**
 * The terminal's WebSocket URL. The path is appended to the base as the HTTP client does
 * (http-client.ts), so a base with a path prefix (https://host/tether behind a proxy) keeps it.
 * `size` is the local terminal's, sent with a TTY only.
 */
export function terminalUrl(base: string, id: string, tty: boolean, size?: { cols?: number; rows?: number }): string {
  const url = new URL(`${base.replace(/\/+$/, '')}${terminalPath(id)}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('tty', tty ? '1' : '0');
  if (tty && size?.cols && size.rows) {
    url.searchParams.set('cols', String(size.cols));
    url.searchParams.set('rows', String(size.rows));
  }
  return url.toString();
}

/** Runs the shell; resolves with its exit code. */
async function runShell(base: string, token: string | undefined, id: string): Promise<number> {
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const ws = new WebSocket(terminalUrl(base, id, tty, { cols: process.stdout.columns, rows: process.stdout.rows }), { headers: token ? { authorization: `Bearer ${token}` } : {}, handshakeTimeout: 30_000 });
  return new Promise<number>((resolve, reject) => {
    let exitCode: number | null = null;
    const stdin = process.stdin;
    const onInput = (chunk: Buffer) => ws.send(chunk, { binary: true });
    const onEnd = () => ws.send(JSON.stringify({ type: 'eof' }));
    const onResize = () => ws.send(JSON.stringify({ type: 'resize', cols: process.stdout.columns, rows: process.stdout.rows }));
    const restore = () => {
      stdin.off('data', onInput);
      stdin.off('end', onEnd);
      process.stdout.off('resize', onResize);
      if (tty) stdin.setRawMode(false);
      stdin.pause();
    };
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const err = errorBodyOf(status, res.statusMessage ?? '', body);
        reject(new ApiError(status, { ...err, message: `session shell: ${err.message}` }));
      });
    });
    ws.on('open', () => {
      if (tty) {
        stdin.setRawMode(true);
        process.stdout.on('resize', onResize); // SIGWINCH
      }
      stdin.on('data', onInput);
      stdin.on('end', onEnd);
      stdin.resume();
    });
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary && tty) return void process.stdout.write(buf);
      if (isBinary) return void (buf[0] === STDERR ? process.stderr : process.stdout).write(buf.subarray(1));
      const m = JSON.parse(buf.toString('utf8')) as ServerControl;
      if (m.type === 'exit') exitCode = m.code;
      else process.stderr.write(`session shell: ${m.message}\n`);
    });
    ws.on('error', (err) => {
      restore();
      reject(new ConnectionError(`session shell: cannot reach the terminal of session ${id} at ${base}: ${err.message}`, { cause: err }));
    });
    ws.on('close', () => {
      restore();
      resolve(exitCode ?? 1);
    });
  });
}

export function registerSessionShellCommand(session: Command): void {
  withClientOptions(session.command('shell').description('a shell in the session container (interactive on a terminal; with piped input: runs it and exits with the shell\'s code)').argument('<id>', 'session id'))
    .action(action(async (id: string, opts: ClientFlags) => {
      const config = loadConfig({ url: opts.url, token: opts.token });
      process.exitCode = await runShell(config.url, config.token, id);
    }));
}
