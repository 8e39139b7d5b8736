/**
 * When a stream's response head goes out (server.stream_head). `first_chunk`, the default: with the
 * upstream's first chunk, as it arrives, and a failure before the first content still falls back,
 * told in an SSE comment. `first_content`: held until the first content, so the headers name what
 * served. Real sockets, scripted OpenAI-format upstreams, the real `openai` client.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { APIError } from 'openai';
import type { ConfigInput } from '../../src/config/schema.js';
import { servedFromComment } from '../../src/drill/send-chat.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import type { Served } from '../../src/gateway/served.js';
import type { StreamChunk } from '../../src/providers/types.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { chunkJson, startRecordingUpstream, type RecordingUpstream, type Responder } from '../helpers/recording-upstream.js';

const BODY = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true };

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
}

/** A role-only first chunk, then an in-band error: a stream that fails before any content. */
const roleThenError =
  (model: string): Responder =>
  (_req, res) => {
    sse(res);
    res.write(`data: ${chunkJson({ role: 'assistant', content: '' }, null, model)}\n\n`);
    res.end(`data: ${JSON.stringify({ error: { message: 'server had an error', type: 'server_error' } })}\n\n`);
  };

/** A whole stream: role, the words of `text`, stop, [DONE]. */
const answerStream =
  (text: string, model: string): Responder =>
  (_req, res) => {
    sse(res);
    res.write(`data: ${chunkJson({ role: 'assistant', content: '' }, null, model)}\n\n`);
    for (const word of text.split(' ')) res.write(`data: ${chunkJson({ content: word }, null, model)}\n\n`);
    res.write(`data: ${chunkJson({}, 'stop', model)}\n\n`);
    res.end('data: [DONE]\n\n');
  };

async function postStream(gw: GatewayFixture): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BODY) });
}

const comments = (body: string) => body.split('\n').filter((line) => line.startsWith(': served-by '));

