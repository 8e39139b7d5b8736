import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { answerWith, startRecordingUpstream, userRequests, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';

describe('circuit breakers in the chain', () => {
  let primary: RecordingUpstream;
  let backup: RecordingUpstream;
  let gw: GatewayFixture;
  before(async () => {
    primary = await startRecordingUpstream((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"down","type":"server_error"}}');
    });
    backup = await startRecordingUpstream(answerWith('from backup'));
    const config = chainConfig([primary.url, backup.url]);
    gw = await startGateway({
      ...config,
      health: { enabled: true, consecutive_failures: 3, cooldown_ms: 60_000 },
      routes: { chat: { chain: ['d0', 'd1'], policy: { upstream_5xx: 'next' } } },
    });
  });
  after(async () => {
    await gw.close();
    await primary.close();
    await backup.close();
  });

  test('once the circuit opens, a failed deployment receives no user request, and the skip is on the record', async () => {
    for (let i = 0; i < 3; i++) {
      const reply = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `hi ${i}` }] }).withResponse();
      assert.equal(reply.response.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
    }
    assert.equal(userRequests(primary).length, 3);
    for (let i = 0; i < 5; i++) {
      const reply = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `again ${i}` }] }).withResponse();
      assert.equal(reply.data.choices[0]?.message.content, 'from backup');
      assert.equal(reply.response.headers.get('x-switchyard-fallback-reason'), 'circuit_open');
      const log = gw.gateway.recentRequest(reply.response.headers.get('x-request-id') ?? '');
      assert.equal(log?.served.attempts[0]?.outcome, 'skipped');
      assert.match(log?.served.attempts[0]?.message ?? '', /circuit open/);
    }
    assert.equal(userRequests(primary).length, 3, 'no user request reached the failed deployment');
  });

  test('with every deployment behind an open circuit, the client gets a fast 503 with retry-after', async () => {
    const solo = await startGateway({
      ...chainConfig([primary.url]),
      health: { enabled: true, consecutive_failures: 2, cooldown_ms: 30_000 },
      routes: { chat: { chain: ['d0'], policy: { upstream_5xx: 'next' } } },
    });
    try {
      for (let i = 0; i < 2; i++) await fetch(`${solo.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }) });
      const before = userRequests(primary).length;
      const res = await fetch(`${solo.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }) });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'circuit_open');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 30, String(retryAfter));
      assert.equal(userRequests(primary).length, before);
    } finally {
      await solo.close();
    }
  });
});
