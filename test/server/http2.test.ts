/**
 * `server.tls.http2`: HTTP/2 and HTTP/1.1 on one TLS port, chosen by ALPN. The real `openai`
 * client over HTTP/2 (undici with allowH2) and over HTTP/1.1; errors in OpenAI's shape on HTTP/2
 * streams; a stream reset by its client cancelling the upstream call, also when the gateway was
 * waiting for the client to read; mTLS subjects; a graceful shutdown that sends a GOAWAY and lets
 * the streams in flight finish, and one whose client never closes its side not held to the
 * deadline; idle connections closed, busy ones not; and `switchyard start`
 * serving it from a config file.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect as http2Connect, constants, createSecureServer, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startServer, type ListeningServer } from '../../src/server/create-server.js';
import { ConnectionDrain } from '../../src/server/drain-connections.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { chainConfig, oneUpstreamYaml } from '../helpers/gateway-fixture.js';
import { answerWith, chunkJson, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { startCli } from '../helpers/spawn-cli.js';

const FIXTURES = new URL('./__fixtures__/', import.meta.url).pathname;
const A = { certFile: join(FIXTURES, 'gw-a.crt'), keyFile: join(FIXTURES, 'gw-a.key') };
const CHAT = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });

interface H2Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
}

/** One request on an HTTP/2 connection, read whole. */
async function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string): Promise<H2Answer> {
  const stream = session.request(headers);
  stream.end(body);
  const head = await new Promise<Record<string, unknown>>((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
    stream.once('close', () => reject(new Error(`the stream closed before its response (code ${stream.rstCode})`)));
  });
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return { status: Number(head[':status']), headers: head, text };
}

const post = (path: string, contentType = 'application/json'): OutgoingHttpHeaders => ({ ':method': 'POST', ':path': path, 'content-type': contentType });

