/**
 * The load side, run as its own process pinned to the load core: it hosts the fake upstream and/or
 * the load generator and takes orders from the orchestrator over the IPC channel (see protocol.ts).
 * By default one driver does both jobs in one event loop; `--split` starts two drivers.
 */
import { startUpstream } from './upstream.js';
import type { Upstream } from './upstream.js';
import { pingPong, runLoad } from './loadgen.js';
import type { FromDriver, ToDriver } from './protocol.js';

if (!process.send) {
  console.error('bench/driver: start me from bench/run.ts (needs an IPC channel)');
  process.exit(2);
}

let upstream: Upstream | undefined;

function send(message: FromDriver): void {
  process.send?.(message);
}

process.on('message', (message: ToDriver) => {
  switch (message.type) {
    case 'start-upstream':
      startUpstream({ streamChunks: message.streamChunks, chunkDelayMs: message.chunkDelayMs }).then(
        (started) => {
          upstream = started;
          send({ type: 'upstream', port: started.port });
        },
        (err: unknown) => send({ type: 'error', message: `upstream failed to start: ${String(err)}` }),
      );
      return;
    case 'run':
      runLoad(message.spec, { onWindow: (phase) => send({ type: 'window', id: message.id, phase }) }).then(
        (result) => send({ type: 'result', id: message.id, result }),
        (err: unknown) => send({ type: 'error', id: message.id, message: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
      return;
    case 'ping':
      pingPong(message.port, message.count).then(
        (rtt) => send({ type: 'pong', id: message.id, rtt }),
        (err: unknown) => send({ type: 'error', id: message.id, message: String(err) }),
      );
      return;
    case 'upstream-stats':
      send({ type: 'upstream-stats', id: message.id, requests: upstream?.stats().requests ?? 0 });
      return;
    case 'exit':
      void (upstream?.close() ?? Promise.resolve()).then(() => process.exit(0));
      return;
  }
});

// The orchestrator going away must not leave a pinned process behind.
process.on('disconnect', () => process.exit(0));
