import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapOpenAIError, mapOpenAIStreamError } from '../../../src/providers/openai/map-openai-error.js';
import { openaiStream } from '../../../src/providers/openai/openai-stream.js';
import { parseRetryAfter } from '../../../src/providers/http/retry-after.js';
import { scrubSecrets } from '../../../src/providers/http/scrub-secrets.js';
import { failureOfAnswer } from '../../../src/fallback/classify-failure.js';
import { GatewayError } from '../../../src/errors.js';
import { UNTRANSLATABLE } from '../../../src/providers/canonical/request-parts.js';

const err = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  mapOpenAIError({ status, bodyText: typeof body === 'string' ? body : JSON.stringify(body), headers, secrets: ['sk-secret-key-123'] });

describe('the failure classifier on OpenAI-format errors', () => {
  test("OpenAI's context_length_exceeded is context_overflow", () => {
    const e = err(400, { error: { message: "This model's maximum context length is 8192 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } });
    assert.equal(e.shape, 'context_overflow');
    assert.equal(e.status, 400);
  });

  test('"prompt is too long" (Anthropic\'s wording, as relayed by compatible servers) is context_overflow', () => {
    assert.equal(err(400, { error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }).shape, 'context_overflow');
  });

  test('529 overloaded is upstream_5xx', () => {
    assert.equal(err(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }).shape, 'upstream_5xx');
  });

  test("Azure's 400 content_filter is guardrail_block", () => {
    const e = err(400, { error: { message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", type: null, param: 'prompt', code: 'content_filter', status: 400 } });
    assert.equal(e.shape, 'guardrail_block');
  });

  test('a 200 whose every choice finished with content_filter is guardrail_block; a mixed one is not', () => {
    assert.equal(failureOfAnswer([{ unified: 'content_filter', raw: 'content_filter' }])?.shape, 'guardrail_block');
    assert.equal(failureOfAnswer([{ unified: 'content_filter', raw: 'content_filter' }, { unified: 'stop', raw: 'stop' }]), undefined);
  });

  test('insufficient_quota is quota_exhausted, other 429s rate_limit_429 with their retry-after', () => {
    assert.equal(err(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }).shape, 'quota_exhausted');
    const limited = err(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after-ms': '1500' });
    assert.equal(limited.shape, 'rate_limit_429');
    assert.equal(limited.retryAfterMs, 1500);
  });

  test('401 and 403 are auth_error, and the echoed key never reaches the message', () => {
    const e = err(401, { error: { message: 'Incorrect API key provided: sk-secret-key-123. You can find your API key at ...', type: 'invalid_request_error', code: 'invalid_api_key' } });
    assert.equal(e.shape, 'auth_error');
    assert.ok(!e.message.includes('sk-secret'));
    assert.equal(err(403, { error: { message: 'forbidden' } }).shape, 'auth_error');
  });

  test('408 is timeout, 409 and 5xx are upstream_5xx, other 4xx are the client\'s own', () => {
    assert.equal(err(408, '').shape, 'timeout');
    assert.equal(err(409, '').shape, 'upstream_5xx');
    assert.equal(err(503, '<html>Service Unavailable</html>').shape, 'upstream_5xx');
    assert.equal(err(422, { error: { message: 'bad schema' } }).shape, 'client_error');
  });

  test('an unknown case maps to a named fallback shape, never to success', () => {
    const e = err(404, { error: { message: 'The model `gpt-9` does not exist', code: 'model_not_found' } });
    assert.equal(e.shape, 'unknown_upstream_error');
    assert.ok(e instanceof GatewayError);
    assert.equal(err(302, '').shape, 'unknown_upstream_error');
  });

  test('the upstream status is kept beside the client-facing one', () => {
    const e = err(503, '');
    assert.equal(e.status, 502);
    assert.equal(e.upstreamStatus, 503);
  });

  test('in-band stream errors: rate limit, overload, context, and unknown', () => {
    assert.equal(mapOpenAIStreamError({ error: { type: 'rate_limit_error', message: 'slow down' } }, []).shape, 'rate_limit_429');
    assert.equal(mapOpenAIStreamError({ error: { type: 'overloaded_error', message: 'Overloaded' } }, []).shape, 'upstream_5xx');
    assert.equal(mapOpenAIStreamError({ error: { code: 'context_length_exceeded', message: 'too long' } }, []).shape, 'context_overflow');
    assert.equal(mapOpenAIStreamError({ error: { message: '???' } }, []).shape, 'unknown_upstream_error');
  });

  test('a 200 stream that carries `event: error` fails with the mapped shape', async () => {
    async function* events() {
      yield Buffer.from(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}\n\n`);
      yield Buffer.from(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`);
    }
    await assert.rejects(async () => {
      for await (const _ of openaiStream(events(), [])) {
        // drain
      }
    }, (e: unknown) => e instanceof GatewayError && e.shape === 'upstream_5xx');
  });

  test('a stream that ends without [DONE] is a connection_error, not a clean end', async () => {
    async function* events() {
      yield Buffer.from(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' } }] })}\n\n`);
    }
    await assert.rejects(async () => {
      for await (const _ of openaiStream(events(), [])) {
        // drain
      }
    }, (e: unknown) => e instanceof GatewayError && e.shape === 'connection_error');
  });
});

describe('retry-after', () => {
  test('milliseconds, seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter({ 'retry-after-ms': '250' }), 250);
    assert.equal(parseRetryAfter({ 'retry-after': '2' }), 2000);
    const now = Date.parse('2026-11-25T12:00:00Z');
    assert.equal(parseRetryAfter({ 'retry-after': 'Wed, 25 Nov 2026 12:00:03 GMT' }, now), 3000);
    assert.equal(parseRetryAfter({ 'retry-after': 'soon' }), undefined);
    assert.equal(parseRetryAfter({}), undefined);
  });

  test('retry-after-ms wins over retry-after, and huge values are capped', () => {
    assert.equal(parseRetryAfter({ 'retry-after-ms': '100', 'retry-after': '9' }), 100);
    assert.equal(parseRetryAfter({ 'retry-after': '999999' }), 600_000);
  });
});

describe('secret scrubbing', () => {
  test('known secrets and key-shaped strings are removed', () => {
    assert.equal(scrubSecrets('key abcd1234efgh was wrong', ['abcd1234efgh']), 'key [redacted] was wrong');
    assert.ok(!scrubSecrets('Incorrect API key provided: sk-proj-abc123def456ghi').includes('sk-proj'));
    assert.ok(!scrubSecrets('Authorization: Bearer eyJhbGciOi.abc.def').includes('eyJhbGciOi'));
    assert.equal(scrubSecrets('nothing secret here'), 'nothing secret here');
  });
});

describe("a parameter the model does not take (OpenAI's unsupported_parameter and unsupported_value)", () => {
  test('is a gap of the deployment (passed over for the next), naming the parameter; another 400 is still the client\'s', () => {
    const refused = err(400, { error: { message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.", type: 'invalid_request_error', param: 'reasoning_effort', code: 'unsupported_parameter' } });
    assert.equal(refused.code, UNTRANSLATABLE);
    assert.equal(refused.param, 'reasoning_effort');
    assert.equal(refused.status, 400);
    assert.match(refused.message, /reasoning_effort/);
    const value = err(400, { error: { message: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", type: 'invalid_request_error', param: 'temperature', code: 'unsupported_value' } });
    assert.equal(value.code, UNTRANSLATABLE);
    const other = err(400, { error: { message: "Invalid type for 'messages[0].content'.", type: 'invalid_request_error', param: 'messages[0].content', code: 'invalid_type' } });
    assert.equal(other.code, 'invalid_type');
    assert.equal(other.shape, 'client_error');
  });
});
