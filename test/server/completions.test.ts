/**
 * Legacy text completions (`POST /v1/completions`) through the gateway, with the real `openai`
 * client: passed through to OpenAI-format upstreams, translated through chat for the others, and
 * walked through the same chain as a chat request (fallback, stream priming, cache, manual steps).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadRequestError } from 'openai';
import type { ServerResponse } from 'node:http';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { attemptLog, callsTo, mockGatewayConfig, postChat, setFaults, walkOf, type MockGatewayOptions } from '../helpers/mock-gateway.js';

/** A gateway over mocks `primary` and `backup` (OpenAI's format) and `claude` (Anthropic's), with one route per chain given. */
async function startCompletionsGateway(t: { after(fn: () => Promise<void>): void }, chains: Record<string, unknown[]>, extra: Partial<MockGatewayOptions> = {}): Promise<GatewayFixture> {
  const config = mockGatewayConfig({ mocks: ['primary', 'backup', 'claude'], providers: { claude: { wire: 'anthropic' } }, ...extra });
  const routes = config.routes as Record<string, unknown>;
  for (const [name, chain] of Object.entries(chains)) routes[name] = { chain, timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 }, policy: { upstream_5xx: 'next' } };
  const gw = await startGateway(config);
  t.after(() => gw.close());
  return gw;
}

