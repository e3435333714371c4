// GET /api/v1/sessions/:id/terminal (WebSocket): a shell in the session's container (see
// src/terminal). Only the owner, or an administrator (audited as session.terminal when the
// session is someone else's). Everything is checked before the upgrade, so refusals are
// plain HTTP answers: 401 without credentials, 404 for someone else's session, 403 for a
// cookie-authenticated upgrade from another origin (cross-site WebSocket hijacking: browsers
// send cookies on cross-site WebSocket handshakes and no CORS check applies), 409 not running.
// An open terminal closes (code 1008, reason "access revoked: ...") as soon as its user is
// disabled, deleted or given a new password, the credential that opened it is revoked (sign
// out, token revoke) or the session stops; closing kills the shell's processes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Runtime } from '../../runtime/types.js';
import type { AppDeps } from '../types.js';
import { caller, originMatchesHost } from '../auth-hook.js';
import { conflict, forbidden, notFound } from '../http-error.js';
import { writeAudit } from '../audit-log.js';
import { clockOf } from '../clock.js';
import { sessionIdParams } from '../schemas.js';
import { openShell } from '../../terminal/exec-shell.js';
import { bridge, bufferEarlyFrames, endShell } from '../../terminal/bridge.js';
import { credentialStillValid } from '../../auth/still-valid.js';
import type { WebSocket } from 'ws';
import { MAX_COLS, MAX_ROWS } from '../../terminal/protocol.js';

// query values are strings (the API does not coerce types): sizes are parsed and clamped below
const size = z.string().regex(/^[0-9]{1,4}$/).optional();
const terminalQuery = z.object({ tty: z.enum(['0', '1']).optional(), cols: size, rows: size });

const sizeOf = (v: string | undefined, max: number): number | undefined => (v === undefined ? undefined : Math.min(Math.max(Number(v), 1), max));

/** WebSocket close code for a terminal whose access ended (policy violation); the reason says why. */
export const REVOKED_CLOSE_CODE = 1008;

function closeRevoked(socket: WebSocket, reason: string): void {
  const text = `access revoked: ${reason}`.slice(0, 120); // a close reason holds at most 123 bytes
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'error', message: text }));
  socket.close(REVOKED_CLOSE_CODE, text);
}

export function terminalRoutes(o: { runtime: Pick<Runtime, 'exec'> }) {
  return async function registerTerminal(server: FastifyInstance, deps: AppDeps): Promise<void> {
    const app = server.withTypeProvider<ZodTypeProvider>();
    await app.register(websocket, {
      options: { maxPayload: 1024 * 1024 },
      // Open terminals end at shutdown at once (terminate: no 30 s close handshake to wait for),
      // so app.close() never waits on a shell someone left open.
      preClose: async function terminateTerminals(this: FastifyInstance) {
        for (const socket of this.websocketServer.clients) socket.terminate();
        this.websocketServer.close();
        // the shells' processes are being killed: wait for that, a little
        await Promise.race([Promise.allSettled([...ending]), new Promise((r) => setTimeout(r, 5_000).unref())]);
      },
    });
    const now = clockOf(deps);
    const ending = new Set<Promise<void>>();
    const track = (p: Promise<void>) => {
      ending.add(p);
      void p.finally(() => ending.delete(p));
    };
    // the container found before the upgrade, for the handler after it
    const containers = new WeakMap<FastifyRequest, string>();

    app.get('/sessions/:id/terminal', {
      websocket: true,
      config: { access: 'user' },
      schema: {
        summary: 'A shell in the session container over a WebSocket (binary frames = bytes; text frames = JSON {type:"resize",cols,rows} | {type:"eof"}; server sends {type:"exit",code})',
        tags: ['sessions'],
        params: sessionIdParams,
        querystring: terminalQuery,
      },
      preValidation: async (request) => {
        const me = caller(request);
        if (me.via === 'cookie' && originMatchesHost(request.headers) !== true) throw forbidden(`terminal: the WebSocket's Origin "${request.headers.origin ?? '(none)'}" is not this server (${request.headers.host ?? '?'})`);
        const rec = await deps.store.sessions.get(request.params.id);
        if (!rec || (!me.isAdmin && rec.user_id !== me.user.user_id)) throw notFound(`session "${request.params.id}"`);
        if (rec.state !== 'running' || !rec.container_id) throw conflict(`session "${rec.session_id}" is ${rec.state}; a terminal needs a running session`);
        if (rec.user_id !== me.user.user_id) {
          await writeAudit(deps.store, me, now(), { action: 'session.terminal', target_type: 'session', target_id: rec.session_id, target_name: null, after: { session_user_id: rec.user_id } });
        }
        containers.set(request, rec.container_id);
      },
    }, async (socket, request) => {
      const early = bufferEarlyFrames(socket);
      const containerId = containers.get(request);
      if (!containerId) return socket.close(1011, 'no container');
      const me = caller(request);
      const unwatch = deps.revocations?.watch({ userId: me.user.user_id, tokenId: me.token_id, sessionId: request.params.id }, (reason) => closeRevoked(socket, reason));
      socket.once('close', () => unwatch?.());
      // a revocation between the auth check and the watch above was not heard: look once more
      if (!(await credentialStillValid(deps.store, { tokenId: me.token_id, userId: me.user.user_id }, now()))) return closeRevoked(socket, 'credentials no longer valid');
      const q = request.query;
      try {
        const shell = await openShell(o.runtime, containerId, { tty: q.tty !== '0', cols: sizeOf(q.cols, MAX_COLS), rows: sizeOf(q.rows, MAX_ROWS) });
        if (socket.readyState !== socket.OPEN) return track(endShell(shell, request.log)); // closed or revoked meanwhile
        track(bridge(socket, shell, early(), request.log));
      } catch (err) {
        request.log.warn({ err }, 'terminal: cannot start a shell');
        socket.send(JSON.stringify({ type: 'error', message: `cannot start a shell in the session container: ${err instanceof Error ? err.message : String(err)}` }));
        socket.close(1011, 'exec failed');
      }
    });
  };
}
