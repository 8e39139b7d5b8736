import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGateway, GatewayError, RequestError, type Gateway } from '../../src/index.js';
import { answerWith, chunkJson, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { chainConfig } from '../helpers/gateway-fixture.js';

describe('createGateway(config): the pipeline in process', () => {
  let upstream: RecordingUpstream;
  let gateway: Gateway;
  before(async () => {
    upstream = await startRecordingUpstream(answerWith('in process'));
    gateway = await createGateway(chainConfig([upstream.url]));
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  test('a completion comes back with how it was served', async () => {
    const outcome = await gateway.chatCompletion({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(outcome.kind, 'completion');
    if (outcome.kind !== 'completion') return;
    assert.equal((JSON.parse(outcome.result.text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content, 'in process');
    assert.deepEqual(outcome.result.finishReasons, [{ unified: 'stop', raw: 'stop' }]);
    assert.equal(outcome.served.deployment, 'd0');
    assert.equal(outcome.served.attempts.length, 1);
  });

  test('a stream yields canonical chunks', async () => {
    upstream.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'a' })}\n\n`);
      res.write(`data: ${chunkJson({ content: 'b' }, 'length')}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const outcome = await gateway.chatCompletion({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.equal(outcome.kind, 'stream');
    if (outcome.kind !== 'stream') return;
    const chunks = [];
    for await (const chunk of outcome.chunks) chunks.push(chunk);
    assert.equal(chunks.length, 2);
    assert.deepEqual(chunks[1]?.finishReason, { unified: 'length', raw: 'length' });
    upstream.respond(answerWith('in process'));
  });

  test('an invalid request is a GatewayError with status 400, before any upstream call', async () => {
    const before = upstream.requests.length;
    await assert.rejects(gateway.chatCompletion({ model: 'chat' }), (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === 'messages');
    assert.equal(upstream.requests.length, before);
  });

  test('a failed request carries the attempt log', async () => {
    upstream.respond((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"boom","type":"server_error"}}');
    });
    await assert.rejects(gateway.chatCompletion({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof RequestError);
      assert.equal(err.shape, 'upstream_5xx');
      assert.equal(err.served?.attempts[0]?.shape, 'upstream_5xx');
      assert.equal(err.served?.attempts[0]?.status, 502);
      return true;
    });
    upstream.respond(answerWith('in process'));
  });

  test('an invalid config is refused by reload and the old one keeps serving', async () => {
    await assert.rejects(gateway.reload({ providers: {}, deployments: {}, routes: { chat: { chain: ['ghost'] } } }), /names deployment 'ghost'/);
    const outcome = await gateway.chatCompletion({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(outcome.kind, 'completion');
  });

  test('embeddings pass through the route chain', async () => {
    upstream.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'e', usage: { prompt_tokens: 2, total_tokens: 2 } }));
    });
    const { result, served } = await gateway.embeddings({ model: 'embed', input: 'hello' });
    assert.equal(served.route, 'embed');
    assert.deepEqual(result.usage, { inputTokens: 2, outputTokens: 0, cachedInputTokens: 0 });
    assert.equal(upstream.requests.at(-1)?.path, '/v1/embeddings');
    assert.equal(upstream.requests.at(-1)?.body.model, 'model-0');
    upstream.respond(answerWith('in process'));
  });
});
