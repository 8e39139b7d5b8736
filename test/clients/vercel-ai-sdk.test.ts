/**
 * The Vercel AI SDK pointed at the gateway with `baseURL` and used unchanged: its OpenAI-compatible
 * provider (what its docs say to use for an OpenAI-compatible server) and its OpenAI provider's
 * Chat Completions model, text and streams, usage, tool calls, embeddings, errors, a fallback and
 * a client that stops reading.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, embedMany, generateText, jsonSchema, streamText, tool } from 'ai';
import { startFallbackPair, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { userRequests, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { callWeatherTool, completeWith, embedEach, failWith500, streamWith } from '../helpers/scripted-answers.js';

const weather = tool({
  description: 'The weather in a city',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
});

describe('the Vercel AI SDK through the gateway', () => {
  let primary: RecordingUpstream;
  let gw: GatewayFixture;
  let close: () => Promise<void>;
  let compatible: ReturnType<typeof createOpenAICompatible>;

  before(async () => {
    ({ primary, gw, close } = await startFallbackPair(completeWith('from the backup')));
    compatible = createOpenAICompatible({ name: 'switchyard', baseURL: `${gw.url}/v1`, apiKey: 'client-key', includeUsage: true });
  });
  after(() => close());

  test('generateText gets the text, usage and finish reason, and the headers name what served', async () => {
    primary.respond(completeWith('Hello from upstream'));
    const result = await generateText({ model: compatible.chatModel('chat'), prompt: 'Say hello', maxRetries: 0 });
    assert.equal(result.text, 'Hello from upstream');
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.usage.inputTokens, 11);
    assert.equal(result.usage.outputTokens, 7);
    assert.equal(result.response.headers?.['x-switchyard-route'], 'chat');
    assert.equal(result.response.headers?.['x-switchyard-deployment'], 'd0');
    const seen = userRequests(primary).at(-1);
    assert.equal(seen?.body.model, 'model-0');
    assert.deepEqual(seen?.body.messages, [{ role: 'user', content: 'Say hello' }]);
  });

  test('streamText reads the chunks as they come, with the usage the SDK asked for', async () => {
    primary.respond(streamWith(['Hel', 'lo, ', 'world']));
    const result = streamText({ model: compatible.chatModel('chat'), prompt: 'Stream it', maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    assert.equal(parts.join(''), 'Hello, world');
    assert.ok(parts.length >= 3, `the text came in ${parts.length} parts`);
    assert.equal(await result.finishReason, 'stop');
    const usage = await result.usage;
    assert.equal(usage.inputTokens, 11);
    assert.equal(usage.outputTokens, 7);
    assert.equal((await result.response).headers?.['x-switchyard-route'], 'chat');
    const seen = userRequests(primary).at(-1);
    assert.equal(seen?.body.stream, true);
    assert.deepEqual(seen?.body.stream_options, { include_usage: true });
  });

  test('a tool call comes back parsed, whole or streamed in argument deltas', async () => {
    primary.respond(callWeatherTool);
    const whole = await generateText({ model: compatible.chatModel('chat'), prompt: 'Weather in Paris?', tools: { get_weather: weather }, maxRetries: 0 });
    assert.equal(whole.finishReason, 'tool-calls');
    assert.deepEqual(
      whole.toolCalls.map((call) => [call.toolCallId, call.toolName, call.input]),
      [['call_1', 'get_weather', { city: 'Paris' }]],
    );
    const sentTools = userRequests(primary).at(-1)?.body.tools as Array<{ type: string; function: { name: string } }>;
    assert.equal(sentTools[0]?.type, 'function');
    assert.equal(sentTools[0]?.function.name, 'get_weather');

    const streamed = streamText({ model: compatible.chatModel('chat'), prompt: 'Weather in Paris?', tools: { get_weather: weather }, maxRetries: 0 });
    await streamed.consumeStream();
    assert.equal(await streamed.finishReason, 'tool-calls');
    assert.deepEqual(
      (await streamed.toolCalls).map((call) => [call.toolCallId, call.toolName, call.input]),
      [['call_1', 'get_weather', { city: 'Paris' }]],
    );
  });

  test('the OpenAI provider’s Chat Completions model works too, streaming with usage', async () => {
    const openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key' });
    primary.respond(completeWith('plain answer'));
    const whole = await generateText({ model: openai.chat('chat'), prompt: 'Hi', maxRetries: 0 });
    assert.equal(whole.text, 'plain answer');
    assert.equal(whole.usage.totalTokens, 18);

    primary.respond(streamWith(['one ', 'two']));
    const streamed = streamText({ model: openai.chat('chat'), prompt: 'Hi', maxRetries: 0 });
    assert.equal(await streamed.text, 'one two');
    assert.equal((await streamed.usage).outputTokens, 7);
  });

  test('embedMany gets one vector per value, in order', async () => {
    primary.respond(embedEach);
    const { embeddings, usage } = await embedMany({ model: compatible.embeddingModel('embed'), values: ['first', 'second'], maxRetries: 0 });
    assert.deepEqual(embeddings, [
      [0, 0.5, -0.25],
      [1, 0.5, -0.25],
    ]);
    assert.equal(usage.tokens, 4);
    assert.deepEqual(userRequests(primary).at(-1)?.body.input, ['first', 'second']);
  });

  test('a failing primary falls back, and the SDK sees only the answer', async () => {
    primary.respond(failWith500);
    const result = await generateText({ model: compatible.chatModel('chat'), prompt: 'Anyone there?', maxRetries: 0 });
    assert.equal(result.text, 'from the backup');
    assert.equal(result.response.headers?.['x-switchyard-deployment'], 'd1');
    assert.equal(result.response.headers?.['x-switchyard-fallback-reason'], 'upstream_5xx');
  });

  test('a model the gateway does not serve is an APICallError with status 404 and an OpenAI-shaped body', async () => {
    await assert.rejects(generateText({ model: compatible.chatModel('no-such-route'), prompt: 'Hi', maxRetries: 0 }), (err: unknown) => {
      assert.ok(APICallError.isInstance(err), `got ${String(err)}`);
      assert.equal(err.statusCode, 404);
      assert.match(err.message, /no-such-route/);
      const body = JSON.parse(err.responseBody ?? '{}') as { error?: { code?: string } };
      assert.equal(body.error?.code, 'model_not_found');
      return true;
    });
  });

  test('aborting a stream mid-way aborts the upstream call', async () => {
    let wrote!: () => void;
    const firstPartWritten = new Promise<void>((resolve) => (wrote = resolve));
    primary.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"partial"},"finish_reason":null}]}\n\n');
      wrote();
      // Never ends: only the gateway giving up on it can close it.
    });
    const controller = new AbortController();
    const result = streamText({ model: compatible.chatModel('chat'), prompt: 'Long one', maxRetries: 0, abortSignal: controller.signal });
    const reader = result.textStream[Symbol.asyncIterator]();
    await firstPartWritten;
    assert.equal((await reader.next()).value, 'partial');
    controller.abort();
    await reader.return?.();
    const seen = userRequests(primary).at(-1);
    assert.ok(seen);
    // Inside the route's 2 s idle timeout, so the timeout cannot be what closed it.
    const closed = await Promise.race([seen.closedEarly.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000))]);
    assert.equal(closed, true, 'the upstream call was still open 1 s after the client aborted');
  });
});
