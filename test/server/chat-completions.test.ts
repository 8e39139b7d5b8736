import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { APIError } from 'openai';
import { answerWith, chunkJson, completionJson, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';

function sse(res: import('node:http').ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
}

describe('POST /v1/chat/completions through the openai client', () => {
  let upstream: RecordingUpstream;
  let backup: RecordingUpstream;
  let gw: GatewayFixture;

  before(async () => {
    upstream = await startRecordingUpstream();
    backup = await startRecordingUpstream(answerWith('from backup'));
    gw = await startGateway(chainConfig([upstream.url, backup.url]));
  });
  after(async () => {
    await gw.close();
    await upstream.close();
    await backup.close();
  });

  test('a non-streaming call returns the upstream completion and names the route that served it', async () => {
    upstream.respond(answerWith('hi there'));
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, 'hi there');
    assert.equal(response.headers.get('x-switchyard-route'), 'chat');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'd0');
    assert.equal(response.headers.get('x-switchyard-hop'), '1');
    assert.equal(response.headers.get('x-switchyard-attempts'), '1');
    assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('the upstream gets the deployment model and every other parameter untouched', async () => {
    upstream.respond(answerWith('ok'));
    const before = upstream.requests.length;
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    await gw.client.chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 50,
      seed: 7,
      tools,
      tool_choice: 'auto',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      // A parameter the gateway has never heard of still reaches the upstream.
      ...({ some_future_param: { nested: [1, 2] } } as object),
    });
    const seen = upstream.requests[before];
    assert.ok(seen);
    assert.equal(seen.body.model, 'model-0');
    assert.equal(seen.body.temperature, 0.3);
    assert.equal(seen.body.top_p, 0.9);
    assert.equal(seen.body.seed, 7);
    assert.deepEqual(seen.body.tools, tools);
    assert.deepEqual(seen.body.response_format, { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } });
    assert.deepEqual(seen.body.some_future_param, { nested: [1, 2] });
    assert.deepEqual((seen.body.messages as unknown[])[1], {
      role: 'user',
      content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }],
    });
  });

  test("the provider's key goes upstream and the client's key does not", async () => {
    upstream.respond(answerWith('ok'));
    const before = upstream.requests.length;
    await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    const seen = upstream.requests[before];
    assert.equal(seen?.headers.authorization, 'Bearer sk-upstream-secret-0-abcdef');
    assert.ok(!JSON.stringify(seen?.headers).includes('client-key-not-for-upstream'));
  });

  test('streaming passes chunks through with usage and ends with [DONE]', async () => {
    upstream.respond((_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: '' })}\n\n`);
      res.write(`data: ${chunkJson({ content: 'Hel' })}\n\n`);
      res.write(`data: ${chunkJson({ content: 'lo' })}\n\n`);
      res.write(`data: ${chunkJson({}, 'stop')}\n\n`);
      res.write(`data: ${JSON.stringify({ id: 'chatcmpl-test123', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    let finish;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Hello');
    assert.equal(finish, 'stop');
    assert.equal(usage?.total_tokens, 5);
    assert.deepEqual(upstream.requests.at(-1)?.body.stream_options, { include_usage: true });
  });

  test('streamed tool-call deltas reach the client and reassemble', async () => {
    upstream.respond((_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] })}\n\n`);
      res.write(`data: ${chunkJson({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })}\n\n`);
      res.write(`data: ${chunkJson({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })}\n\n`);
      res.write(`data: ${chunkJson({}, 'tool_calls')}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const stream = gw.client.chat.completions.stream({
      model: 'chat',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    assert.equal(call?.type === 'function' ? call.function.name : undefined, 'get_weather');
    assert.equal(call?.type === 'function' ? call.function.arguments : undefined, '{"city":"Paris"}');
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
  });

  test('each chunk is forwarded before the upstream sends the next one', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream.respond(async (_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'first' })}\n\n`);
      await released; // the second chunk waits until the client has seen the first
      res.write(`data: ${chunkJson({ content: ' second' }, 'stop')}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? '');
      if (seen.length === 1) release();
    }
    assert.deepEqual(seen, ['first', ' second']);
  });

  test('a client that disconnects mid-stream aborts the upstream request', async () => {
    upstream.respond(async (_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'tick' })}\n\n`);
      // Keeps streaming slowly until the gateway hangs up.
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        await sleep(20);
        res.write(`data: ${chunkJson({ content: ' tick' })}\n\n`);
      }
      res.end('data: [DONE]\n\n');
    });
    const controller = new AbortController();
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
    const seen = upstream.requests.at(-1);
    assert.ok(seen);
    let count = 0;
    // The openai client ends an aborted stream quietly (or throws an abort error, by version): either is fine here.
    try {
      for await (const _chunk of stream) {
        if (++count === 2) controller.abort();
      }
    } catch {}
    assert.equal(count, 2);
    await Promise.race([seen.closedEarly, sleep(3000).then(() => assert.fail('the upstream request was not aborted within 3 s'))]);
  });

  test('a primary failure before any content falls back to the next deployment', async () => {
    upstream.respond((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error', code: null } }));
    });
    backup.respond(answerWith('from backup'));
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, 'from backup');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'd1');
    assert.equal(response.headers.get('x-switchyard-hop'), '2');
    // The default policy retries a 5xx once on the same deployment before moving on.
    assert.equal(response.headers.get('x-switchyard-attempts'), '3');
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
  });

  test('a streaming call whose primary sends an in-band error before content is served by the backup', async () => {
    upstream.respond((_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: '' })}\n\n`);
      res.end(`data: ${JSON.stringify({ error: { message: 'server had an error', type: 'server_error' } })}\n\n`);
    });
    backup.respond((_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'backup' })}\n\n`);
      res.write(`data: ${chunkJson({}, 'stop')}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const { data: stream, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'backup');
    // The head went out with the primary's role chunk (server.stream_head: first_chunk); what served
    // in the end is told in an SSE comment, which the client skips (test/server/stream-head.test.ts).
    assert.equal(response.headers.get('x-switchyard-hop'), '1');
  });

  test('a stream cut after content has been sent ends with an error the openai client raises', async () => {
    upstream.respond((_req, res) => {
      sse(res);
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'partial' })}\n\n`);
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const seen: string[] = [];
    await assert.rejects(
      async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      },
      (err: unknown) => err instanceof APIError,
    );
    assert.deepEqual(seen, ['partial']);
  });

  test("the client's own mistake is returned, not retried on the next deployment", async () => {
    upstream.respond((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } }));
    });
    const backupBefore = backup.requests.length;
    await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], temperature: 7 }), (err: unknown) => {
      assert.ok(err instanceof APIError);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'invalid_value');
      assert.equal(err.param, 'temperature');
      return true;
    });
    assert.equal(backup.requests.length, backupBefore);
  });

  test('when every deployment fails the client gets the last failure, OpenAI-shaped, with no provider key in it', async () => {
    const leak = (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided: sk-upstream-secret-0-abcdef. You can find your API key at ...', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    };
    upstream.respond(leak);
    backup.respond((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const raw = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }) });
    const text = await raw.text();
    assert.equal(raw.status, 502);
    assert.ok(!text.includes('sk-upstream-secret'), text);
    const body = JSON.parse(text) as { error: { message: string; type: string; code: string } };
    assert.equal(body.error.type, 'upstream_error');
    // The 401 is not retried (auth_error moves on); the 502 gets its one default retry.
    assert.match(body.error.message, /All 3 attempts failed/);
    assert.equal(raw.headers.get('x-switchyard-attempts'), '3');
    upstream.respond(answerWith('ok'));
    backup.respond(answerWith('from backup'));
  });

  test('a completion with an unknown finish reason is still served as the upstream sent it', async () => {
    upstream.respond((_req, res) => {
      const text = completionJson('x', 'upstream-model', { choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'brand_new_reason' }] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
    const data = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(data.choices[0]?.finish_reason as string, 'brand_new_reason');
  });
});
