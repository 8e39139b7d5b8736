import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerResponse } from 'node:http';
import type Anthropic from '@anthropic-ai/sdk';
import { setFaults } from '../../helpers/mock-gateway.js';
import { answerWith, completionJson, type RecordedRequest } from '../../helpers/recording-upstream.js';
import { startAnthropicGateway, textOf, type AnthropicFixture } from './anthropic-fixture.js';

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The weather in a city.',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

function sendJsonText(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

describe('POST /v1/messages through the @anthropic-ai/sdk client', () => {
  let fx: AnthropicFixture;
  before(async () => {
    fx = await startAnthropicGateway();
  });
  after(() => fx.close());

  test('a non-streaming call answers an Anthropic message with the served headers and a request id', async () => {
    const { data, response } = await fx.anthropic.messages.create({ model: 'chat', max_tokens: 256, messages: [{ role: 'user', content: 'Hello there' }] }).withResponse();
    assert.equal(data.type, 'message');
    assert.equal(data.role, 'assistant');
    assert.match(data.id, /^msg_/);
    assert.equal(data.model, 'mock-primary');
    assert.equal(data.content.length, 1);
    assert.match(textOf(data), /^Mock answer from primary \(mock-primary\): Hello there/);
    assert.equal(data.stop_reason, 'end_turn');
    assert.equal(data.stop_sequence, null);
    assert.ok(data.usage.input_tokens > 0);
    assert.ok(data.usage.output_tokens > 0);
    assert.equal(data.usage.cache_read_input_tokens, 0);
    assert.equal(response.headers.get('x-switchyard-route'), 'chat');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'primary');
    assert.equal(response.headers.get('x-switchyard-attempts'), '1');
    const requestId = response.headers.get('request-id');
    assert.match(requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get('x-request-id'), requestId);
    assert.equal((data as { _request_id?: string | null })._request_id, requestId, "the SDK reads the request-id header");
  });

  test('a streaming call sends message_start, one text block, message_delta and message_stop, and its text equals the non-streaming answer', async () => {
    const params = { model: 'chat', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Stream me a reply' }] };
    const whole = await fx.anthropic.messages.create(params);
    const { data: stream, response } = await fx.anthropic.messages.create({ ...params, stream: true }).withResponse();
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(response.headers.get('x-switchyard-deployment'), 'primary');
    const types: string[] = [];
    let text = '';
    let deltas = 0;
    let final: Anthropic.MessageDeltaEvent | undefined;
    for await (const event of stream) {
      if (types.at(-1) !== event.type) types.push(event.type);
      if (event.type === 'message_start') {
        assert.match(event.message.id, /^msg_/);
        assert.deepEqual(event.message.content, []);
      }
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        assert.equal(event.index, 0);
        text += event.delta.text;
        deltas++;
      }
      if (event.type === 'message_delta') final = event;
    }
    assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    assert.ok(deltas > 1, 'the text arrives in several deltas');
    assert.equal(text, textOf(whole));
    assert.equal(final?.delta.stop_reason, 'end_turn');
    assert.ok((final?.usage.output_tokens ?? 0) > 0);
    assert.ok((final?.usage.input_tokens ?? 0) > 0, 'message_delta carries the input tokens the upstream reported at the end');
  });

  test("the SDK's messages.stream() helper accumulates the events into a final message with usage", async () => {
    const stream = fx.anthropic.messages.stream({ model: 'chat', max_tokens: 256, messages: [{ role: 'user', content: 'Accumulate this' }] });
    const message = await stream.finalMessage();
    assert.match(textOf(message), /Accumulate this/);
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0);
    assert.ok(message.usage.output_tokens > 0);
  });

  test('a small max_tokens reaches the upstream, and the cut answer stops with max_tokens', async () => {
    const message = await fx.anthropic.messages.create({ model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: 'Tell me everything' }] });
    assert.equal(message.stop_reason, 'max_tokens');
    assert.ok(textOf(message).length <= 20);
  });

  test('a tool the user names comes back as a tool_use block with an object input and stop_reason tool_use', async () => {
    const message = await fx.anthropic.messages.create({ model: 'chat', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Call get_weather for Paris' }] });
    assert.equal(message.stop_reason, 'tool_use');
    const block = message.content[0];
    assert.equal(block?.type, 'tool_use');
    if (block?.type !== 'tool_use') return;
    assert.equal(block.name, 'get_weather');
    assert.deepEqual(block.input, { city: 'mock' });
    assert.ok(block.id.length > 0);
  });

  test('a streamed tool call arrives as a tool_use block whose input_json_delta pieces add up to its input', async () => {
    const stream = fx.anthropic.messages.stream({ model: 'chat', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Call get_weather for Rome' }] });
    const pieces: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') pieces.push(event.delta.partial_json);
    });
    const message = await stream.finalMessage();
    assert.ok(pieces.length > 1, 'the arguments come in several pieces');
    assert.deepEqual(JSON.parse(pieces.join('')), { city: 'mock' });
    assert.equal(message.stop_reason, 'tool_use');
    const block = message.content[0];
    assert.equal(block?.type, 'tool_use');
    if (block?.type === 'tool_use') assert.deepEqual(block.input, { city: 'mock' });
  });

  test('a tool-use round trip: tool_use, then tool_result, then the answer; the upstream sees tool_calls and tool messages', async () => {
    const seen = fx.upstream.requests.length;
    fx.upstream.respond((_req: RecordedRequest, res: ServerResponse) =>
      sendJsonText(
        res,
        completionJson('', 'upstream-model', {
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
              finish_reason: 'tool_calls',
            },
          ],
        }),
      ),
    );
    const first = await fx.anthropic.messages.create({ model: 'recorded', max_tokens: 200, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    assert.equal(first.stop_reason, 'tool_use');
    assert.deepEqual(
      first.content.map((block) => block.type),
      ['text', 'tool_use'],
    );
    const toolUse = first.content[1];
    assert.ok(toolUse?.type === 'tool_use');
    assert.equal(toolUse.id, 'call_abc123');
    assert.deepEqual(toolUse.input, { city: 'Paris' });

    fx.upstream.respond(answerWith('It is 18 degrees and sunny in Paris.'));
    const second = await fx.anthropic.messages.create({
      model: 'recorded',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: toolUse.id, content: [{ type: 'text', text: '18 degrees, sunny' }] },
            { type: 'tool_result', tool_use_id: 'call_other', content: 'timeout', is_error: true },
            { type: 'text', text: 'Summarise, please.' },
          ],
        },
      ],
    });
    assert.equal(textOf(second), 'It is 18 degrees and sunny in Paris.');
    assert.equal(second.stop_reason, 'end_turn');

    const upstreamBody = fx.upstream.requests[seen + 1]?.body;
    assert.ok(upstreamBody);
    assert.equal(upstreamBody.model, 'model-recorder');
    assert.deepEqual(upstreamBody.tools, [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL.input_schema, description: 'The weather in a city.' } }]);
    assert.equal(upstreamBody.tool_choice, 'auto');
    assert.equal(upstreamBody.parallel_tool_calls, false);
    assert.deepEqual(upstreamBody.messages, [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc123', content: '18 degrees, sunny' },
      { role: 'tool', tool_call_id: 'call_other', content: 'Error: timeout' },
      { role: 'user', content: 'Summarise, please.' },
    ]);
  });

  test('the system prompt, a multi-turn conversation and the sampling parameters reach the upstream translated', async () => {
    fx.upstream.respond(answerWith('noted'));
    const seen = fx.upstream.requests.length;
    await fx.anthropic.messages.create({
      model: 'recorded',
      max_tokens: 300,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: 'First question' },
        { role: 'assistant', content: [{ type: 'text', text: 'First answer' }] },
        { role: 'user', content: [{ type: 'text', text: 'Second question' }] },
      ],
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      tool_choice: { type: 'any' },
      ...({ temperature: 0.2, top_p: 0.9, top_k: 40 } as object),
    });
    const body = fx.upstream.requests[seen]?.body;
    assert.ok(body);
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'You are terse.\n\nAnswer in French.' },
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: 'First answer' },
      { role: 'user', content: 'Second question' },
    ]);
    assert.equal(body.max_tokens, 300);
    assert.deepEqual(body.stop, ['END']);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.top_p, 0.9);
    assert.equal(body.user, 'user-42');
    assert.equal('top_k' in body, false, 'top_k has no OpenAI counterpart and is dropped');
    assert.equal('tool_choice' in body, false, 'tool_choice without tools is not sent (OpenAI refuses it)');
    assert.equal('stream' in body, false);
  });

  test('a streaming request asks the upstream for usage', async () => {
    fx.upstream.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'chatcmpl-rec1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'upstream-model' };
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 11, completion_tokens: 1, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const seen = fx.upstream.requests.length;
    const message = await fx.anthropic.messages.stream({ model: 'recorded', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    assert.deepEqual(fx.upstream.requests[seen]?.body.stream_options, { include_usage: true });
    assert.equal(message.id, 'msg_rec1');
    assert.equal(textOf(message), 'Hi');
    assert.equal(message.usage.input_tokens, 7, 'cached tokens are counted apart, as Anthropic counts them');
    assert.equal(message.usage.cache_read_input_tokens, 4);
    assert.equal(message.usage.output_tokens, 1);
  });

  test('image blocks (base64 and url) reach the upstream as image_url parts', async () => {
    fx.upstream.respond(answerWith('a small red square'));
    const seen = fx.upstream.requests.length;
    const message = await fx.anthropic.messages.create({
      model: 'recorded',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What are these?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    assert.equal(textOf(message), 'a small red square');
    assert.deepEqual(fx.upstream.requests[seen]?.body.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What are these?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  test('a fallback chain whose first deployment answers 503 is served by the second, and the client sees a normal message', async () => {
    setFaults(fx.gw, 'flaky', [{ kind: 'error', status: 503 }]);
    try {
      const { data, response } = await fx.anthropic.messages.create({ model: 'fallback', max_tokens: 256, messages: [{ role: 'user', content: 'Are you there?' }] }).withResponse();
      assert.match(textOf(data), /^Mock answer from backup/);
      assert.equal(data.stop_reason, 'end_turn');
      assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');

      const streamed = await fx.anthropic.messages.stream({ model: 'fallback', max_tokens: 256, messages: [{ role: 'user', content: 'Still there?' }] }).finalMessage();
      assert.match(textOf(streamed), /^Mock answer from backup/);
    } finally {
      setFaults(fx.gw, 'flaky', []);
    }
  });

  test('count_tokens answers the input tokens by the gateway tokenizer, more for a longer prompt', async () => {
    const short = await fx.anthropic.messages.countTokens({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }] });
    const long = await fx.anthropic.messages.countTokens({ model: 'chat', system: 'Be brief.', messages: [{ role: 'user', content: 'Hi, please tell me a long story about a lighthouse keeper.' }] });
    assert.ok(short.input_tokens > 0);
    assert.ok(long.input_tokens > short.input_tokens + 10);
  });
});
