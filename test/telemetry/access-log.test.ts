/**
 * `telemetry.access_log`: one JSON line per request on the gateway's log stream, at info even when
 * the gateway logs only warnings; routed requests with where they went, their calls, tokens and
 * errors; refused ones with their status and code; never two lines for one request, never content,
 * keys or query strings.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { ConfigInput } from '../../src/config/schema.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startServer, type ListeningServer } from '../../src/server/create-server.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { chainConfig, oneUpstreamYaml } from '../helpers/gateway-fixture.js';
import { send } from '../helpers/raw-http.js';
import { cliArgs } from '../helpers/spawn-cli.js';
import { answerWith, chunkJson, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

type Line = Record<string, unknown>;

interface Running {
  gateway: Gateway;
  server: ListeningServer;
  client: OpenAI;
  lines: Line[];
  /** The access log's lines. */
  requests(): Line[];
  close(): Promise<void>;
}

/** A gateway whose logger writes at warn into `lines`, as a production one at `log.level: warn` would. */
async function start(config: ConfigInput): Promise<Running> {
  const lines: Line[] = [];
  const logger = createLogger('warn', { write: (text: string) => void lines.push(JSON.parse(text) as Line) });
  const gateway = await createGateway(config, { logger });
  const server = await startServer(gateway, { host: '127.0.0.1', port: 0 });
  return {
    gateway,
    server,
    client: new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'client-key', maxRetries: 0 }),
    lines,
    requests: () => lines.filter((line) => line.msg === 'request'),
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

/** A port free now (the gateway at warn logs nothing that would tell the one it took for port 0). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `url` answers /health/live. */
async function waitLive(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/health/live`).then((res) => res.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up within 15 s`);
}

