import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { answerWith, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { embedEach } from '../helpers/scripted-answers.js';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { send, type Reply } from '../helpers/raw-http.js';

function openaiError(reply: Reply): { message: string; type: string; param: string | null; code: string } {
  assert.match(String(reply.headers['content-type']), /application\/json/);
  const body = JSON.parse(reply.text) as { error: { message: string; type: string; param: string | null; code: string } };
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 10, 'the message says what is wrong');
  assert.equal(typeof body.error.type, 'string');
  assert.ok('param' in body.error && 'code' in body.error);
  return body.error;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('bad input gets a clear OpenAI-shaped error with the right status', () => {
  let upstream: RecordingUpstream;
  let gw: GatewayFixture;
  before(async () => {
    // Answers in kind, so a valid request the fuzz makes (an embeddings input, a Responses body) is served, not a 502 for an upstream's nonsense.
    upstream = await startRecordingUpstream((req, res) => (req.path.endsWith('/embeddings') ? embedEach(req, res) : answerWith('hello')(req, res)));
    const config = chainConfig([upstream.url]);
    gw = await startGateway({ ...config, server: { max_body_bytes: 2048 } });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('malformed JSON is a 400 invalid_json', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', JSON_HEADERS, '{"model": "chat", "messages": [');
    assert.equal(reply.status, 400);
    assert.equal(openaiError(reply).code, 'invalid_json');
  });

  test('a missing model is a 400 naming the param', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', JSON_HEADERS, JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(reply.status, 400);
    assert.equal(openaiError(reply).param, 'model');
  });

  test('missing messages is a 400 naming the param', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', JSON_HEADERS, JSON.stringify({ model: 'chat' }));
    assert.equal(reply.status, 400);
    assert.equal(openaiError(reply).param, 'messages');
  });

  test('a message without a role is a 400 naming the message', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', JSON_HEADERS, JSON.stringify({ model: 'chat', messages: [{ content: 'x' }] }));
    assert.equal(reply.status, 400);
    assert.equal(openaiError(reply).param, 'messages[0].role');
  });

  test('an unknown model is a 404 model_not_found', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', JSON_HEADERS, JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(reply.status, 404);
    const error = openaiError(reply);
    assert.equal(error.code, 'model_not_found');
    assert.match(error.message, /nope/);
  });

  test('a body over the configured limit is a 413, by header and by actual size', async () => {
    const big = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const declared = await send(gw.url, 'POST', '/v1/chat/completions', JSON_HEADERS, big);
    assert.equal(declared.status, 413);
    assert.equal(openaiError(declared).code, 'request_too_large');
    const chunked = await send(gw.url, 'POST', '/v1/chat/completions', { ...JSON_HEADERS, 'transfer-encoding': 'chunked' }, big);
    assert.equal(chunked.status, 413);
  });

  test('a wrong content type is a 415 that says how to fix it', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', { 'content-type': 'application/x-www-form-urlencoded' }, '{"model":"chat"}');
    assert.equal(reply.status, 415);
    assert.match(openaiError(reply).message, /application\/json/);
  });

  test('an unknown path is a 404 and a wrong method a 405 with Allow', async () => {
    const unknown = await send(gw.url, 'GET', '/v2/whatever', {});
    assert.equal(unknown.status, 404);
    openaiError(unknown);
    const wrong = await send(gw.url, 'GET', '/v1/chat/completions', {});
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'POST');
    openaiError(wrong);
  });

  test('an empty body is a 400', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', JSON_HEADERS, '');
    assert.equal(reply.status, 400);
    openaiError(reply);
  });

  test('no upstream request was made for any of the bad requests above', () => {
    assert.equal(upstream.requests.length, 0);
  });

  test('JSON nested past 512 levels is a 400 invalid_json, on every endpoint and with an idempotency key; 500 levels is served', async () => {
    // The gateway's key and upstream JSON recurse: about 5,000 levels overflowed the stack, a 500.
    const roomy = await startGateway(chainConfig([upstream.url]));
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const chat = (depth: number) => `{"model":"chat","messages":[{"role":"user","content":"hi"}],"metadata":{"deep":${nested(depth)}}}`;
    try {
      for (const [path, body, headers] of [
        ['/v1/chat/completions', chat(5_000), JSON_HEADERS],
        ['/v1/chat/completions', chat(100_000), { ...JSON_HEADERS, 'idempotency-key': 'deep-1' }],
        ['/v1/chat/completions', chat(511), JSON_HEADERS],
        ['/v1/embeddings', `{"model":"embed","input":"hi","extra":${nested(600)}}`, JSON_HEADERS],
        ['/v1/messages', `{"model":"chat","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"metadata":${nested(5_000)}}`, { ...JSON_HEADERS, 'anthropic-version': '2023-06-01' }],
      ] as const) {
        const reply = await send(roomy.url, 'POST', path, headers, body);
        assert.equal(reply.status, 400, `${path} ${body.length}`);
        assert.match(reply.text, /nested more than 512 levels deep/);
      }
      // A string full of brackets is not nesting.
      const brackets = `{"model":"chat","messages":[{"role":"user","content":"${'[{'.repeat(3_000)}\\\"]"}],"metadata":{"deep":${nested(498)}}}`;
      const served = await send(roomy.url, 'POST', '/v1/chat/completions', { ...JSON_HEADERS, 'idempotency-key': 'deep-2' }, brackets);
      assert.equal(served.status, 200, served.text);
    } finally {
      await roomy.close();
    }
  });

  test('fuzz: arbitrary bodies, paths, methods and content types never get a 5xx and always a well-formed error', async () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string(),
      fc.constantFrom('{"model":"chat","messages":[]}', '{"model":1,"messages":[{"role":"user"}]}', '{"model":"chat","messages":[{"role":5}]}', '{"model":"chat","messages":"hi"}', '{"model":"chat","messages":[null]}', '{"model":"chat","messages":[{"role":"user"}],"stream":"yes"}', 'null', '[]', '"str"', '{"model":"chat","input":[]}', '{"model":"chat","input":"hi","tools":[{"type":"function"}]}', '{"model":"chat","input":[{"type":"function_call"}]}', '{"model":"chat","input":[{"role":"user","content":[{"type":"input_image"}]}]}', '{"model":"chat","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"x"}]}]}', '{"model":"chat","input":"hi","text":{"format":{"type":"json_schema"}}}', '{"model":"chat","prompt":[]}', '{"model":"chat","prompt":[[1],["a"]]}', '{"model":"chat","prompt":null,"suffix":5}', '{"model":"chat","prompt":"x","echo":"yes","stream":"yes"}'),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    const path = fc.constantFrom('/v1/chat/completions', '/v1/completions', '/v1/responses', '/v1/embeddings', '/v1/models', '/health/live', '/v1/unknown', '/admin/x', '/', '/v1/chat/completions/', '/v1/chat/completions?x=1', '/%zz', '//v1');
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH');
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', 'multipart/form-data', undefined);
    await fc.assert(
      fc.asyncProperty(jsonish, path, method, contentType, async (body, p, m, type) => {
        const headers: Record<string, string> = type ? { 'content-type': type } : {};
        const reply = await send(gw.url, m, p, headers, m === 'GET' ? undefined : body);
        assert.ok(reply.status < 500, `${m} ${p} ${type} ${JSON.stringify(body).slice(0, 80)} -> ${reply.status} ${reply.text.slice(0, 200)}`);
        if (reply.status >= 400) openaiError(reply);
        // The keep-alive connection is still in step: the next request on it is read as a request.
        const next = await send(gw.url, 'GET', '/health/live', {});
        assert.equal(next.status, 200, `after ${m} ${p} ${type} ${JSON.stringify(body).slice(0, 120)}: ${next.text}`);
      }),
      { numRuns: 300 },
    );
    // Fuzzing sent only invalid requests or valid ones; the server is still up and answers.
    const live = await send(gw.url, 'GET', '/health/live', {});
    assert.equal(live.status, 200);
  });
});