async function postCompletion(gw: GatewayFixture, body: unknown, init: RequestInit = {}): Promise<{ status: number; headers: Headers; json: Record<string, any>; text: string }> {
  const res = await fetch(`${gw.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // an SSE body
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** The text_completion chunks of an SSE body, parsed, without `[DONE]` (asserted to end it). */
function sseChunks(text: string): Record<string, any>[] {
  const events = text.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice('data: '.length));
  assert.equal(events.at(-1), '[DONE]', 'the stream ends with data: [DONE]');
  return events.slice(0, -1).map((data) => JSON.parse(data) as Record<string, any>);
}

describe('POST /v1/completions', () => {
  test('the openai client gets a text_completion from an OpenAI-format mock, after a fallback, with the headers that name the hop', async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const { data, response } = await gw.client.completions.create({ model: 'text', prompt: 'Once upon a time', max_tokens: 200 }).withResponse();
    assert.equal(data.object, 'text_completion');
    assert.match(data.id, /^cmpl-/);
    assert.equal(data.model, 'mock-backup');
    assert.match(data.choices[0]?.text ?? '', /^Mock answer from backup \(mock-backup\): Once upon a time/);
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    assert.ok((data.usage?.completion_tokens ?? 0) > 0);
    assert.equal(response.headers.get('x-switchyard-route'), 'text');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(response.headers.get('x-switchyard-hop'), '2');
    const log = await attemptLog(gw, response.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'backup:served']);
  });

  test('a stream of text_completion chunks through the openai client, with usage; a stream cut before its first text falls back', async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'stream_cut', after_chunks: 0 }]);
    const { data: stream, response } = await gw.client.completions.create({ model: 'text', prompt: 'Tell me', max_tokens: 200, stream: true, stream_options: { include_usage: true } }).withResponse();
    let text = '';
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'text_completion');
      for (const choice of chunk.choices) {
        text += choice.text;
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.match(text, /^Mock answer from backup \(mock-backup\): Tell me — this reply/);
    assert.equal(finish, 'stop');
    assert.ok(usage, 'the last chunk carries usage');
    const log = await attemptLog(gw, response.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts).slice(-2), ['primary:failed:connection_error', 'backup:served']);
  });

  test('an OpenAI-format upstream gets the request at /completions with the deployment model and every parameter untouched', async (t) => {
    const seen: { path: string; body: Record<string, unknown> }[] = [];
    const upstream = await startRecordingUpstream((req, res: ServerResponse) => {
      seen.push({ path: req.path, body: req.body });
      const text = JSON.stringify({ id: 'cmpl-up', object: 'text_completion', created: 1, model: 'up-model', choices: [{ text: ' world', index: 0, logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    t.after(() => upstream.close());
    const gw = await startCompletionsGateway(t, { fim: ['up'] }, { upstreams: { up: upstream.url } });
    const body = { model: 'fim', prompt: 'def add(a, b):\n', suffix: '\n    return c', max_tokens: 7, temperature: 0, echo: false, logprobs: 2, best_of: 1, stop: ['\n\n'], some_future_param: { x: [1] } };
    const { data, response } = await gw.client.completions.create(body as never).withResponse();
    assert.equal(data.choices[0]?.text, ' world');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'up');
    assert.equal(seen.length, 1);
    assert.match(seen[0]?.path ?? '', /\/completions$/);
    assert.doesNotMatch(seen[0]?.path ?? '', /chat/);
    assert.deepEqual(seen[0]?.body, { ...body, model: 'model-up' });
  });

  test('an OpenAI-format upstream without the endpoint (a 404) is moved past to the next deployment', async (t) => {
    const upstream = await startRecordingUpstream((_req, res: ServerResponse) => {
      const text = JSON.stringify({ error: { message: 'Unknown request URL: POST /v1/completions.', type: 'invalid_request_error', param: null, code: 'unknown_url' } });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    t.after(() => upstream.close());
    const gw = await startCompletionsGateway(t, { text: ['chatonly', 'primary'] }, { upstreams: { chatonly: upstream.url } });
    const { data, response } = await gw.client.completions.create({ model: 'text', prompt: 'x' }).withResponse();
    assert.equal(data.object, 'text_completion');
    const log = await attemptLog(gw, response.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['chatonly:failed:unknown_upstream_error', 'primary:served']);
  });

  test('a provider with only chat answers through a translation: the prompt as a user message, max_tokens 16 unless set, the answer as a text_completion', async (t) => {
    const gw = await startCompletionsGateway(t, { claude: ['claude'] });
    const short = await gw.client.completions.create({ model: 'claude', prompt: 'Write a long story about a lighthouse' });
    assert.equal(short.object, 'text_completion');
    assert.equal(short.model, 'mock-claude');
    assert.equal(short.choices[0]?.finish_reason, 'length', "OpenAI's default of 16 tokens went upstream");
    assert.equal(short.usage?.completion_tokens, 16);
    const long = await gw.client.completions.create({ model: 'claude', prompt: 'Write a long story about a lighthouse', max_tokens: 300 });
    assert.match(long.choices[0]?.text ?? '', /^Mock answer from claude \(mock-claude\): Write a long story about a lighthouse/);
    assert.equal(long.choices[0]?.finish_reason, 'stop');
  });

  test('a translated stream has text_completion chunks only (no role chunk), with the prompt first when echo is asked for', async (t) => {
    const gw = await startCompletionsGateway(t, { claude: ['claude'] });
    const res = await postCompletion(gw, { model: 'claude', prompt: 'Hello there.', max_tokens: 300, echo: true, stream: true, stream_options: { include_usage: true } });
    assert.equal(res.status, 200, res.text);
    const chunks = sseChunks(res.text);
    for (const chunk of chunks) assert.equal(chunk.object, 'text_completion');
    const texts = chunks.flatMap((chunk) => chunk.choices as { text: string }[]).map((choice) => choice.text);
    assert.notEqual(texts[0], '', 'the first chunk carries text');
    assert.match(texts.join(''), /^Hello there\.Mock answer from claude \(mock-claude\): Hello there\./);
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(chunks.at(-1)?.choices, []);
    assert.ok((chunks.at(-1)?.usage?.completion_tokens ?? 0) > 0);
  });

  test('a request chat cannot carry passes a chat-only provider over: a 400 naming the parameter when no step is left, the next step when there is one', async (t) => {
    const gw = await startCompletionsGateway(t, { claude: ['claude'], mixed: ['claude', 'primary'] });
    await assert.rejects(gw.client.completions.create({ model: 'claude', prompt: 'def f(', suffix: 'return 1' }), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.param, 'suffix');
      assert.equal(err.code, 'unsupported_parameter');
      assert.match(err.message, /claude \(mock\) has no legacy completions endpoint, and chat has no fill-in-the-middle `suffix`/);
      return true;
    });
    for (const [body, param] of [
      [{ prompt: [1, 2, 3] }, 'prompt'],
      [{ prompt: ['one', 'two'] }, 'prompt'],
      [{ prompt: 'x', logprobs: 1 }, 'logprobs'],
      [{ prompt: 'x', best_of: 2 }, 'best_of'],
    ] as const) {
      const res = await postCompletion(gw, { model: 'claude', ...body });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.error.param, param);
    }
    assert.equal(callsTo(gw, 'claude'), 0, 'nothing was sent to the chat-only provider');

    const { data, response } = await gw.client.completions.create({ model: 'mixed', prompt: 'def f(', suffix: 'return 1' }).withResponse();
    assert.equal(data.object, 'text_completion');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'primary');
    const log = await attemptLog(gw, response.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['claude:skipped', 'primary:served']);
    assert.match(log.attempts[0]?.message ?? '', /no legacy completions endpoint/);
  });

  test("a deployment's context window counts the prompt and the 16 tokens a completion reserves by default; none left is a 400 blaming prompt", async (t) => {
    const gw = await startCompletionsGateway(t, { small: ['primary'] }, { deployments: { primary: { context_window: 50 } } });
    const prompt = 'word '.repeat(40);
    const over = await postCompletion(gw, { model: 'small', prompt });
    assert.equal(over.status, 400, over.text);
    assert.equal(over.json.error.code, 'context_length_exceeded');
    assert.equal(over.json.error.param, 'prompt');
    assert.equal(callsTo(gw, 'primary'), 0);
    const fits = await postCompletion(gw, { model: 'small', prompt, max_tokens: 1 });
    assert.equal(fits.status, 200, fits.text);
  });

  test('a prompt of token ids is counted as one prompt of about a token per id', async (t) => {
    const gw = await startCompletionsGateway(t, { small: ['primary'] }, { deployments: { primary: { context_window: 100 } } });
    const ids = Array.from({ length: 60 }, (_, index) => index + 1);
    const fits = await postCompletion(gw, { model: 'small', prompt: ids, max_tokens: 1 });
    assert.equal(fits.status, 200, fits.text);
    const over = await postCompletion(gw, { model: 'small', prompt: [...ids, ...ids], max_tokens: 1 });
    assert.equal(over.status, 400, over.text);
    assert.equal(over.json.error.code, 'context_length_exceeded');
  });

  test('a manual step answers a completion request as a text_completion, whole or streamed', async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary', { manual: 'sorry' }] }, { manual: { sorry: { type: 'static', answer: 'Completions are down.' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const { data, response } = await gw.client.completions.create({ model: 'text', prompt: 'x' }).withResponse();
    assert.equal(data.object, 'text_completion');
    assert.equal(data.choices[0]?.text, 'Completions are down.');
    assert.equal(response.headers.get('x-switchyard-manual'), 'sorry');
    const streamed = await postCompletion(gw, { model: 'text', prompt: 'x', stream: true });
    const chunks = sseChunks(streamed.text);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.object, chunk.choices[0].text, chunk.choices[0].finish_reason]),
      [
        ['text_completion', 'Completions are down.', null],
        ['text_completion', '', 'stop'],
      ],
    );
  });

  test('cache-on-failure serves a completion again as a text_completion, and never to a chat request with the same JSON', async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary', { cache: 'exact' }] });
    // A body both APIs accept: the cache must still tell the two requests apart.
    const both = { model: 'text', prompt: 'Capital of France?', messages: [{ role: 'user', content: 'Capital of France?' }], max_tokens: 200 };
    const fresh = await postCompletion(gw, both);
    assert.equal(fresh.status, 200, fresh.text);
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const stale = await postCompletion(gw, both);
    assert.equal(stale.status, 200, stale.text);
    assert.equal(stale.headers.get('x-switchyard-cache'), 'stale');
    assert.equal(stale.json.object, 'text_completion');
    assert.equal(stale.json.id, fresh.json.id);
    const chat = await postChat(gw, both);
    assert.equal(chat.status, 502, chat.text);
    assert.equal(chat.json.error?.code, 'upstream_503');
  });

  test("an Idempotency-Key replays a completion's answer, and is its own apart from a chat request's", async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary'] });
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'job-42' };
    const body = { model: 'text', prompt: 'once', max_tokens: 100 };
    const first = await postCompletion(gw, body, { headers });
    const again = await postCompletion(gw, body, { headers });
    assert.equal(again.headers.get('x-switchyard-idempotent-replay'), first.headers.get('x-request-id'));
    assert.equal(again.json.id, first.json.id);
    assert.equal(callsTo(gw, 'primary'), 1);
    const chat = await postChat(gw, { model: 'text', messages: [{ role: 'user', content: 'once' }] }, { 'idempotency-key': 'job-42' });
    assert.equal(chat.status, 200, chat.text);
    assert.equal(chat.json.object, 'chat.completion');
    assert.equal(callsTo(gw, 'primary'), 2);
  });

  test('bad input gets an OpenAI-shaped 400, 404 or 405, and nothing reaches a provider', async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary'] });
    const cases: [unknown, number, string | null][] = [
      [{ model: 'text' }, 400, 'prompt'],
      [{ model: 'text', prompt: [] }, 400, 'prompt'],
      [{ model: 'text', prompt: [1, 'a'] }, 400, 'prompt'],
      [{ model: 'text', prompt: [[1], [-2]] }, 400, 'prompt'],
      [{ model: 'text', prompt: { text: 'x' } }, 400, 'prompt'],
      [{ model: 'text', prompt: 'x', stream: 'yes' }, 400, 'stream'],
      [{ prompt: 'x' }, 400, 'model'],
      [{ model: 'nope', prompt: 'x' }, 404, 'model'],
    ];
    for (const [body, status, param] of cases) {
      const res = await postCompletion(gw, body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(typeof res.json.error.message, 'string');
      assert.equal(res.json.error.param, param, JSON.stringify(body));
    }
    const get = await fetch(`${gw.url}/v1/completions`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal(callsTo(gw, 'primary'), 0);
  });

  test('telemetry names the operation text_completion', async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary'] });
    await gw.client.completions.create({ model: 'text', prompt: 'hi' });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /switchyard_requests_total\{[^}]*operation="text_completion"[^}]*\} 1/);
    assert.match(metrics, /gen_ai_client_token_usage_count\{gen_ai_operation_name="text_completion"[^}]*gen_ai_token_type="output"\} 1/);
  });

  test('in process: gateway.completion serves the same pipeline', async (t) => {
    const gw = await startCompletionsGateway(t, { text: ['primary'] });
    const outcome = await gw.gateway.completion({ model: 'text', prompt: 'in process', max_tokens: 200 });
    assert.equal(outcome.kind, 'completion');
    if (outcome.kind !== 'completion') return;
    assert.equal(outcome.served.deployment, 'primary');
    const body = JSON.parse(outcome.result.text) as Record<string, any>;
    assert.equal(body.object, 'text_completion');
    assert.match(body.choices[0].text, /in process/);
  });
});