/** Waits for the event of a request that just finished (a stream's comes as it ends). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('the access log', () => {
  let good: RecordingUpstream;
  let failing: RecordingUpstream;
  before(async () => {
    good = await startRecordingUpstream(answerWith('hello'));
    failing = await startRecordingUpstream((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom","type":"server_error"}}');
    });
  });
  after(async () => {
    await good.close();
    await failing.close();
  });

  const withAccessLog = (config: ConfigInput): ConfigInput => ({ ...config, telemetry: { ...config.telemetry, access_log: { enabled: true } } });

  test('a served request: one info line with where it went, its calls, tokens and time, and no content', async () => {
    const gw = await start(withAccessLog(chainConfig([failing.url, good.url])));
    try {
      const { response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'a secret question' }] }).withResponse();
      await settle();
      const [line, ...more] = gw.requests();
      assert.equal(more.length, 0);
      const requestId = response.headers.get('x-request-id');
      assert.equal(typeof line?.durationMs, 'number');
      assert.deepEqual({ ...line, time: undefined, durationMs: undefined }, {
        level: 30,
        time: undefined,
        service: 'switchyard',
        msg: 'request',
        requestId,
        operation: 'chat',
        route: 'chat',
        status: 200,
        stream: false,
        durationMs: undefined,
        deployment: 'd1',
        provider: 'p1',
        hop: 2,
        // A 500 is retried once on the same deployment, then the chain moves on.
        calls: 3,
        fallbackReason: 'upstream_5xx',
        model: 'upstream-model',
        finishReason: 'stop',
        inputTokens: 5,
        outputTokens: 2,
        // The bench-style models here have no price: counted, not priced.
        unpricedCalls: 1,
        // The caller, as a hash of its key (request-identity.ts), never the key.
        tenant: line?.tenant,
      });
      assert.match(String(line?.tenant), /^[0-9a-f]{16}$/);
      const text = JSON.stringify(gw.lines);
      assert.ok(!text.includes('a secret question') && !text.includes('sk-upstream-secret'), 'no content and no key in any line');
    } finally {
      await gw.close();
    }
  });

  test('a stream gets its line when it ends, with the time to its first chunk', async () => {
    good.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'hi' })}\n\n`);
      res.end(`data: ${chunkJson({}, 'length')}\n\ndata: [DONE]\n\n`);
    });
    const gw = await start(withAccessLog(chainConfig([good.url])));
    try {
      const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
      for await (const _chunk of stream);
      await settle();
      const [line] = gw.requests();
      assert.equal(gw.requests().length, 1);
      assert.equal(line?.stream, true);
      assert.equal(line?.finishReason, 'length');
      assert.equal(typeof line?.ttftMs, 'number');
      assert.ok((line?.ttftMs as number) <= (line?.durationMs as number));
    } finally {
      good.respond(answerWith('hello'));
      await gw.close();
    }
  });

  test('a request every deployment failed has one line, from its route, with the error', async () => {
    const gw = await start(withAccessLog(chainConfig([failing.url])));
    try {
      await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }));
      await settle();
      const lines = gw.requests();
      assert.equal(lines.length, 1);
      assert.deepEqual(
        { route: lines[0]?.route, status: lines[0]?.status, error: lines[0]?.error, errorShape: lines[0]?.errorShape, calls: lines[0]?.calls },
        { route: 'chat', status: 502, error: 'upstream_500', errorShape: 'upstream_5xx', calls: 2 },
      );
    } finally {
      await gw.close();
    }
  });

  test('requests refused before routing get a line with their status and code, without the query string', async () => {
    const gw = await start(withAccessLog(chainConfig([good.url])));
    try {
      const post = (path: string, body: string, headers: Record<string, string>) => send(gw.server.url, 'POST', path, { 'content-type': 'application/json', ...headers }, body);
      await post('/v1/chat/completions', '{not json', { 'x-request-id': 'bad-json' });
      await post('/v1/chat/completions', JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }), { 'x-request-id': 'unknown-model' });
      await post('/v1/nowhere?key=sk-in-query', '{}', { 'x-request-id': 'unknown-path' });
      await post('/v1/messages', JSON.stringify({ model: 'chat', messages: [] }), { 'x-request-id': 'anthropic-bad', 'anthropic-version': '2023-06-01' });
      await settle();
      const seen = gw.requests().map(({ requestId, method, path, status, error }) => ({ requestId, method, path, status, error }));
      assert.deepEqual(seen, [
        { requestId: 'bad-json', method: 'POST', path: '/v1/chat/completions', status: 400, error: 'invalid_json' },
        { requestId: 'unknown-model', method: 'POST', path: '/v1/chat/completions', status: 404, error: 'model_not_found' },
        { requestId: 'unknown-path', method: 'POST', path: '/v1/nowhere', status: 404, error: 'unknown_url' },
        { requestId: 'anthropic-bad', method: 'POST', path: '/v1/messages', status: 400, error: seen[3]?.error },
      ]);
      assert.equal(typeof seen[3]?.error, 'string');
      assert.ok(!JSON.stringify(gw.lines).includes('sk-in-query'));
    } finally {
      await gw.close();
    }
  });

  test('a request sharing its idempotency key with one in flight that fails gets its own line', async () => {
    const slowFailing = await startRecordingUpstream(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom","type":"server_error"}}');
    });
    const config = chainConfig([slowFailing.url]);
    const gw = await start(withAccessLog({ ...config, routes: { chat: { chain: ['d0'], policy: { upstream_5xx: 'stop' } } } }));
    try {
      const ask = (id: string) => gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'idempotency-key': 'same-key', 'x-request-id': id } });
      const results = await Promise.allSettled([ask('leader'), ask('follower')]);
      assert.ok(results.every((result) => result.status === 'rejected'));
      assert.equal(slowFailing.requests.length, 1, 'one upstream call for both');
      await settle();
      const lines = gw.requests();
      assert.deepEqual(lines.map((line) => line.requestId).sort(), ['follower', 'leader']);
    } finally {
      await gw.close();
      await slowFailing.close();
    }
  });

  test('switchyard start writes the lines on stdout, at log level warn, through the batched stream', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-access-'));
    const file = join(dir, 'config.yaml');
    await writeFile(
      file,
      oneUpstreamYaml(
        `server: { host: 127.0.0.1, port: ${port} }
log: { level: warn }
telemetry: { access_log: { enabled: true }, request_log: { store: "off" } }`,
        good.url,
      ),
    );
    const gateway = spawn(process.execPath, cliArgs(['start', '--config', file]), { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Line[] = [];
    createInterface({ input: gateway.stdout }).on('line', (text) => lines.push(JSON.parse(text) as Line));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitLive(url);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'from-the-cli-test' } });
      const deadline = Date.now() + 3_000;
      while (!lines.some((line) => line.msg === 'request') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const line = lines.find((entry) => entry.msg === 'request');
      assert.deepEqual({ requestId: line?.requestId, route: line?.route, status: line?.status, level: line?.level }, { requestId: 'from-the-cli-test', route: 'chat', status: 200, level: 30 });
      assert.ok(!lines.some((entry) => entry.msg === 'listening'), 'the gateway itself logs at warn only');
    } finally {
      gateway.kill('SIGTERM');
      await once(gateway, 'exit');
    }
  });

  test('off by default: no lines', async () => {
    const gw = await start(chainConfig([good.url]));
    try {
      await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      await send(gw.server.url, 'POST', '/v1/nowhere', {}, '');
      await settle();
      assert.deepEqual(gw.requests(), []);
    } finally {
      await gw.close();
    }
  });
});
