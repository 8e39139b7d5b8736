/**
 * UpstreamClient.request: a streamed body read straight from undici's dispatch handler, against a
 * real node:http upstream. Backpressure, the connection after a reader that stopped, and the
 * errors a reader sees.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CancelSource } from '../../src/cancel.js';
import { GatewayError } from '../../src/errors.js';
import { UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../../src/providers/http/upstream-client.js';

const TIMEOUTS = { firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 };

interface Upstream {
  client: UpstreamClient;
  /** TCP connections the upstream accepted. */
  connections(): number;
  close(): Promise<void>;
}

async function upstream(t: { after(fn: () => Promise<void>): void }, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  let connections = 0;
  const server: Server = createServer(handle);
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = new UpstreamClient({ baseUrl: `http://127.0.0.1:${port}/v1`, transport: { connectTimeoutMs: 1_000, proxy: 'none' }, mapError: ({ status, bodyText }) => new GatewayError(`upstream ${status}: ${bodyText}`, { status: 502, code: 'upstream_error', shape: 'upstream_5xx' }) });
  const close = async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  };
  t.after(close);
  return { client, connections: () => connections, close };
}

function call(cancel = new CancelSource()): UpstreamRequest {
  return { path: '/stream', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', cancel, timeouts: TIMEOUTS };
}

/** The GatewayError a read that must fail ends in, as the provider's stream maps it. */
function failureOf(read: Promise<unknown>, res: UpstreamResponse): Promise<GatewayError> {
  return read.then(
    () => assert.fail('the read should fail'),
    (error: unknown) => res.fail(error),
  );
}

/** An upstream that sends one event and then holds the stream open; `closed` settles when its response closes (the call was aborted). */
async function heldOpen(t: { after(fn: () => Promise<void>): void }): Promise<{ client: UpstreamClient; closed: () => Promise<unknown> }> {
  let closed: Promise<unknown> | undefined;
  const { client } = await upstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    closed = once(res, 'close');
  });
  return { client, closed: () => closed ?? assert.fail('the upstream saw no request') };
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
}

describe('UpstreamClient: a streamed body', () => {
  test('a reader that stops reading pauses the upstream (backpressure), and gets every byte once it reads on', async (t) => {
    const total = 64 * 1024 * 1024;
    let finished = false;
    let sent = 0;
    const { client } = await upstream(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const block = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (sent < total) {
          sent += block.length;
          if (!res.write(block)) return void res.once('drain', pump);
        }
        res.end(() => (finished = true));
      };
      pump();
    });
    const res = await client.request(call());
    const iterator = res.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    await sleep(500);
    // What the client holds is its 64 KiB queue and the sockets' buffers (a few MiB on loopback);
    // a client that read on into memory took in tens of MiB by now.
    assert.equal(finished, false, 'the upstream is held back while nobody reads');
    assert.ok(sent < 16 * 1024 * 1024, `the upstream got ${(sent / 1048576).toFixed(1)} MiB out while nobody read`);
    let bytes = (first.value as Uint8Array).length;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) bytes += next.value.length;
    res.done();
    assert.equal(bytes, total);
  });

  test('a reader that stops after the body ended leaves the connection for the next call', async (t) => {
    const server = await upstream(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: one\n\ndata: [DONE]\n\n');
    });
    for (let i = 0; i < 3; i++) {
      const res = await server.client.request(call());
      // A reader that returns as soon as it has what it needs, as an OpenAI stream does at [DONE].
      for await (const chunk of res.body) {
        if (Buffer.from(chunk).includes('[DONE]')) break;
      }
      res.done();
      await sleep(10);
    }
    assert.equal(server.connections(), 1, 'one kept-alive connection served all three calls');
  });

  test('a reader that stops before the end aborts the call: the upstream sees its request closed', async (t) => {
    const { client, closed } = await heldOpen(t);
    const res = await client.request(call());
    for await (const chunk of res.body) {
      assert.match(Buffer.from(chunk).toString(), /first/);
      break;
    }
    res.done();
    await closed();
  });

  test('the client leaving mid-stream aborts the call, and the reader hears client_closed', async (t) => {
    const { client, closed } = await heldOpen(t);
    const cancel = new CancelSource();
    const res = await client.request(call(cancel));
    const iterator = res.body[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    cancel.abort(new Error('client went away'));
    const err = await failureOf(pending, res);
    res.done();
    assert.equal(err.code, 'client_closed');
    await closed();
  });

  test('a body cut by the upstream mid-stream is a connection_error for the reader', async (t) => {
    const { client } = await upstream(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n', () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const res = await client.request(call());
    const err = await failureOf(readAll(res.body), res);
    res.done();
    assert.equal(err.shape, 'connection_error');
  });

  test('an answer other than 200 is read whole and rejected as the provider maps it', async (t) => {
    const { client } = await upstream(t, (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"overloaded"}');
    });
    await assert.rejects(client.request(call()), (err: GatewayError) => err.message === 'upstream 503: {"error":"overloaded"}');
  });
});
