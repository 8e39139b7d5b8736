/**
 * LangChain's OpenAI integration (`@langchain/openai`) pointed at the gateway with `baseURL` and
 * used unchanged: invoke and stream with usage, tool calls, embeddings, an error and a fallback;
 * and its `OpenAI` text-completion LLM, over the legacy `/v1/completions`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI, OpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { startFallbackPair, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { setFaults, startMockGateway } from '../helpers/mock-gateway.js';
import { userRequests, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { callWeatherTool, completeWith, embedEach, failWith500, streamWith } from '../helpers/scripted-answers.js';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('LangChain through the gateway', () => {
  let primary: RecordingUpstream;
  let backup: RecordingUpstream;
  let gw: GatewayFixture;
  let close: () => Promise<void>;
  let chat: ChatOpenAI;

  before(async () => {
    ({ primary, backup, gw, close } = await startFallbackPair(completeWith('from the backup')));
    chat = new ChatOpenAI({ model: 'chat', apiKey: 'client-key', configuration: { baseURL: `${gw.url}/v1` }, maxRetries: 0, streamUsage: true });
  });
  after(() => close());

  test('invoke gets the answer, its usage and finish reason', async () => {
    primary.respond(completeWith('Hello from upstream'));
    const message = await chat.invoke('Say hello');
    assert.equal(message.content, 'Hello from upstream');
    assert.deepEqual(
      { input: message.usage_metadata?.input_tokens, output: message.usage_metadata?.output_tokens, total: message.usage_metadata?.total_tokens },
      { input: 11, output: 7, total: 18 },
    );
    assert.equal(message.response_metadata.finish_reason, 'stop');
    const seen = userRequests(primary).at(-1);
    assert.equal(seen?.body.model, 'model-0');
    assert.deepEqual(seen?.body.messages, [{ role: 'user', content: 'Say hello' }]);
  });

  test('stream yields the chunks as they come, and the usage it asked for', async () => {
    primary.respond(streamWith(['Hel', 'lo, ', 'world']));
    let whole: AIMessageChunk | undefined;
    const texts: string[] = [];
    for await (const chunk of await chat.stream('Stream it')) {
      if (typeof chunk.content === 'string' && chunk.content !== '') texts.push(chunk.content);
      whole = whole ? whole.concat(chunk) : chunk;
    }
    assert.deepEqual(texts, ['Hel', 'lo, ', 'world']);
    assert.equal(whole?.content, 'Hello, world');
    assert.equal(whole?.usage_metadata?.output_tokens, 7);
    assert.deepEqual(userRequests(primary).at(-1)?.body.stream_options, { include_usage: true });
  });

  test('bound tools: the call comes back parsed, whole or streamed', async () => {
    primary.respond(callWeatherTool);
    const withTools = chat.bindTools([WEATHER_TOOL]);
    const message = await withTools.invoke('Weather in Paris?');
    assert.deepEqual(
      message.tool_calls?.map((call) => [call.id, call.name, call.args]),
      [['call_1', 'get_weather', { city: 'Paris' }]],
    );
    assert.deepEqual((userRequests(primary).at(-1)?.body.tools as unknown[])[0], WEATHER_TOOL);

    let whole: AIMessageChunk | undefined;
    for await (const chunk of await withTools.stream('Weather in Paris?')) whole = whole ? whole.concat(chunk) : chunk;
    assert.deepEqual(
      whole?.tool_calls?.map((call) => [call.id, call.name, call.args]),
      [['call_1', 'get_weather', { city: 'Paris' }]],
    );
  });

  test('with useResponsesApi it speaks /v1/responses, which the gateway serves too: invoke, stream, usage', async () => {
    const responsesChat = new ChatOpenAI({ model: 'chat', apiKey: 'client-key', configuration: { baseURL: `${gw.url}/v1` }, maxRetries: 0, useResponsesApi: true });
    primary.respond(completeWith('via responses'));
    const message = await responsesChat.invoke('Hi');
    assert.equal(message.text, 'via responses');
    assert.equal(message.response_metadata.object, 'response');
    assert.equal(message.usage_metadata?.output_tokens, 7);

    primary.respond(streamWith(['str', 'eamed']));
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await responsesChat.stream('Hi')) whole = whole ? whole.concat(chunk) : chunk;
    assert.equal(whole?.text, 'streamed');
    assert.equal(whole?.usage_metadata?.output_tokens, 7);
  });

  test('OpenAIEmbeddings gets one vector per document, in order (asked for in base64 by the openai SDK under it)', async () => {
    primary.respond(embedEach);
    const embeddings = new OpenAIEmbeddings({ model: 'embed', apiKey: 'client-key', configuration: { baseURL: `${gw.url}/v1` }, maxRetries: 0 });
    assert.deepEqual(await embeddings.embedDocuments(['first', 'second']), [
      [0, 0.5, -0.25],
      [1, 0.5, -0.25],
    ]);
    assert.equal(userRequests(primary).at(-1)?.body.encoding_format, 'base64');
  });

  test('a failing primary falls back, and LangChain sees only the answer', async () => {
    primary.respond(failWith500);
    const message = await chat.invoke('Anyone there?');
    assert.equal(message.content, 'from the backup');
    assert.equal(userRequests(backup).length > 0, true);
  });

  test('a model the gateway does not serve raises an error with status 404 that names it', async () => {
    const unknown = new ChatOpenAI({ model: 'no-such-route', apiKey: 'client-key', configuration: { baseURL: `${gw.url}/v1` }, maxRetries: 0 });
    await assert.rejects(unknown.invoke('Hi'), (err: unknown) => {
      assert.equal((err as { status?: number }).status, 404);
      assert.match((err as Error).message, /no-such-route/);
      return true;
    });
  });
});

describe("LangChain's OpenAI LLM (legacy completions) through the gateway", () => {
  test('invoke and stream get the text, after a fallback from a failing mock', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const llm = new OpenAI({ model: 'chat', apiKey: 'client-key', configuration: { baseURL: `${gw.url}/v1` }, maxRetries: 0, maxTokens: 200 });
    assert.match(await llm.invoke('Complete this'), /^Mock answer from backup \(mock-backup\): Complete this/);
    const pieces: string[] = [];
    for await (const piece of await llm.stream('Stream this')) pieces.push(piece);
    assert.ok(pieces.length > 2, `${pieces.length} pieces`);
    assert.match(pieces.join(''), /^Mock answer from backup \(mock-backup\): Stream this/);
  });
});
