/**
 * A request a provider's API has no way to ask (`n: 2` where it answers one choice, token ids
 * where it takes text) passes that deployment over instead of stopping the chain: the next one
 * serves it, and only when none can is the client told, with a 400 naming the parameter.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { attemptLog, callsTo, mockGatewayConfig, postChat, walkOf } from '../helpers/mock-gateway.js';

async function start(t: { after(fn: () => Promise<void>): void }): Promise<GatewayFixture> {
  const config = mockGatewayConfig({ mocks: ['claude', 'primary', 'cohere'], providers: { claude: { wire: 'anthropic' }, cohere: { wire: 'cohere' } } });
  const routes = config.routes as Record<string, unknown>;
  routes.mixed = { chain: ['claude', 'primary'] };
  routes.claude = { chain: ['claude'] };
  routes.embed = { chain: ['cohere', 'primary'] };
  const gw = await startGateway(config);
  t.after(() => gw.close());
  return gw;
}

describe('a request a provider cannot translate', () => {
  test('passes that deployment over: the next one serves, and the attempt log says why', async (t) => {
    const gw = await start(t);
    const res = await postChat(gw, { model: 'mixed', messages: [{ role: 'user', content: 'two answers' }], n: 2 });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.json.choices as unknown[]).length, 2);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['claude:skipped', 'primary:served']);
    assert.match(log.attempts[0]?.message ?? '', /^claude \(mock\) cannot take the request: Anthropic answers with one choice per request/);
    assert.equal(callsTo(gw, 'claude'), 0, 'nothing was sent to the provider that cannot take it');

    const streamed = await postChat(gw, { model: 'mixed', messages: [{ role: 'user', content: 'two answers' }], n: 2, stream: true });
    assert.equal(streamed.status, 200);
    assert.equal(streamed.headers.get('x-switchyard-deployment'), 'primary');
  });

  test('is a 400 naming the parameter when no deployment of the route can take it', async (t) => {
    const gw = await start(t);
    const res = await postChat(gw, { model: 'claude', messages: [{ role: 'user', content: 'two answers' }], n: 2 });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error?.code, 'unsupported_parameter');
    assert.equal(res.json.error?.param, 'n');
    assert.equal(res.json.error?.type, 'invalid_request_error');
    assert.match(res.json.error?.message ?? '', /^No deployment of this route can serve the request: claude \(mock\) cannot take the request: Anthropic answers with one choice per request; n greater than 1 cannot be translated\.$/);
  });

  test('a tool of a kind other than a function (OpenAI\'s custom tools) passes a functions-only adapter over', async (t) => {
    const gw = await start(t);
    const body = {
      messages: [
        { role: 'user', content: 'parse this' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: 'grammar', input: 'a+b' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      ],
      tools: [{ type: 'custom', custom: { name: 'grammar', description: 'a grammar' } }],
    };
    const res = await postChat(gw, { model: 'mixed', ...body });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['claude:skipped', 'primary:served']);
    assert.equal(callsTo(gw, 'claude'), 0);

    const alone = await postChat(gw, { model: 'claude', ...body });
    assert.equal(alone.status, 400, alone.text);
    assert.equal(alone.json.error?.code, 'unsupported_parameter');
    assert.equal(alone.json.error?.param, 'tools[0].type');
  });

  test('a request for log probabilities passes a provider that gives none over, whole and streamed', async (t) => {
    const gw = await start(t);
    for (const stream of [false, true]) {
      const res = await postChat(gw, { model: 'mixed', messages: [{ role: 'user', content: 'how sure?' }], logprobs: true, top_logprobs: 2, stream });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
      const log = await attemptLog(gw, res.headers.get('x-request-id'));
      assert.deepEqual(walkOf(log.attempts), ['claude:skipped', 'primary:served']);
      assert.match(log.attempts[0]?.message ?? '', /Anthropic gives no token log probabilities/);
      if (!stream) assert.ok(((res.json.choices as { logprobs: { content: unknown[] } }[])[0]?.logprobs.content.length ?? 0) > 0, 'served with them');
    }
    assert.equal(callsTo(gw, 'claude'), 0);
    const alone = await postChat(gw, { model: 'claude', messages: [{ role: 'user', content: 'how sure?' }], logprobs: true });
    assert.equal(alone.status, 400, alone.text);
    assert.equal(alone.json.error?.code, 'unsupported_parameter');
    assert.equal(alone.json.error?.param, 'logprobs');
  });

  test('a malformed request is still the client\'s error at the first deployment, not passed over', async (t) => {
    const gw = await start(t);
    const res = await postChat(gw, { model: 'mixed', messages: [{ role: 'user', content: 'x' }], tools: 'not an array' });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error?.code, 'invalid_request');
    assert.equal(callsTo(gw, 'primary'), 0);
  });

  test('embeddings of token ids pass a provider that takes only text over for one that takes them', async (t) => {
    const gw = await start(t);
    const res = await fetch(`${gw.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'embed', input: [[1, 2, 3]] }) });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['cohere:skipped', 'primary:served']);
  });
});
