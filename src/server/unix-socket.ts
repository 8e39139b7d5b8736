/**
 * Listening on a Unix domain socket (`server.socket`): for a gateway beside its app (a sidecar)
 * that is reached through a file both share, whose permissions say who may connect.
 *
 * A gateway killed without closing leaves its socket file behind, and listening on it again fails
 * with EADDRINUSE. Such a file is taken over only when nothing answers on it; a socket another
 * process serves, or a path that is not a socket, is left as it is and the start fails, saying why.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, type Server } from 'node:net';

export class SocketListenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SocketListenError';
  }
}

/** Listens on `path`, taking over a stale socket file, then sets its permission bits to `mode`. */
export async function listenOnSocket(server: Server, path: string, mode: number): Promise<void> {
  try {
    await listen(server, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new SocketListenError(`Cannot listen on the socket ${path}: ${(err as Error).message}`, { cause: err });
    await removeIfStale(path);
    await listen(server, path);
  }
  await chmod(path, mode);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Removes `path` when it is a socket nobody listens on; throws, touching nothing, otherwise. */
async function removeIfStale(path: string): Promise<void> {
  const stat = await lstat(path);
  if (!stat.isSocket()) throw new SocketListenError(`Cannot listen on the socket ${path}: a file that is not a socket is there (it was left as it is).`);
  const answer = await knock(path);
  if (answer === 'accepted') throw new SocketListenError(`Cannot listen on the socket ${path}: another process is listening on it.`);
  if (answer !== 'ECONNREFUSED') throw new SocketListenError(`Cannot listen on the socket ${path}: it is there, and whether another process listens on it cannot be told (${answer}).`);
  await unlink(path);
}

/** What a connection to the socket at `path` meets: `accepted`, or the error's code (ECONNREFUSED: a socket file whose process is gone). */
function knock(path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}
