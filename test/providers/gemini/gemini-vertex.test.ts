/**
 * The Vertex AI shape of the Gemini adapter (`type: gemini` with `vertex: { project, location }`)
 * against the mock's Vertex paths, and the config rules that keep the two auth schemes apart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APIError } from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import { geminiProvider, vertexBaseUrl } from '../../../src/providers/gemini/index.js';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const TOKEN = 'ya29.mock-vertex-access-token-0123456789';

describe('gemini on Vertex AI through the gateway', () => {
  let mock: MockServer;
  let gw: GatewayFixture;
  before(async () => {
    // The mock demands the token, so a request without the bearer (or with the key header instead) fails.
    mock = await startMockServer({ name: 'vertex', apiKey: TOKEN });
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      providers: { vertex: { type: 'gemini', vertex: { project: 'demo-project', location: 'europe-west4' }, access_token: TOKEN, base_url: `${mock.origin}/v1` } },
      deployments: { pro: { provider: 'vertex', model: 'gemini-2.5-pro' }, embed: { provider: 'vertex', model: 'gemini-embedding-001' } },
      routes: { chat: { chain: ['pro'] }, embed: { chain: ['embed'] } },
    } as ConfigInput);
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  test('chat and stream go to /v1/projects/{p}/locations/{l}/publishers/google/models/{model} with the bearer token', async () => {
    const completion = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello vertex' }] });
    assert.match(completion.choices[0]?.message.content ?? '', /^Mock answer from vertex \(gemini-2\.5-pro\): hello vertex/);
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'stream vertex' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.match(text, /stream vertex/);
    assert.equal(mock.stats().unauthorized, 0);
  });

  test('several embedding inputs become one embedContent call each (Vertex has no batch method), usage summed', async () => {
    mock.resetStats();
    const result = await gw.client.embeddings.create({ model: 'embed', input: ['one', 'two', 'three'] });
    assert.equal(result.data.length, 3);
    assert.equal(mock.stats().requests, 3);
    assert.ok(result.usage.prompt_tokens >= 3);
  });

  test('RESOURCE_EXHAUSTED on Vertex reaches the client as a 429', async () => {
    mock.setFaults([{ kind: 'rate_limit', retry_after_s: 30, count: 1 }]);
    await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => err instanceof APIError && err.status === 429);
  });
});

describe('gemini provider config', () => {
  test('Vertex hosts carry the location, except the global endpoint', () => {
    assert.equal(vertexBaseUrl('us-central1'), 'https://us-central1-aiplatform.googleapis.com/v1');
    assert.equal(vertexBaseUrl('global'), 'https://aiplatform.googleapis.com/v1');
  });

  test('Vertex takes access_token, the Gemini API takes api_key; mixing them is a config error', () => {
    assert.equal(geminiProvider.options.safeParse({ type: 'gemini', vertex: { project: 'p' }, api_key: 'k' }).success, false);
    assert.equal(geminiProvider.options.safeParse({ type: 'gemini', access_token: 't' }).success, false);
    const vertex = geminiProvider.options.parse({ type: 'gemini', vertex: { project: 'p' }, access_token: 't' });
    assert.equal(vertex.vertex?.location, 'us-central1');
    assert.equal(geminiProvider.options.safeParse({ type: 'gemini', api_key: 'k' }).success, true);
  });
});
