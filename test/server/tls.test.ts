/**
 * `server.tls`: the gateway serving HTTPS itself, to the real `openai` client; its certificate
 * read again on reload (in process and on SIGHUP), a bad one refused by path and the old one kept;
 * and a graceful shutdown that, over TLS as over plain HTTP, lets a request in flight finish and
 * does not wait on connections that hold none.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { ConfigError } from '../../src/config/load-config.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startServer, type ListeningServer } from '../../src/server/create-server.js';
import { openSqliteRequestLog } from '../../src/store/sqlite-request-log.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { chainConfig, oneUpstreamYaml } from '../helpers/gateway-fixture.js';
import { answerWith, chunkJson, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { runCli, startCli } from '../helpers/spawn-cli.js';

const FIXTURES = new URL('./__fixtures__/', import.meta.url).pathname;
const A = { certFile: join(FIXTURES, 'gw-a.crt'), keyFile: join(FIXTURES, 'gw-a.key') };
const B = { certFile: join(FIXTURES, 'gw-b.crt'), keyFile: join(FIXTURES, 'gw-b.key') };

/** The CN of the certificate a new TLS connection to `port` is served. */
async function servedName(port: number, ca: Buffer[]): Promise<string> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  await once(socket, 'secureConnect');
  const name = String(socket.getPeerCertificate().subject.CN);
  socket.destroy();
  return name;
}

/** The two fixture pairs, each usable as a client certificate (both are self-signed CAs). */
async function clientPairs(): Promise<{ a: { cert: Buffer; key: Buffer }; b: { cert: Buffer; key: Buffer } }> {
  const [aCert, aKey, bCert, bKey] = await Promise.all([A.certFile, A.keyFile, B.certFile, B.keyFile].map((file) => readFile(file)));
  return { a: { cert: aCert as Buffer, key: aKey as Buffer }, b: { cert: bCert as Buffer, key: bKey as Buffer } };
}

