import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { completionJson, startRecordingUpstream, userRequests, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';

const KEY_A = 'sk-key-a-0123456789abcdef';
const KEY_B = 'sk-key-b-0123456789abcdef';

/** One upstream, two keys: key A is rate limited on model-1 and rejected outright once `revokeA` is set. */
describe('health per deployment and per key', () => {
  let upstream: RecordingUpstream;
  let gw: GatewayFixture;
  let revokeA = false;
  before(async () => {
    upstream = await startRecordingUpstream((req, res) => {
      const auth = req.headers.authorization;
      const model = req.body.model;
      if (auth === `Bearer ${KEY_A}` && revokeA) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}');
      } else if (auth === `Bearer ${KEY_A}` && model === 'model-1') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
        res.end('{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completionJson(`ok ${auth === `Bearer ${KEY_A}` ? 'A' : 'B'} ${String(model)}`));
      }
    });
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: true, probes: { enabled: false } },
      providers: { pa: { type: 'openai-compatible', base_url: upstream.url, api_key: KEY_A }, pb: { type: 'openai-compatible', base_url: upstream.url, api_key: KEY_B } },
      deployments: { a1: { provider: 'pa', model: 'model-1' }, a2: { provider: 'pa', model: 'model-2' }, b1: { provider: 'pb', model: 'model-1' } },
      routes: { one: { chain: ['a1', 'b1'] }, two: { chain: ['a2', 'b1'] } },
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const state = (name: string) => gw.gateway.health.snapshot().find((entry) => entry.name === name)?.state ?? 'healthy';
  const ask = (model: string) => gw.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

  test('a 429 with retry-after cools down that deployment only: the same key still serves its other model, the other key the same model', async () => {
    const first = await ask('one');
    assert.equal(first.choices[0]?.message.content, 'ok B model-1');
    assert.equal(state('deployment:a1'), 'failed');
    assert.equal(state('key:pa'), 'healthy');
    const other = await ask('two');
    assert.equal(other.choices[0]?.message.content, 'ok A model-2', 'key A is not cooled down as a whole');
    const sent = userRequests(upstream).length;
    await ask('one');
    assert.equal(userRequests(upstream).length, sent + 1, 'a1 is skipped: only b1 is called');
  });

  test('a rejected key fails the key (every deployment on it), not the deployments, and not the other key', async () => {
    revokeA = true;
    const answer = await ask('two');
    assert.equal(answer.choices[0]?.message.content, 'ok B model-1');
    assert.equal(state('key:pa'), 'failed');
    assert.equal(state('deployment:a2'), 'healthy', 'the deployment is not blamed for its key');
    assert.equal(state('key:pb'), 'healthy');
  });
});
