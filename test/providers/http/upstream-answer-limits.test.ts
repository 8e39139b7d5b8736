/**
 * What UpstreamClient reads of an answer it holds whole: a 200 past the provider's
 * `max_answer_bytes` fails the hop with a 502 (an answer past V8's longest string once left the call
 * hanging with a gigabyte held), and an error's body is mapped from its first MAX_ERROR_BODY_BYTES
 * without waiting for the rest. Against a real node:http upstream.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { CancelSource } from '../../../src/cancel.js';
import { parseConfig } from '../../../src/config/load-config.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { GatewayError } from '../../../src/errors.js';
import { DEFAULT_MAX_ANSWER_BYTES, MAX_ERROR_BODY_BYTES, UpstreamClient, type UpstreamRequest } from '../../../src/providers/http/upstream-client.js';

const TIMEOUTS = { firstByteMs: 5_000, idleMs: 5_000, totalMs: 20_000 };
const MB = 1024 * 1024;

/** An upstream answering `status` with `{"text":"aaa..."}` of `megabytes`, written 1 MB at a time; `sent()` says how many it wrote before the gateway let go. */
async function bigAnswers(t: { after(fn: () => Promise<void>): void }, status: number, megabytes: number, maxAnswerBytes?: number) {
  let sent = 0;
  const server = createServer((req, res: ServerResponse) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.write('{"text":"');
    const chunk = Buffer.alloc(MB, 'a');
    const pump = (): void => {
      while (sent < megabytes && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end('"}');
    };
    res.on('close', () => res.destroy());
    pump();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = new UpstreamClient({
    baseUrl: `http://127.0.0.1:${port}/v1`,
    transport: { connectTimeoutMs: 1_000, proxy: 'none', maxAnswerBytes },
    mapError: ({ status: upstreamStatus, bodyText }) => new GatewayError(`upstream ${upstreamStatus}, ${bodyText.length} characters of body`, { status: 502, code: 'upstream_error', shape: 'upstream_5xx' }),
  });
  t.after(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });
  return { client, sent: () => sent };
}

function call(): UpstreamRequest {
  return { path: '/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', cancel: new CancelSource(), timeouts: TIMEOUTS };
}

describe('answers read whole are capped', () => {
  test('a 200 past max_answer_bytes is a 502 upstream_answer_too_large, and the rest is not read', async (t) => {
    const { client, sent } = await bigAnswers(t, 200, 64, 4 * MB);
    const err = await client.requestText(call()).then(
      () => assert.fail('the answer is over the cap'),
      (error: unknown) => error,
    );
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.status, 502);
    assert.equal(err.code, 'upstream_answer_too_large');
    assert.equal(err.shape, 'unknown_upstream_error');
    assert.match(err.message, /longer than 4194304 bytes/);
    assert.ok(sent() < 64, `the upstream wrote ${sent()} of 64 MB`);
  });

  test('a 200 at the cap is read whole', async (t) => {
    const { client } = await bigAnswers(t, 200, 3, 4 * MB);
    const answer = await client.requestText(call());
    assert.equal(answer.bytes.length, 3 * MB + '{"text":""}'.length);
  });

  test("an error's body is mapped from its first MAX_ERROR_BODY_BYTES, without reading the rest", async (t) => {
    const { client, sent } = await bigAnswers(t, 500, 64);
    const err = await client.requestText(call()).then(
      () => assert.fail('a 500 fails'),
      (error: unknown) => error,
    );
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.message, `upstream 500, ${MAX_ERROR_BODY_BYTES} characters of body`);
    assert.ok(sent() < 64, `the upstream wrote ${sent()} of 64 MB`);
  });

  test('max_answer_bytes is a provider setting: a size, 256 MB by default, at most 500 MB', () => {
    const configOf = (extra: Record<string, unknown>) =>
      parseConfig({ providers: { o: { type: 'openai', api_key: 'sk-limits-0123456789', ...extra } }, deployments: { d: { provider: 'o', model: 'gpt-4o' } }, routes: { chat: { chain: ['d'] } } } as ConfigInput);
    const answerBytesOf = (extra: Record<string, unknown>) => (configOf(extra).providers.o as { max_answer_bytes?: number }).max_answer_bytes;
    assert.equal(answerBytesOf({}), DEFAULT_MAX_ANSWER_BYTES);
    assert.equal(DEFAULT_MAX_ANSWER_BYTES, 256 * MB);
    assert.equal(answerBytesOf({ max_answer_bytes: '64mb' }), 64 * MB);
    assert.throws(() => configOf({ max_answer_bytes: '600mb' }), /providers\.o\.max_answer_bytes: must be at most 524288000/);
  });
});
