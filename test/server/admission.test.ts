/**
 * server.max_in_flight: model requests past the limit are refused at once with a 503, the rest are
 * not; also where the gateway's endpoints are mounted in an app's own server (createRequestListener).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { createRequestListener } from '../../src/server/create-server.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { chunkJson, completionJson, startRecordingUpstream, userRequests, type RecordingUpstream } from '../helpers/recording-upstream.js';

const CHAT = { model: 'chat', messages: [{ role: 'user' as const, content: 'hi' }] };

/** An upstream that holds every answer until `release()`: a stream sends its first word, then waits. */
async function heldUpstream(): Promise<{ upstream: RecordingUpstream; release(): void }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const upstream = await startRecordingUpstream(async (req, res) => {
    if (req.body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'first' })}\n\n`);
      await held;
      res.write(`data: ${chunkJson({}, 'stop')}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    await held;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(completionJson('held'));
  });
  return { upstream, release };
}

async function post(gw: GatewayFixture, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function scrape(gw: GatewayFixture, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('server.max_in_flight', () => {
  test('past the limit a model request gets a 503 with retry-after at once, in each API\'s shape; probes and metrics still answer; a slot frees when a response ends', async (t) => {
    const { upstream, release } = await heldUpstream();
    const logs: string[] = [];
    const gw = await startGateway(chainConfig([upstream.url], { server: { max_in_flight: 2 }, telemetry: { request_log: { store: 'off' }, metrics: { enabled: true } } }), logs);
    t.after(async () => {
      release();
      await gw.close();
      await upstream.close();
    });

    // Two held: a stream (its first chunk is out) and a completion.
    const stream = await post(gw, '/v1/chat/completions', { ...CHAT, stream: true });
    assert.equal(stream.status, 200);
    const reader = stream.body!.getReader();
    await reader.read();
    const completion = gw.client.chat.completions.create(CHAT);
    await until(() => userRequests(upstream).length === 2, 'two upstream calls');
    assert.equal(await scrape(gw, 'switchyard_requests_in_flight'), 2);

    const refused = await post(gw, '/v1/chat/completions', CHAT);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    const body = (await refused.json()) as { error: { code: string; type: string; message: string } };
    assert.equal(body.error.code, 'overloaded');
    assert.equal(body.error.type, 'server_error');
    assert.match(body.error.message, /limit of 2 requests in flight \(server\.max_in_flight\)/);
    await assert.rejects(gw.client.embeddings.create({ model: 'embed', input: 'x' }), (err: unknown) => err instanceof OpenAI.APIError && err.status === 503);
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
    await assert.rejects(anthropic.messages.create({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.APIError);
      assert.equal(err.status, 529);
      assert.equal((err.error as { error?: { type?: string } }).error?.type, 'overloaded_error');
      return true;
    });
    assert.equal(userRequests(upstream).length, 2, 'a refused request never reaches an upstream');

    // What must answer under load still does.
    assert.equal((await fetch(`${gw.url}/health/ready`)).status, 200);
    assert.equal((await fetch(`${gw.url}/v1/models`)).status, 200);
    assert.equal(await scrape(gw, 'switchyard_requests_shed_total'), 3);
    // One warning for the surge, not one per refusal.
    const warnings = logs.filter((line) => line.includes('refusing requests'));
    assert.equal(warnings.length, 1, logs.join('\n'));
    assert.match(warnings[0] ?? '', /"limit":2/);
    assert.ok(!logs.some((line) => line.includes('request failed')), 'no error line per refusal');

    // The stream's slot frees when it ends, the completion's when it is answered.
    release();
    assert.equal((await completion).choices[0]?.message.content, 'held');
    while (!(await reader.read()).done);
    await until(async () => (await scrape(gw, 'switchyard_requests_in_flight')) === 0, 'no request in flight');
    assert.equal((await post(gw, '/v1/chat/completions', CHAT)).status, 200);
  });

  test('a client that leaves mid-stream frees its slot', async (t) => {
    const { upstream, release } = await heldUpstream();
    const gw = await startGateway(chainConfig([upstream.url], { server: { max_in_flight: 1 } }));
    t.after(async () => {
      release();
      await gw.close();
      await upstream.close();
    });
    const controller = new AbortController();
    const stream = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...CHAT, stream: true }), signal: controller.signal });
    await stream.body!.getReader().read();
    assert.equal((await post(gw, '/v1/chat/completions', CHAT)).status, 503);
    controller.abort();
    await until(() => gw.gateway.load.inFlight === 0, 'the slot to free');
    release();
    assert.equal((await post(gw, '/v1/chat/completions', CHAT)).status, 200);
  });

  test('0 (the default) sets no limit but still counts; a reload changes the limit for the next request', async (t) => {
    const { upstream, release } = await heldUpstream();
    const config = chainConfig([upstream.url]);
    const gw = await startGateway(config);
    t.after(async () => {
      release();
      await gw.close();
      await upstream.close();
    });
    assert.equal(gw.gateway.config.server.max_in_flight, 0);
    const held = [1, 2, 3].map(() => post(gw, '/v1/chat/completions', CHAT));
    await until(() => userRequests(upstream).length === 3, 'three upstream calls');
    assert.equal(gw.gateway.load.inFlight, 3);
    await gw.gateway.reload({ ...config, server: { max_in_flight: 3 } });
    assert.equal((await post(gw, '/v1/chat/completions', CHAT)).status, 503);
    assert.equal(gw.gateway.load.shed, 1);
    release();
    for (const res of await Promise.all(held)) assert.equal(res.status, 200);
  });

  test("mounted in an app's own server (createRequestListener), the endpoints answer as the gateway's, and the limit holds", async (t) => {
    const { upstream, release } = await heldUpstream();
    const gateway = await createGateway(chainConfig([upstream.url], { server: { max_in_flight: 1 } }), { logger: createLogger('silent') });
    const gatewayListener = createRequestListener(gateway);
    // The app serves its own path and hands the rest to the gateway.
    const app = createServer((req, res) => (req.url === '/app/hello' ? res.end('the app') : gatewayListener(req, res)));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    t.after(async () => {
      release();
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
      await gateway.close();
      await upstream.close();
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    assert.equal(await (await fetch(`${url}/app/hello`)).text(), 'the app');
    const unknown = await fetch(`${url}/v1/nowhere`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_url');

    const held = client.chat.completions.create(CHAT);
    await until(() => userRequests(upstream).length === 1, 'the upstream call');
    await assert.rejects(client.chat.completions.create(CHAT), (err: unknown) => err instanceof OpenAI.APIError && err.status === 503 && err.code === 'overloaded');
    assert.equal(gateway.load.shed, 1);
    release();
    assert.equal((await held).choices[0]?.message.content, 'held');
    await until(() => gateway.load.inFlight === 0, 'the slot to free');
    assert.equal((await client.chat.completions.create(CHAT)).choices[0]?.message.content, 'held');
  });
});
