import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { startRecordingUpstream, type Responder } from '../helpers/recording-upstream.js';
import { completeWith } from '../helpers/scripted-answers.js';

/** Resolves with `promise`'s value, or with 'late' when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'late'> {
  return Promise.race([promise, sleep(ms).then(() => 'late' as const)]);
}

const CHAT = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });

function rawRequest(): string {
  return `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(CHAT)}\r\n\r\n${CHAT}`;
}

/** A raw client connection, with everything it reads and a promise of its end. */
async function openSocket(gw: GatewayFixture): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  const socket = connect(gw.server.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let text = '';
  socket.on('data', (data: Buffer) => (text += data.toString('utf8')));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, ended };
}

async function startWith(responder: Responder, shutdownTimeoutMs: number) {
  const upstream = await startRecordingUpstream(responder);
  const gw = await startGateway({ ...chainConfig([upstream.url]), server: { shutdown_timeout_ms: shutdownTimeoutMs } });
  return { upstream, gw };
}

/** A gateway whose upstream answers after `ms`, and a raw connection with a request in flight on it. */
async function startBusyConnection(t: { after(fn: () => Promise<void>): void }, ms: number) {
  const { upstream, gw } = await startWith(slowAnswer(ms), 20_000);
  t.after(() => upstream.close());
  const connection = await openSocket(gw);
  connection.socket.write(rawRequest());
  while (upstream.requests.length === 0) await sleep(5);
  return { upstream, gw, ...connection };
}

const slowAnswer =
  (ms: number): Responder =>
  async (req, res) => {
    await sleep(ms);
    await completeWith('slow but whole')(req, res);
  };

test('a connection that never sent a request does not hold up shutdown', async (t) => {
  const { upstream, gw } = await startWith(completeWith('unused'), 20_000);
  t.after(() => upstream.close());
  const { ended } = await openSocket(gw);
  // node itself would wait for this connection's headers to time out (60 s).
  const result = await within(gw.server.close(), 2_000);
  assert.deepEqual(result, { cut: 0 });
  assert.equal(await within(ended, 1_000), undefined, 'the unused connection was closed');
  await gw.gateway.close();
});

test('a request in flight at shutdown is answered whole, then its connection closes', async (t) => {
  const { gw, received, ended } = await startBusyConnection(t, 300);
  const closing = gw.server.close();
  assert.deepEqual(await within(closing, 3_000), { cut: 0 });
  assert.equal(await within(ended, 1_000), undefined, 'the connection was closed after its answer');
  assert.match(received(), /^HTTP\/1\.1 200 OK/);
  assert.match(received(), /slow but whole/);
  await gw.gateway.close();
});

test('a request that comes in on a busy connection while draining is served, with connection: close', async (t) => {
  const { upstream, gw, socket, received, ended } = await startBusyConnection(t, 200);
  const closing = gw.server.close();
  // Pipelined behind the first, which is still being answered: it comes in during the drain.
  socket.write(rawRequest());
  assert.deepEqual(await within(closing, 3_000), { cut: 0 });
  assert.equal(await within(ended, 1_000), undefined, 'the connection was closed after both answers');
  const responses = received().split(/(?=HTTP\/1\.1 )/);
  assert.equal(responses.length, 2, received());
  assert.match(responses[0] ?? '', /^HTTP\/1\.1 200 OK/);
  assert.match(responses[1] ?? '', /^HTTP\/1\.1 200 OK/);
  assert.match(responses[1] ?? '', /\r\nconnection: close\r\n/i);
  assert.equal(upstream.requests.length, 2);
  await gw.gateway.close();
});

test('a stream still going at the deadline is cut, and so is its upstream call', async (t) => {
  const { upstream, gw } = await startWith((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"going"},"finish_reason":null}]}\n\n');
    // Never ends.
  }, 300);
  t.after(() => upstream.close());
  const response = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'go on' }] }) });
  const reader = response.body!.getReader();
  await reader.read();
  const started = Date.now();
  const result = await within(gw.server.close(), 3_000);
  assert.deepEqual(result, { cut: 1 });
  assert.ok(Date.now() - started >= 250, `cut after ${Date.now() - started} ms, before the 300 ms deadline`);
  const outcome = await (async () => {
    try {
      for (;;) if ((await reader.read()).done) return 'ended cleanly';
    } catch {
      return 'cut';
    }
  })();
  assert.equal(outcome, 'cut');
  const seen = upstream.requests[0];
  assert.ok(seen);
  assert.equal(await within(seen.closedEarly, 1_000), undefined, 'the upstream call was not aborted');
  await gw.gateway.close();
});
