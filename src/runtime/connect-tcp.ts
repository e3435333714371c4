// A TCP connection that is handed over only once it is established, with the runtime's own
// errors: the app proxy tells "nothing listens there yet" (unavailable) from a gone container
// (not found) and a request the client abandoned (aborted).
import { connect, type Socket } from 'node:net';
import { AbortedError, RuntimeError } from './errors.js';

/** `where` names the target for the messages, e.g. `docker: container 3f2a port 8080`. */
export function connectTcp(host: string, port: number, where: string, signal?: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(`${where}: aborted before connecting`, { cause: signal.reason }));
    const socket = connect({ host, port });
    const onAbort = () => {
      socket.destroy();
      reject(new AbortedError(`${where}: aborted while connecting`, { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new RuntimeError('unavailable', `${where}: ${err.message}`, { cause: err }));
    };
    socket.once('error', onError);
  });
}