describe('serving HTTPS (server.tls)', () => {
  let upstream: RecordingUpstream;
  let trusted: Buffer[];
  before(async () => {
    upstream = await startRecordingUpstream(answerWith('over tls'));
    trusted = [await readFile(A.certFile), await readFile(B.certFile)];
  });
  after(() => upstream.close());

  async function serve(config = chainConfig([upstream.url])): Promise<{ gateway: Gateway; listening: ListeningServer; close(): Promise<void> }> {
    const gateway = await createGateway(config, { logger: createLogger('silent') });
    const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, tls: A });
    return {
      gateway,
      listening,
      async close() {
        await listening.close();
        await gateway.close();
      },
    };
  }

  test('the openai client gets completions and streams over HTTPS; the certificate is the one configured', async () => {
    const { listening, close } = await serve();
    try {
      assert.match(listening.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(listening.secure, true);
      const dispatcher = new Agent({ connect: { ca: trusted } });
      const client = new OpenAI({ baseURL: `${listening.url}/v1`, apiKey: 'client-key', maxRetries: 0, fetch: ((url: string, init: object) => undiciFetch(url, { ...init, dispatcher })) as never });
      const completion = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(completion.choices[0]?.message.content, 'over tls');
      upstream.respond((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${chunkJson({ role: 'assistant', content: 'streamed' })}\n\n`);
        res.end(`data: ${chunkJson({}, 'stop')}\n\ndata: [DONE]\n\n`);
      });
      let text = '';
      for await (const chunk of await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true })) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, 'streamed');
      assert.equal(await servedName(listening.port, trusted), 'switchyard-test-a');
      await dispatcher.close();
    } finally {
      upstream.respond(answerWith('over tls'));
      await close();
    }
  });

  test('a reload serves the new certificate to new connections; a bad one is refused by path and the old one stays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-tls-'));
    const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    await copyFile(A.certFile, files.certFile);
    await copyFile(A.keyFile, files.keyFile);
    const { listening, close } = await serve();
    try {
      await copyFile(B.certFile, files.certFile);
      await copyFile(B.keyFile, files.keyFile);
      await listening.reloadTls(files);
      assert.equal(await servedName(listening.port, trusted), 'switchyard-test-b');

      // B's certificate with A's key: refused before anything changes.
      await copyFile(A.keyFile, files.keyFile);
      await assert.rejects(listening.reloadTls(files), (err: Error) => err instanceof ConfigError && /config server\.tls: cannot serve .*tls\.crt with .*tls\.key/.test(err.message));
      await assert.rejects(listening.reloadTls({ ...files, certFile: join(dir, 'missing.crt') }), (err: Error) => err instanceof ConfigError && /server\.tls\.cert_file: cannot be read: .*missing\.crt \(ENOENT\)/.test(err.message));
      assert.equal(await servedName(listening.port, trusted), 'switchyard-test-b');
    } finally {
      await close();
    }
  });

  test('client_ca_file: a client must present a certificate from those CAs; a reload rotates them; turning it off takes a restart', async () => {
    const gateway = await createGateway(chainConfig([upstream.url]), { logger: createLogger('silent') });
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-mtls-'));
    const clientCas = join(dir, 'client-ca.pem');
    await copyFile(B.certFile, clientCas);
    const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, tls: { ...A, clientCaFile: clientCas } });
    const { a, b } = await clientPairs();
    /** The status of a chat request on a new connection that presents `client` (or no certificate). */
    const statusWith = async (client?: { cert: Buffer; key: Buffer }): Promise<number> => {
      const dispatcher = new Agent({ connect: { ca: trusted, ...client } });
      try {
        const res = await request(`${listening.url}/v1/chat/completions`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }) });
        await res.body.text();
        return res.statusCode;
      } finally {
        await dispatcher.destroy();
      }
    };
    try {
      assert.equal(listening.clientCerts, true);
      assert.equal(await statusWith(b), 200);
      await assert.rejects(statusWith(), 'no client certificate: the handshake fails');
      await assert.rejects(statusWith(a), 'a certificate from another CA: the handshake fails');

      // The client CAs rotated on disk, then read again: new connections are held to the new ones.
      await copyFile(A.certFile, clientCas);
      await listening.reloadTls({ ...A, clientCaFile: clientCas });
      assert.equal(await statusWith(a), 200);
      await assert.rejects(statusWith(b));

      await assert.rejects(listening.reloadTls(A), (err: Error) => err instanceof ConfigError && /server\.tls\.client_ca_file: turning client certificates off takes a restart/.test(err.message));
      await assert.rejects(listening.reloadTls({ ...A, clientCaFile: join(dir, 'missing.pem') }), (err: Error) => err instanceof ConfigError && /server\.tls\.client_ca_file: cannot be read: .*missing\.pem \(ENOENT\)/.test(err.message));
      assert.equal(await statusWith(a), 200, 'the client CAs in force stay');
      assert.equal(upstream.requests.length > 0, true);
    } finally {
      await listening.close();
      await gateway.close();
    }
  });

  test('a client certificate tells tenants apart when no key is sent: one Idempotency-Key from two certificates is two requests', async () => {
    const gateway = await createGateway(chainConfig([upstream.url]), { logger: createLogger('silent') });
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-mtls-'));
    const bundle = join(dir, 'clients.pem');
    await writeFile(bundle, Buffer.concat([await readFile(A.certFile), await readFile(B.certFile)]));
    const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, tls: { ...A, clientCaFile: bundle } });
    const { a, b } = await clientPairs();
    const asA = new Agent({ connect: { ca: trusted, ...a } });
    const asB = new Agent({ connect: { ca: trusted, ...b } });
    const send = async (dispatcher: Agent) => {
      const res = await request(`${listening.url}/v1/chat/completions`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'order-42' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'same body' }] }),
      });
      await res.body.text();
      return { status: res.statusCode, replayOf: res.headers['x-switchyard-idempotent-replay'] };
    };
    try {
      const before = upstream.requests.length;
      const first = await send(asA);
      const other = await send(asB);
      const again = await send(asA);
      assert.deepEqual([first.status, other.status, again.status], [200, 200, 200]);
      assert.equal(upstream.requests.length - before, 2, "B's request was its own, A's second a replay");
      assert.equal(other.replayOf, undefined);
      assert.equal(typeof again.replayOf, 'string');
    } finally {
      await Promise.all([asA.destroy(), asB.destroy()]);
      await listening.close();
      await gateway.close();
    }
  });

  /**
   * A gateway with its access log on, whose log lines (at warn: the access log's) are collected,
   * and its request log in a SQLite file at `requestLog` (read it after the gateway closes).
   */
  async function accessLogged(): Promise<{ gateway: Gateway; lines: Record<string, unknown>[]; requestLog: string }> {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('warn', { write: (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>) });
    const requestLog = join(await mkdtemp(join(tmpdir(), 'switchyard-mtls-log-')), 'requests.db');
    const gateway = await createGateway(chainConfig([upstream.url], { telemetry: { request_log: { store: 'sqlite', path: requestLog }, access_log: { enabled: true } } }), { logger });
    return { gateway, lines, requestLog };
  }

  /** The client certificate each request's row in the request log names. */
  async function loggedCertificates(path: string, requestIds: unknown[]): Promise<(string | null | undefined)[]> {
    const log = openSqliteRequestLog({ path, mustExist: true });
    try {
      return await Promise.all(requestIds.map(async (id) => (await log.get(String(id)))?.request.client_certificate));
    } finally {
      await log.close();
    }
  }

  test("the access log names a client certificate's subject, of routed and refused requests, whichever credential tells the tenant; the request log too", async () => {
    const { gateway, lines, requestLog } = await accessLogged();
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-mtls-'));
    const bundle = join(dir, 'clients.pem');
    const C = { cert: await readFile(join(FIXTURES, 'client-c.crt')), key: await readFile(join(FIXTURES, 'client-c.key')) };
    await writeFile(bundle, Buffer.concat([await readFile(A.certFile), C.cert]));
    const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, tls: { ...A, clientCaFile: bundle } });
    const { a } = await clientPairs();
    const asA = new Agent({ connect: { ca: trusted, ...a } });
    const asC = new Agent({ connect: { ca: trusted, ...C } });
    const send = async (dispatcher: Agent, body: string, headers: Record<string, string> = {}) => {
      const res = await request(`${listening.url}/v1/chat/completions`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json', ...headers }, body });
      await res.body.text();
      return { status: res.statusCode, requestId: res.headers['x-request-id'] };
    };
    const lineOf = (requestId: unknown) => lines.find((line) => line.msg === 'request' && line.requestId === requestId);
    const chat = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'who is asking?' }] });
    let routed: unknown[] = [];
    try {
      const keyless = await send(asC, chat);
      const withKey = await send(asA, chat, { authorization: 'Bearer sk-client-key' });
      routed = [keyless.requestId, withKey.requestId];
      const refused = await send(asC, '{"model": ');
      assert.deepEqual([keyless.status, withKey.status, refused.status], [200, 200, 400]);
      assert.equal(lineOf(keyless.requestId)?.clientCertificate, 'CN=svc-c, OU=Platform, O=Acme', 'most specific first, as a DN string');
      assert.equal(lineOf(withKey.requestId)?.clientCertificate, 'CN=switchyard-test-a', 'named even where the Authorization header tells the tenant');
      assert.equal(lineOf(refused.requestId)?.clientCertificate, 'CN=svc-c, OU=Platform, O=Acme', 'a request refused before routing too');
      assert.notEqual(lineOf(keyless.requestId)?.tenant, lineOf(withKey.requestId)?.tenant);
      assert.ok(!JSON.stringify(lines).includes('sk-client-key'), 'never the key');
    } finally {
      await Promise.all([asA.destroy(), asC.destroy()]);
      await listening.close();
      await gateway.close();
    }
    // The request log (written by the time the gateway has closed) names them too.
    assert.deepEqual(await loggedCertificates(requestLog, routed), ['CN=svc-c, OU=Platform, O=Acme', 'CN=switchyard-test-a']);
  });

  test('a plain connection (no client certificate) has no subject in the access log, and none in the request log', async () => {
    const { gateway, lines, requestLog } = await accessLogged();
    const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, tls: A });
    const plain = new Agent({ connect: { ca: trusted } });
    let routed: unknown[] = [];
    try {
      const res = await request(`${listening.url}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: plain,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.body.text();
      assert.equal(res.statusCode, 200);
      const line = lines.find((entry) => entry.msg === 'request');
      assert.ok(line);
      assert.equal('clientCertificate' in line, false);
      routed = [line.requestId];
    } finally {
      await plain.destroy();
      await listening.close();
      await gateway.close();
    }
    assert.deepEqual(await loggedCertificates(requestLog, routed), [null]);
  });

  test('starting with a certificate that cannot be read is a config problem at its path', async () => {
    const gateway = await createGateway(chainConfig([upstream.url]), { logger: createLogger('silent') });
    try {
      await assert.rejects(startServer(gateway, { host: '127.0.0.1', port: 0, tls: { ...A, keyFile: '/nonexistent/tls.key' } }), (err: Error) => err instanceof ConfigError && /server\.tls\.key_file: cannot be read: \/nonexistent\/tls\.key \(ENOENT\)/.test(err.message));
    } finally {
      await gateway.close();
    }
  });

  test('shutdown over TLS: the request in flight finishes, idle and handshake-less connections do not hold it up', async () => {
    upstream.respond(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      answerWith('finished during shutdown')(_req, res);
    });
    const config = chainConfig([upstream.url]);
    const { listening, close, gateway } = await serve({ ...config, server: { shutdown_timeout_ms: 5_000 } });
    const dispatcher = new Agent({ connect: { ca: trusted } });
    try {
      // An idle keep-alive TLS connection (one request done), and a TCP connection that never starts its handshake.
      const warm = await request(`${listening.url}/health/live`, { dispatcher });
      await warm.body.text();
      const silent = tcpConnect(listening.port, '127.0.0.1');
      await once(silent, 'connect');
      const inFlight = request(`${listening.url}/v1/chat/completions`, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      const [drained, answer] = await Promise.all([listening.close(), inFlight.then(async (res) => ({ status: res.statusCode, text: await res.body.text() }))]);
      const tookMs = performance.now() - started;
      assert.equal(answer.status, 200);
      assert.match(answer.text, /finished during shutdown/);
      assert.deepEqual(drained, { cut: 0 });
      // The handshake-less connection is cut at the deadline at the latest, not after node's 120 s (or our 10 s) handshake timeout.
      assert.ok(tookMs < 5_500, `close took ${tookMs.toFixed(0)} ms`);
      silent.destroy();
    } finally {
      upstream.respond(answerWith('over tls'));
      await dispatcher.close();
      await gateway.close();
    }
  });

  test('check-config notes a certificate it cannot read here, without failing (configs are often checked where it is not mounted)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-tls-check-'));
    const file = join(dir, 'switchyard.yaml');
    await writeFile(file, `server: { tls: { cert_file: /nonexistent/tls.crt, key_file: "${A.keyFile}" } }\nproviders: { up: { type: openai-compatible, base_url: "${upstream.url}" } }\ndeployments: { d0: { provider: up, model: m } }\nroutes: { chat: { chain: [d0] } }\n`);
    const run = await runCli(['check-config', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /note: server\.tls cannot be served from this machine: server\.tls\.cert_file: cannot be read: \/nonexistent\/tls\.crt \(ENOENT\)/);
    assert.doesNotMatch(run.stdout, /key_file/);
  });

  test('switchyard start serves HTTPS from the config, and SIGHUP reads the certificate again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-tls-cli-'));
    const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
    await copyFile(A.certFile, files.certFile);
    await copyFile(A.keyFile, files.keyFile);
    const file = join(dir, 'switchyard.yaml');
    await writeFile(
      file,
      oneUpstreamYaml(
        `server: { host: 127.0.0.1, port: 0, tls: { cert_file: "${files.certFile}", key_file: "${files.keyFile}" } }
log: { level: info }
telemetry: { request_log: { store: "off" } }`,
        upstream.url,
      ),
    );
    const gateway = await startCli(['--config', file]);
    try {
      assert.match(gateway.url, /^https:\/\//);
      const port = Number(new URL(gateway.url).port);
      assert.equal(await servedName(port, trusted), 'switchyard-test-a');
      await copyFile(B.certFile, files.certFile);
      await copyFile(B.keyFile, files.keyFile);
      gateway.child.kill('SIGHUP');
      const deadline = Date.now() + 5_000;
      while (!gateway.logs.some((entry) => entry.msg === 'TLS certificate and key read again') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await servedName(port, trusted), 'switchyard-test-b');
    } finally {
      await gateway.stop();
    }
  });
});
