/**
 * `stream_usage` against an upstream that refuses `stream_options` (older Azure api-versions, some
 * OpenAI-compatible servers answer 400 or 422 to a field they do not know): the request the gateway
 * added the field to is asked again without it, once, and the provider stops adding it; the
 * client's own `stream_options` are never taken out. Against a scripted upstream on a real socket.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ConfigInput } from '../../../src/config/schema.js';
import { createGateway, type Gateway } from '../../../src/gateway/create-gateway.js';
import { startServer, type ListeningServer } from '../../../src/server/create-server.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import type { RequestEvent } from '../../../src/telemetry/request-event.js';

interface Upstream {
  url: string;
  /** The bodies of the chat requests it was sent, in order. */
  bodies: Record<string, unknown>[];
  server: Server;
}

/**
 * An OpenAI-format upstream. `refuses`: a body with `stream_options` gets a 400 naming the field
 * (Azure's words). Either way a body with `"bad": true` gets a 400 of its own.
 */
async function startUpstream(refuses: boolean): Promise<Upstream> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (text += part));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      bodies.push(body);
      const refuse = (message: string): void => {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }));
      };
      if (body.bad === true) return refuse('Unrecognized request argument supplied: bad');
      if (refuses && 'stream_options' in body) return refuse('Unrecognized request argument supplied: stream_options');
      const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      const chunk = (choices: unknown[], usage?: unknown) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...(usage ? { usage } : {}) })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
      res.write(chunk([{ index: 0, delta: { content: 'Hello there' }, finish_reason: null }]));
      res.write(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
      if (withUsage) res.write(chunk([], { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 }));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, bodies, server };
}

describe('stream_usage against an upstream that refuses stream_options', () => {
  let refusing: Upstream;
  let accepting: Upstream;
  let gateway: Gateway;
  let server: ListeningServer;
  const events: RequestEvent[] = [];
  const warnings: Record<string, unknown>[] = [];

  before(async () => {
    refusing = await startUpstream(true);
    accepting = await startUpstream(false);
    const provider = (url: string) => ({ type: 'openai-compatible', base_url: url, stream_usage: true });
    const config = {
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' }, metrics: { enabled: false }, pricing: { package: false, models: { m: { input_per_mtok: 1, output_per_mtok: 2 } } } },
      providers: { refusing: provider(refusing.url), accepting: provider(accepting.url) },
      deployments: { refusing: { provider: 'refusing', model: 'm' }, accepting: { provider: 'accepting', model: 'm' } },
      routes: { refusing: { chain: ['refusing'] }, accepting: { chain: ['accepting'] } },
    } as ConfigInput;
    const logger = createLogger('warn', { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
    gateway = await createGateway(config, { logger, telemetry: [{ requestFinished: (event) => void events.push(event), close: async () => undefined }] });
    server = await startServer(gateway, { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    await gateway.close();
    refusing.server.close();
    accepting.server.close();
  });

  async function stream(body: Record<string, unknown>): Promise<{ status: number; text: string; event: RequestEvent }> {
    const before = events.length;
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body, stream: true }) });
    const text = await res.text();
    for (let i = 0; i < 200 && events.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    return { status: res.status, text, event: events.at(-1) as RequestEvent };
  }
  const notices = () => warnings.filter((line) => line.provider !== undefined && /stream_options/.test(String(line.msg)));

  test('the first stream is asked again without the field; later ones are not asked with it; the operator is told once', async () => {
    const first = await stream({ model: 'refusing' });
    assert.equal(first.status, 200, first.text);
    assert.match(first.text, /Hello there[\s\S]*data: \[DONE\]/);
    assert.deepEqual(
      refusing.bodies.map((body) => 'stream_options' in body),
      [true, false],
    );
    assert.equal(first.event.response?.usageEstimated, true, 'with no usage from the upstream, the gateway counted the stream');
    assert.ok((first.event.cost?.totalUsd ?? 0) > 0);

    const second = await stream({ model: 'refusing' });
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(
      refusing.bodies.map((body) => 'stream_options' in body),
      [true, false, false],
    );
    assert.equal(notices().length, 1);
    assert.equal(notices()[0]?.provider, 'refusing');
    assert.match(String(notices()[0]?.msg), /refusing refused a stream request with stream_options \(400\)/);
  });

  test("the client's own stream_options are never taken out: its refusal is the client's", async () => {
    const sent = refusing.bodies.length;
    const res = await stream({ model: 'refusing', stream_options: { include_usage: true } });
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /stream_options/);
    assert.equal(refusing.bodies.length, sent + 1, 'asked once');
  });

  test('an upstream that took the field once is not asked twice when it refuses something else', async () => {
    // Not known yet: a refusal is asked again without the field; both answers are refusals, so the
    // client gets the upstream's 400 and nothing is learned.
    const bad = await stream({ model: 'accepting', bad: true });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(
      accepting.bodies.map((body) => 'stream_options' in body),
      [true, false],
    );
    const good = await stream({ model: 'accepting' });
    assert.equal(good.status, 200, good.text);
    assert.doesNotMatch(good.text, /"choices":\[\]/, 'the usage-only chunk the gateway asked for is kept from the client');
    assert.equal(good.event.response?.usageEstimated, undefined, "priced from the upstream's count");
    assert.equal(good.event.response?.usage?.outputTokens, 2);
    const sent = accepting.bodies.length;
    const again = await stream({ model: 'accepting', bad: true });
    assert.equal(again.status, 400);
    assert.equal(accepting.bodies.length, sent + 1, 'known to take the field: asked once');
    assert.equal(notices().length, 1, 'no notice for the accepting upstream');
  });
});