async function openaiText(gw: GatewayFixture): Promise<string> {
  const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

describe('server.stream_head: first_chunk (the default)', () => {
  const upstreams: RecordingUpstream[] = [];
  const gateways: GatewayFixture[] = [];
  after(async () => {
    for (const gw of gateways) await gw.close();
    for (const upstream of upstreams) await upstream.close();
  });
  /** A gateway over `count` scripted upstreams, with `route` added to its `chat` route. */
  async function start(count: number, route: Record<string, unknown> = {}): Promise<{ gw: GatewayFixture; ups: RecordingUpstream[] }> {
    const ups = await Promise.all(Array.from({ length: count }, () => startRecordingUpstream()));
    upstreams.push(...ups);
    const config = chainConfig(ups.map((u) => u.url));
    const gw = await startGateway({ ...config, routes: { ...config.routes, chat: { ...config.routes.chat, ...route } } } as ConfigInput);
    gateways.push(gw);
    return { gw, ups };
  }

  test('the role-only first chunk reaches the client, with the head, before the upstream has sent any content', async () => {
    const { gw, ups } = await start(1);
    let release!: (by: string) => void;
    const released = new Promise<string>((resolve) => (release = resolve));
    ups[0]?.respond(async (_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: '' })}\n\n`);
      // The content waits for the client to have the first chunk (or, if it never comes, 3 s).
      const timer = setTimeout(() => release('timer'), 3000);
      await released;
      clearTimeout(timer);
      res.write(`data: ${chunkJson({ content: 'late' })}\n\n`);
      res.write(`data: ${chunkJson({}, 'stop')}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const res = await postStream(gw);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'd0');
    assert.equal(res.headers.get('x-switchyard-hop'), '1');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    assert.match(first, /^data: .*"role":"assistant"/);
    assert.doesNotMatch(first, /late/);
    release('client');
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
    }
    assert.equal(await released, 'client', 'the client had the first chunk while the upstream still held its content');
    assert.match(rest, /"content":"late"/);
    assert.ok(rest.endsWith('data: [DONE]\n\n'));
    assert.deepEqual(comments(first + rest), [], 'nothing to correct: the deployment the head named served');
  });

  test('a failure after the early head still falls back: the head names the first deployment, a comment names what served, and the client reads the backup whole', async () => {
    const { gw, ups } = await start(2);
    ups[0]?.respond(roleThenError('model-primary'));
    ups[1]?.respond(answerStream('from backup', 'model-backup'));
    const res = await postStream(gw);
    const body = await res.text();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'd0', 'the head went out with the first role chunk');
    assert.equal(res.headers.get('x-switchyard-hop'), '1');
    const told = comments(body);
    // The default policy retries upstream_5xx once on the same deployment, then moves on.
    assert.equal(told.length, 2, body);
    assert.match(told[0] as string, / hop=1 attempts=2 deployment=d0 /);
    assert.match(told[1] as string, / hop=2 attempts=3 deployment=d1 provider=p1 fallback-reason=upstream_5xx$/);
    const firstContent = body.indexOf('"content":"from"');
    assert.ok(body.indexOf(told[1] as string) < firstContent, 'what served is told before its content');
    assert.equal(body.slice(0, firstContent).match(/model-primary/g)?.length, 2, "each call's role chunk, as it came");
    assert.doesNotMatch(body.slice(firstContent), /model-primary/);
    assert.ok(body.endsWith('data: [DONE]\n\n'));
    assert.doesNotMatch(body, /server had an error/, "the failed hops' errors are not the client's");
    assert.equal(await openaiText(gw), 'frombackup');
    // `switchyard drill` reads the comment as a client would.
    assert.deepEqual(servedFromComment(body), { hop: 2, attempts: 3, deployment: 'd1', fallbackReason: 'upstream_5xx' });
  });

  test('a client that leaves after the early head, before any content, aborts the upstream call', async () => {
    const { gw, ups } = await start(1);
    ups[0]?.respond((_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: '' })}\n\n`);
      // No content until the test is over: only the client's leaving can end this call.
      setTimeout(() => res.destroyed || res.end('data: [DONE]\n\n'), 5000).unref();
    });
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BODY), signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /"role":"assistant"/);
    controller.abort();
    const seen = ups[0]?.requests.at(-1);
    assert.ok(seen);
    // Well within the route's idle timeout (2 s), which would end the call anyway.
    await Promise.race([seen.closedEarly, new Promise((_, reject) => setTimeout(() => reject(new Error('the upstream call was not aborted within 1 s')), 1000).unref())]);
  });

  test('a request whose every hop fails after the early head ends with an in-band error the openai client raises', async () => {
    const { gw, ups } = await start(2);
    ups[0]?.respond(roleThenError('model-primary'));
    ups[1]?.respond(roleThenError('model-backup'));
    const res = await postStream(gw);
    const body = await res.text();
    assert.equal(res.status, 200);
    const events = body.split('\n\n').filter((event) => event.startsWith('data: '));
    const last = JSON.parse((events.at(-1) as string).slice('data: '.length)) as { error?: { message: string; type: string } };
    assert.ok(last.error, body);
    assert.match(last.error.message, /server had an error/);
    assert.doesNotMatch(body, /\[DONE\]/, 'never a clean end');
    await assert.rejects(openaiText(gw), (err: unknown) => err instanceof APIError && /server had an error/.test(err.message));
  });

  test('a route that hedges holds the head for the first content (two calls may be streaming at once)', async () => {
    const { gw: hedged, ups } = await start(2, { hedge_after_ms: 60_000 });
    ups[0]?.respond(roleThenError('model-primary'));
    ups[1]?.respond(answerStream('from backup', 'model-backup'));
    const res = await postStream(hedged);
    const body = await res.text();
    assert.equal(res.headers.get('x-switchyard-deployment'), 'd1');
    assert.deepEqual(comments(body), []);
    assert.doesNotMatch(body, /model-primary/);
  });
});

describe('server.stream_head on the Anthropic-compatible endpoint (/v1/messages)', () => {
  const MESSAGE = { model: 'chat', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] };

  async function start(t: { after(fn: () => Promise<void>): void }, server: Record<string, unknown> = {}): Promise<GatewayFixture> {
    const ups = await Promise.all([startRecordingUpstream(roleThenError('model-primary')), startRecordingUpstream(answerStream('from backup', 'model-backup'))]);
    const config = chainConfig(ups.map((u) => u.url));
    const gw = await startGateway({ ...config, server });
    t.after(async () => {
      await gw.close();
      for (const upstream of ups) await upstream.close();
    });
    return gw;
  }

  const post = (gw: GatewayFixture) =>
    fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(MESSAGE) });

  test('message_start goes out with the first chunk; after a fallback there is still one message, which @anthropic-ai/sdk reads whole', async (t) => {
    const gw = await start(t);
    const res = await post(gw);
    const body = await res.text();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'd0');
    assert.equal(res.headers.get('request-id'), res.headers.get('x-request-id'));
    assert.equal(body.match(/event: message_start/g)?.length, 1, body);
    assert.ok(body.startsWith('event: message_start\ndata: '), 'the first event, sent before the fallback');
    assert.match(body.slice(0, body.indexOf('\n\n')), /"model":"model-primary"/);
    const told = comments(body);
    assert.match(told.at(-1) as string, / hop=2 attempts=3 deployment=d1 provider=p1 fallback-reason=upstream_5xx$/);
    assert.ok(body.indexOf(told.at(-1) as string) < body.indexOf('content_block_start'));
    assert.match(body, /event: message_stop/);

    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
    const message = await anthropic.messages.stream({ model: 'chat', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    assert.deepEqual(
      message.content.map((block) => (block.type === 'text' ? block.text : block.type)),
      ['frombackup'],
    );
    assert.equal(message.stop_reason, 'end_turn');
  });

  test('first_content: the head and message_start wait for the first content, and name what served', async (t) => {
    const gw = await start(t, { stream_head: 'first_content' });
    const res = await post(gw);
    const body = await res.text();
    assert.equal(res.headers.get('x-switchyard-deployment'), 'd1');
    assert.deepEqual(comments(body), []);
    assert.match(body.slice(0, body.indexOf('\n\n')), /"model":"model-backup"/);
  });
});

describe('server.stream_head: first_content', () => {
  /** A gateway holding the head for the first content, over a primary that fails before any content and a backup that answers. */
  async function startHeldOverFailingPrimary(t: { after(fn: () => Promise<void>): void }): Promise<GatewayFixture> {
    const ups = await Promise.all([startRecordingUpstream(roleThenError('model-primary')), startRecordingUpstream(answerStream('from backup', 'model-backup'))]);
    const gw = await startGateway({ ...chainConfig(ups.map((u) => u.url)), server: { stream_head: 'first_content' } });
    t.after(async () => {
      await gw.close();
      for (const upstream of ups) await upstream.close();
    });
    return gw;
  }

  test('holds the head for the first content: the headers name what served, and a failed hop sends the client nothing', async (t) => {
    const gw = await startHeldOverFailingPrimary(t);
    const res = await postStream(gw);
    const body = await res.text();
    assert.equal(res.headers.get('x-switchyard-deployment'), 'd1');
    assert.equal(res.headers.get('x-switchyard-hop'), '2');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
    assert.deepEqual(comments(body), []);
    assert.doesNotMatch(body, /model-primary/);
    assert.match(body, /^data: .*"model":"model-backup"/);
    assert.equal(await openaiText(gw), 'frombackup');
  });

  test('/v1/responses holds response.created for the first content too, and its headers name what served', async (t) => {
    const gw = await startHeldOverFailingPrimary(t);
    const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', input: 'hi', stream: true }) });
    const body = await res.text();
    assert.equal(res.headers.get('x-switchyard-deployment'), 'd1');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
    assert.deepEqual(comments(body), []);
    assert.equal(body.match(/event: response\.created/g)?.length, 1, body);
    assert.match(body.slice(0, body.indexOf('\n\n')), /"model":"model-backup"/);
    assert.match(body, /event: response\.completed/);
  });

  test('check-config refuses any other value', async () => {
    const { configSchema } = await import('../../src/config/schema.js');
    const parsed = configSchema.safeParse({ ...chainConfig(['http://127.0.0.1:1/v1']), server: { stream_head: 'first_byte' } });
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['server', 'stream_head']);
  });
});

describe('createGateway: CallOptions.onEarlyChunk', () => {
  test("hands over the chunks up to the first content as they come, with what streams them, and leaves them out of the outcome's chunks", async (t) => {
    const ups = await Promise.all([startRecordingUpstream(roleThenError('model-primary')), startRecordingUpstream(answerStream('from backup', 'model-backup'))]);
    const gateway = await createGateway(chainConfig(ups.map((u) => u.url)), { logger: createLogger('silent') });
    t.after(async () => {
      await gateway.close();
      for (const upstream of ups) await upstream.close();
    });
    const early: Array<{ data: string; deployment: string | undefined; hop: number; attempts: number; reason: string | undefined }> = [];
    const onEarlyChunk = (chunk: StreamChunk, from: Served) => early.push({ data: chunk.data, deployment: from.deployment, hop: from.hop, attempts: from.attempts.length, reason: from.fallbackReason });
    const outcome = await gateway.chatCompletion(BODY, { onEarlyChunk });
    assert.equal(outcome.kind, 'stream');
    if (outcome.kind !== 'stream') return;
    const rest: string[] = [];
    for await (const chunk of outcome.chunks) rest.push(chunk.data);
    assert.deepEqual(
      early.map(({ deployment, hop, attempts, reason }) => `${deployment} hop ${hop} attempt ${attempts} ${reason ?? '-'}`),
      ['d0 hop 1 attempt 1 -', 'd0 hop 1 attempt 2 -', 'd1 hop 2 attempt 3 upstream_5xx', 'd1 hop 2 attempt 3 upstream_5xx'],
    );
    assert.ok(early.slice(0, 3).every((chunk) => /"role":"assistant"/.test(chunk.data)));
    // The first content commits the call: it is handed over as it comes too, not after the walk's bookkeeping.
    assert.match(early[3]?.data ?? '', /"content":"from"/);
    assert.equal(outcome.served.deployment, 'd1');
    assert.equal(rest.length, 2, 'the second word and the stop: not the role chunk or the first word again');
    assert.ok(rest.every((data) => !/"role"/.test(data) && !/"content":"from"/.test(data)));
  });
});