describe('serving HTTP/2 (server.tls.http2)', () => {
  let upstream: RecordingUpstream;
  let ca: Buffer;
  before(async () => {
    upstream = await startRecordingUpstream(answerWith('over h2'));
    ca = await readFile(A.certFile);
  });
  after(() => upstream.close());

  async function serve(config = chainConfig([upstream.url])): Promise<{ gateway: Gateway; listening: ListeningServer; connect(): Promise<ClientHttp2Session>; close(): Promise<void> }> {
    const gateway = await createGateway(config, { logger: createLogger('silent') });
    const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, tls: A, http2: true });
    const sessions: ClientHttp2Session[] = [];
    return {
      gateway,
      listening,
      async connect() {
        const session = http2Connect(listening.url, { ca, servername: 'localhost' });
        session.on('error', () => {});
        sessions.push(session);
        await once(session, 'connect');
        return session;
      },
      async close() {
        for (const session of sessions) session.destroy();
        await listening.close();
        await gateway.close();
      },
    };
  }

  test('ALPN gives HTTP/2 to a client that offers it and HTTP/1.1 to one that does not, on one port; the openai client works over both, and Anthropic\'s endpoint streams over HTTP/2', async () => {
    const { listening, connect, close } = await serve();
    const h2 = new Agent({ allowH2: true, connect: { ca: [ca], servername: 'localhost' } });
    const h1 = new Agent({ connect: { ca: [ca], servername: 'localhost' } });
    const sessions: string[] = [];
    listening.server.on('session', (session: { alpnProtocol?: string }) => sessions.push(String(session.alpnProtocol)));
    const clientOver = (dispatcher: Agent) =>
      new OpenAI({ baseURL: `${listening.url}/v1`, apiKey: 'client-key', maxRetries: 0, fetch: ((url: string, init: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch });
    try {
      const session = await connect();
      assert.equal(session.alpnProtocol, 'h2');
      const raw = await h2Request(session, post('/v1/chat/completions'), CHAT);
      assert.equal(raw.status, 200);
      assert.equal(raw.headers['x-switchyard-deployment'], 'd0');
      assert.equal((JSON.parse(raw.text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content, 'over h2');

      for (const dispatcher of [h2, h1]) {
        const client = clientOver(dispatcher);
        const completion = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
        assert.equal(completion.choices[0]?.message.content, 'over h2');
        upstream.respond((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${chunkJson({ role: 'assistant', content: 'streamed' })}\n\n`);
          res.write(`data: ${chunkJson({ content: ' over h2' })}\n\n`);
          res.end(`data: ${chunkJson({}, 'stop')}\n\ndata: [DONE]\n\n`);
        });
        const stream = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        assert.equal(text, 'streamed over h2');
        upstream.respond(answerWith('over h2'));
        const models = await client.models.list();
        assert.ok(models.data.some((model) => model.id === 'chat'));
      }
      // Anthropic's endpoint, streaming, on the raw session.
      upstream.respond((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${chunkJson({ role: 'assistant', content: 'messages' })}\n\n`);
        res.end(`data: ${chunkJson({ content: ' over h2' }, 'stop')}\n\ndata: [DONE]\n\n`);
      });
      const messages = await h2Request(
        session,
        { ...post('/v1/messages'), 'anthropic-version': '2023-06-01' },
        JSON.stringify({ model: 'chat', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      );
      assert.equal(messages.status, 200);
      assert.match(String(messages.headers['content-type']), /^text\/event-stream/);
      const deltas = [...messages.text.matchAll(/"text":"([^"]*)"/g)].map((match) => match[1]).join('');
      assert.equal(deltas, 'messages over h2');
      assert.match(messages.text, /event: message_stop/);
      upstream.respond(answerWith('over h2'));
      // The raw session and the h2 agent's connection; the HTTP/1.1 agent's made none.
      assert.deepEqual(sessions, ['h2', 'h2']);
    } finally {
      upstream.respond(answerWith('over h2'));
      await Promise.all([h2.close(), h1.close()]);
      await close();
    }
  });

  test("a client's mistakes are OpenAI-shaped errors with their status on an HTTP/2 stream too", async () => {
    const { connect, close } = await serve({ ...chainConfig([upstream.url]), server: { max_body_bytes: 1024 } });
    try {
      const session = await connect();
      const cases: [OutgoingHttpHeaders, string | undefined, number, string][] = [
        [post('/v1/chat/completions'), '{"model": ', 400, 'invalid_json'],
        [post('/v1/chat/completions'), JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }), 400, 'missing_required_parameter'],
        [post('/v1/chat/completions'), JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }), 404, 'model_not_found'],
        [post('/v1/chat/completions'), JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(2048) }] }), 413, 'request_too_large'],
        [post('/v1/chat/completions', 'text/plain'), CHAT, 415, 'unsupported_media_type'],
        [{ ':method': 'GET', ':path': '/v1/nowhere' }, undefined, 404, 'unknown_url'],
        [{ ':method': 'DELETE', ':path': '/v1/chat/completions' }, undefined, 405, 'method_not_allowed'],
      ];
      for (const [headers, body, status, code] of cases) {
        const answer = await h2Request(session, headers, body);
        assert.equal(answer.status, status, `${String(headers[':path'])} ${code}`);
        const error = (JSON.parse(answer.text) as { error: { code: string; message: string; type: string } }).error;
        assert.equal(error.code, code);
        assert.ok(error.message.length > 0 && typeof error.type === 'string');
      }
      // The connection is still good after them.
      assert.equal((await h2Request(session, post('/v1/chat/completions'), CHAT)).status, 200);
    } finally {
      await close();
    }
  });

  test('a stream reset by its client cancels the upstream call, also while the gateway waits for the client to read', async () => {
    // The upstream streams for as long as it is read, 16 KB a chunk: far more than the client's HTTP/2 window.
    let upstreamClosed!: () => void;
    let closedCount = 0;
    upstream.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunkJson({ role: 'assistant', content: '' })}\n\n`);
      const text = 'y'.repeat(16_384);
      const timer = setInterval(() => res.write(`data: ${chunkJson({ content: text })}\n\n`), 2);
      res.on('close', () => {
        clearInterval(timer);
        closedCount++;
        upstreamClosed();
      });
    });
    const { connect, close, gateway } = await serve();
    let closed = false;
    try {
      const session = await connect();
      for (const reading of [true, false]) {
        const cancelled = new Promise<void>((resolve) => (upstreamClosed = resolve));
        const stream = session.request(post('/v1/chat/completions'));
        stream.end(JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
        await once(stream, 'response');
        const [first] = (await once(stream, 'data')) as [Buffer];
        assert.match(first.toString(), /^data: /);
        if (reading) {
          stream.resume();
        } else {
          // Stops reading: the window fills, and the gateway's writes wait for a 'drain' that will never come.
          stream.pause();
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        stream.close(constants.NGHTTP2_CANCEL);
        const outcome = await Promise.race([cancelled.then(() => 'upstream call cancelled'), sleep(5_000).then(() => 'upstream call still open after 5 s')]);
        assert.equal(outcome, 'upstream call cancelled', reading ? 'while reading' : 'while the gateway waited for the client to read');
      }
      assert.equal(closedCount, 2, 'both upstream calls were cancelled');
      assert.equal(gateway.load.inFlight, 0);
      // Nothing is left waiting on the streams: the server and the gateway close at once.
      const closing = Promise.race([close().then(() => 'closed'), sleep(5_000).then(() => 'still closing after 5 s')]);
      closed = true;
      assert.equal(await closing, 'closed');
    } finally {
      upstream.respond(answerWith('over h2'));
      if (!closed) await close();
    }
  });

  test("an mTLS client's certificate names it over HTTP/2 as over HTTP/1.1", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('warn', { write: (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>) });
    const gateway = await createGateway(chainConfig([upstream.url], { telemetry: { request_log: { store: 'off' }, access_log: { enabled: true } } }), { logger });
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-h2-mtls-'));
    const bundle = join(dir, 'clients.pem');
    const client = { cert: await readFile(join(FIXTURES, 'client-c.crt')), key: await readFile(join(FIXTURES, 'client-c.key')) };
    await writeFile(bundle, Buffer.concat([ca, client.cert]));
    const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, tls: { ...A, clientCaFile: bundle }, http2: true });
    const session = http2Connect(listening.url, { ca, servername: 'localhost', ...client });
    try {
      await once(session, 'connect');
      const answer = await h2Request(session, post('/v1/chat/completions'), CHAT);
      assert.equal(answer.status, 200);
      const line = lines.find((entry) => entry.msg === 'request' && entry.requestId === answer.headers['x-request-id']);
      assert.equal(line?.clientCertificate, 'CN=svc-c, OU=Platform, O=Acme');
      // Without a certificate, nothing is answered (TLS 1.3: the server's alert follows the client's handshake).
      const anonymous = http2Connect(listening.url, { ca, servername: 'localhost' });
      anonymous.on('error', () => {});
      const outcome = await new Promise<string>((resolve) => {
        const stream = anonymous.request({ ':method': 'GET', ':path': '/health/live' });
        stream.on('response', () => resolve('answered'));
        stream.on('error', () => resolve('refused'));
        stream.on('close', () => resolve('refused'));
      });
      assert.equal(outcome, 'refused');
      anonymous.destroy();
    } finally {
      session.destroy();
      await listening.close();
      await gateway.close();
    }
  });

  test('shutdown over HTTP/2: a GOAWAY, the stream in flight finishes, and idle connections (HTTP/2 and HTTP/1.1) do not hold it up', async () => {
    upstream.respond(async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      answerWith('finished during shutdown')(req, res);
    });
    const { listening, gateway, connect } = await serve({ ...chainConfig([upstream.url]), server: { shutdown_timeout_ms: 5_000 } });
    const h1 = new Agent({ connect: { ca: [ca], servername: 'localhost' } });
    try {
      const busy = await connect();
      const idle = await connect();
      assert.equal((await h2Request(idle, { ':method': 'GET', ':path': '/health/live' })).status, 200);
      // An idle HTTP/1.1 keep-alive connection on the same port.
      const warm = await undiciFetch(`${listening.url}/health/live`, { dispatcher: h1 });
      await warm.text();
      const goaway = once(busy, 'goaway');
      const inFlight = h2Request(busy, post('/v1/chat/completions'), CHAT);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      const [drained, answer] = await Promise.all([listening.close(), inFlight]);
      const tookMs = performance.now() - started;
      assert.equal(answer.status, 200);
      assert.match(answer.text, /finished during shutdown/);
      assert.deepEqual(drained, { cut: 0 });
      assert.ok(tookMs < 2_000, `close took ${tookMs.toFixed(0)} ms: it waited for an idle connection`);
      assert.equal(await Promise.race([goaway.then(() => 'goaway'), sleep(1_000).then(() => 'no goaway')]), 'goaway');
    } finally {
      upstream.respond(answerWith('over h2'));
      await h1.close();
      await gateway.close();
    }
  });

  test('shutdown over HTTP/2: a client that never closes its side after the GOAWAY does not hold the shutdown to its deadline', async () => {
    const { listening, gateway } = await serve({ ...chainConfig([upstream.url]), server: { shutdown_timeout_ms: 20_000 } });
    let socket!: TLSSocket;
    const session = http2Connect(listening.url, { createConnection: () => (socket = tlsConnect({ host: '127.0.0.1', port: listening.port, ca, servername: 'localhost', ALPNProtocols: ['h2'] })) });
    session.on('error', () => {});
    try {
      assert.equal((await h2Request(session, post('/v1/chat/completions'), CHAT)).status, 200);
      // The client keeps its side open: node's client would end it once the GOAWAY leaves it no stream.
      socket.end = () => socket;
      // Well before the 20 s deadline, where it would be counted as cut.
      const drained = await Promise.race([listening.close(), sleep(10_000).then(() => 'still closing after 10 s')]);
      assert.deepEqual(drained, { cut: 0 }, 'nothing was in flight, so nothing was cut');
    } finally {
      socket.destroy();
      await gateway.close();
    }
  });

  test('shutdown over HTTP/2: a stream still going at the deadline is cut, and counted', async () => {
    upstream.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'never ends' })}\n\n`);
    });
    const { listening, gateway, connect } = await serve({ ...chainConfig([upstream.url]), server: { shutdown_timeout_ms: 300 } });
    try {
      const session = await connect();
      const stream = session.request(post('/v1/chat/completions'));
      stream.on('error', () => {});
      stream.end(JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
      await once(stream, 'response');
      assert.deepEqual(await listening.close(), { cut: 1 });
    } finally {
      upstream.respond(answerWith('over h2'));
      await gateway.close();
    }
  });

  test('an HTTP/2 connection with no stream open for the idle time is closed; one whose stream waits on its answer is not', async () => {
    const [key, cert] = await Promise.all([readFile(A.keyFile), readFile(A.certFile)]);
    const server = createSecureServer({ key, cert, allowHTTP1: true }, (_req, res) => {
      // An answer that takes longer than the idle time, with nothing sent meanwhile.
      setTimeout(() => res.end('late'), 600);
    });
    new ConnectionDrain(server, { secure: true, http2: { idleTimeoutMs: 200 } });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const idle = http2Connect(url, { ca, servername: 'localhost' });
    const busy = http2Connect(url, { ca, servername: 'localhost' });
    try {
      await Promise.all([once(idle, 'connect'), once(busy, 'connect')]);
      const idleGoaway = once(idle, 'goaway');
      const answer = await h2Request(busy, { ':method': 'GET', ':path': '/' });
      assert.equal(answer.text, 'late', 'the busy connection was not closed under its stream');
      assert.equal(await Promise.race([idleGoaway.then(() => 'closed'), sleep(1_000).then(() => 'still open')]), 'closed');
    } finally {
      idle.destroy();
      busy.destroy();
      server.close();
    }
  });

  test('switchyard start serves HTTP/2 and HTTP/1.1 from a config with server.tls.http2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-h2-cli-'));
    const file = join(dir, 'switchyard.yaml');
    await writeFile(
      file,
      oneUpstreamYaml(
        `server: { host: 127.0.0.1, port: 0, tls: { cert_file: "${A.certFile}", key_file: "${A.keyFile}", http2: true } }
log: { level: info }
telemetry: { request_log: { store: "off" } }`,
        upstream.url,
      ),
    );
    const gateway = await startCli(['--config', file]);
    const h1 = new Agent({ connect: { ca: [ca], servername: 'localhost' } });
    try {
      assert.equal(gateway.logs.find((entry) => entry.msg === 'listening')?.http2, true);
      const session = http2Connect(gateway.url, { ca, servername: 'localhost' });
      try {
        await once(session, 'connect');
        const answer = await h2Request(session, post('/v1/chat/completions'), CHAT);
        assert.equal(answer.status, 200);
        assert.match(answer.text, /over h2/);
      } finally {
        session.destroy();
      }
      const res = await undiciFetch(`${gateway.url}/health/live`, { dispatcher: h1 });
      assert.equal(res.status, 200);
      await res.text();
    } finally {
      await h1.close();
      await gateway.stop();
    }
  });
});
