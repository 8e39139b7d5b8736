import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import type { ChatResult, FinishReason, StreamChunk, Usage } from '../../../src/providers/types.js';
import { AnthropicEventStream } from '../../../src/server/anthropic/anthropic-event-stream.js';
import { anthropicErrorOf } from '../../../src/server/anthropic/render-anthropic-error.js';
import { renderAnthropicMessage } from '../../../src/server/anthropic/render-anthropic-message.js';

const BASE = { id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1, model: 'gpt-x' };

function chunk(delta: Record<string, unknown>, extra: Partial<StreamChunk> = {}, finish: string | null = null): StreamChunk {
  return { data: JSON.stringify({ ...BASE, choices: [{ index: 0, delta, finish_reason: finish }] }), hasContent: true, finishReason: undefined, usage: undefined, ...extra };
}

interface Event {
  event: string;
  data: Record<string, unknown> & { type: string; index?: number };
}

function parseFrames(frames: string[]): Event[] {
  return frames
    .join('')
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const event = eventLine?.replace('event: ', '') ?? '';
      const data = JSON.parse(dataLine?.replace('data: ', '') ?? '{}') as Event['data'];
      assert.equal(data.type, event, 'the SSE event name and the data type agree');
      return { event, data };
    });
}

function result(message: Record<string, unknown>, finishReasons: FinishReason[], usage?: Usage): ChatResult {
  const text = JSON.stringify({ id: 'chatcmpl-xyz', object: 'chat.completion', created: 1, model: 'gpt-x', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }] });
  return { text, id: 'chatcmpl-xyz', responseModel: 'gpt-x', finishReasons, usage };
}

describe('canonical stream chunks to Anthropic events', () => {
  test('text, then two tool calls, give three blocks, each started, fed and stopped in turn', () => {
    const stream = new AnthropicEventStream('route');
    const frames = [
      ...stream.push(chunk({ role: 'assistant', content: '' }, { hasContent: false })),
      ...stream.push(chunk({ content: 'Checking.' })),
      ...stream.push(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'a', arguments: '' } }] })),
      ...stream.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] })),
      ...stream.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] })),
      ...stream.push(chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'b', arguments: '{}' } }] })),
      ...stream.push(chunk({}, { hasContent: false, finishReason: { unified: 'tool_calls', raw: 'tool_calls' } }, 'tool_calls')),
      ...stream.end(),
    ];
    const events = parseFrames(frames);
    assert.deepEqual(
      events.map((e) => `${e.event}${e.data.index === undefined ? '' : `:${e.data.index}`}`),
      [
        'message_start',
        'content_block_start:0',
        'content_block_delta:0',
        'content_block_stop:0',
        'content_block_start:1',
        'content_block_delta:1',
        'content_block_delta:1',
        'content_block_stop:1',
        'content_block_start:2',
        'content_block_delta:2',
        'content_block_stop:2',
        'message_delta',
        'message_stop',
      ],
    );
    assert.deepEqual(events[4]?.data.content_block, { type: 'tool_use', id: 'call_1', name: 'a', input: {} });
    assert.deepEqual((events.at(-2)?.data.delta as Record<string, unknown>).stop_reason, 'tool_use');
    assert.equal((events[0]?.data.message as Record<string, unknown>).id, 'msg_abc');
  });

  test('a stored stream (cache, replay, manual) whose chunks carry no parsed finish reason or usage is read from the JSON', () => {
    const stream = new AnthropicEventStream('route');
    const usageChunk: StreamChunk = { data: JSON.stringify({ ...BASE, choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } }), hasContent: false, finishReason: undefined, usage: undefined };
    const events = parseFrames([...stream.push(chunk({ content: 'hi' })), ...stream.push(chunk({}, { hasContent: false }, 'length')), ...stream.push(usageChunk), ...stream.end()]);
    const delta = events.at(-2)?.data as unknown as { delta: { stop_reason: string }; usage: { input_tokens: number; output_tokens: number } };
    assert.equal(delta.delta.stop_reason, 'max_tokens');
    assert.equal(delta.usage.input_tokens, 9);
    assert.equal(delta.usage.output_tokens, 3);
  });

  test("an Anthropic provider's raw stop reason (stop_sequence, pause_turn) is kept unless it disagrees with the unified one; an unknown one is null, not end_turn", () => {
    const stopReasonOf = (finishReason: FinishReason) => {
      const stream = new AnthropicEventStream('route');
      stream.push(chunk({ content: 'x' }, { finishReason }, 'stop'));
      return (parseFrames(stream.end()).find((e) => e.event === 'message_delta')?.data.delta as Record<string, unknown>).stop_reason;
    };
    assert.equal(stopReasonOf({ unified: 'other', raw: 'pause_turn' }), 'pause_turn');
    assert.equal(stopReasonOf({ unified: 'stop', raw: 'tool_use' }), 'end_turn', 'a JSON answer given through a tool is a plain stop');

    const anthropicRaw = new AnthropicEventStream('route');
    anthropicRaw.push(chunk({ content: 'x' }, { finishReason: { unified: 'stop', raw: 'stop_sequence' } }, 'stop'));
    const kept = parseFrames(anthropicRaw.end()).find((e) => e.event === 'message_delta');
    assert.equal((kept?.data.delta as Record<string, unknown>).stop_reason, 'stop_sequence');

    const unknown = new AnthropicEventStream('route');
    unknown.push(chunk({ content: 'x' }, { finishReason: { unified: 'other', raw: 'SOMETHING_NEW' } }, 'stop'));
    const other = parseFrames(unknown.end()).find((e) => e.event === 'message_delta');
    assert.equal((other?.data.delta as Record<string, unknown>).stop_reason, null);
  });

  test('a stream that ends before any chunk still opens and closes a message', () => {
    const events = parseFrames(new AnthropicEventStream('route').end());
    assert.deepEqual(
      events.map((e) => e.event),
      ['message_start', 'message_delta', 'message_stop'],
    );
    assert.equal((events[0]?.data.message as Record<string, unknown>).model, 'route');
  });

  test('a chunk that is not a chat.completion.chunk is a 502, not a crash', () => {
    const stream = new AnthropicEventStream('route');
    assert.throws(() => stream.push({ data: 'not json', hasContent: true, finishReason: undefined, usage: undefined }), (err: unknown) => err instanceof GatewayError && err.status === 502);
  });
});

describe('canonical completion to an Anthropic message', () => {
  test('usage splits cached tokens out of input_tokens, and the id derives from the canonical one', () => {
    const message = JSON.parse(renderAnthropicMessage(result({ content: 'hi' }, [{ unified: 'stop', raw: 'stop' }], { inputTokens: 100, outputTokens: 5, cachedInputTokens: 40 }), 'route')) as Record<string, unknown>;
    assert.equal(message.id, 'msg_xyz');
    assert.equal(message.model, 'gpt-x');
    assert.deepEqual(message.usage, {
      input_tokens: 60,
      output_tokens: 5,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 40,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
    assert.equal(message.stop_reason, 'end_turn');
  });

  test('cache writes are split by the cache they went to: 5-minute ones where the provider did not say', () => {
    const usageOf = (usage: Usage): unknown => (JSON.parse(renderAnthropicMessage(result({ content: 'hi' }, [{ unified: 'stop', raw: 'stop' }], usage), 'route')) as { usage: unknown }).usage;
    assert.deepEqual(usageOf({ inputTokens: 100, outputTokens: 5, cachedInputTokens: 10, cacheWriteInputTokens: 70, cacheWrite1hInputTokens: 50 }), {
      input_tokens: 20,
      output_tokens: 5,
      cache_creation_input_tokens: 70,
      cache_read_input_tokens: 10,
      cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 50 },
    });
    assert.deepEqual((usageOf({ inputTokens: 100, outputTokens: 5, cachedInputTokens: 0, cacheWriteInputTokens: 70 }) as { cache_creation: unknown }).cache_creation, { ephemeral_5m_input_tokens: 70, ephemeral_1h_input_tokens: 0 });
  });

  test('content_filter is a refusal, and an OpenAI refusal field is a text block with stop_reason refusal', () => {
    const filtered = JSON.parse(renderAnthropicMessage(result({ content: 'partial' }, [{ unified: 'content_filter', raw: 'content_filter' }]), 'route')) as Record<string, unknown>;
    assert.equal(filtered.stop_reason, 'refusal');
    const refused = JSON.parse(renderAnthropicMessage(result({ content: null, refusal: 'I cannot help with that.' }, [{ unified: 'stop', raw: 'stop' }]), 'route')) as Record<string, unknown>;
    assert.deepEqual(refused.content, [{ type: 'text', text: 'I cannot help with that.' }]);
    assert.equal(refused.stop_reason, 'refusal');
  });

  test('tool-call arguments that are not a JSON object are a 502 malformed_upstream_response', () => {
    const bad = result({ content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"x": ' } }] }, [{ unified: 'tool_calls', raw: 'tool_calls' }]);
    assert.throws(() => renderAnthropicMessage(bad, 'route'), (err: unknown) => err instanceof GatewayError && err.status === 502 && err.code === 'malformed_upstream_response');
  });
});

describe('canonical reasoning to Anthropic thinking blocks', () => {
  /** Each content block's events, by index: its start, and the text and signature its deltas add up to. */
  function blocksOf(events: Event[]): { start: unknown; thinking: string; text: string; signature: string | undefined; stopped: boolean }[] {
    const blocks: ReturnType<typeof blocksOf> = [];
    for (const { event, data } of events) {
      const index = data.index as number;
      if (event === 'content_block_start') {
        assert.equal(index, blocks.length, 'block indexes are consecutive');
        blocks.push({ start: data.content_block, thinking: '', text: '', signature: undefined, stopped: false });
      }
      const block = blocks[index];
      if (event === 'content_block_delta' && block) {
        assert.equal(block.stopped, false, `block ${index} gets no delta after its stop`);
        const delta = data.delta as Record<string, string>;
        if (delta.type === 'thinking_delta') block.thinking += delta.thinking;
        if (delta.type === 'text_delta') block.text += delta.text;
        if (delta.type === 'signature_delta') block.signature = delta.signature;
      }
      if (event === 'content_block_stop' && block) block.stopped = true;
    }
    assert.ok(blocks.every((block) => block.stopped), 'every block is stopped');
    return blocks;
  }

  const OPEN_THINKING = { type: 'thinking', thinking: '', signature: '' };

  test('reasoning text only (DeepSeek, vLLM) streams as an unsigned thinking block before the text block', () => {
    const stream = new AnthropicEventStream('route');
    const events = parseFrames([
      ...stream.push(chunk({ role: 'assistant', content: '' }, { hasContent: false })),
      ...stream.push(chunk({ reasoning_content: 'Think ' })),
      ...stream.push(chunk({ reasoning_content: 'twice.' })),
      ...stream.push(chunk({ content: 'Answer.' })),
      ...stream.push(chunk({}, { hasContent: false, finishReason: { unified: 'stop', raw: 'stop' } }, 'stop')),
      ...stream.end(),
    ]);
    assert.deepEqual(blocksOf(events), [
      { start: OPEN_THINKING, thinking: 'Think twice.', text: '', signature: undefined, stopped: true },
      { start: { type: 'text', text: '' }, thinking: '', text: 'Answer.', signature: undefined, stopped: true },
    ]);
  });

  test('signed blocks end the thinking block that streamed them with a signature_delta; a later block leaves out the separator; redacted, text and tool_use blocks follow with consecutive indexes', () => {
    const stream = new AnthropicEventStream('route');
    const events = parseFrames([
      ...stream.push(chunk({ reasoning_content: 'First ' })),
      ...stream.push(chunk({ reasoning_content: 'step.' })),
      ...stream.push(chunk({ thinking_blocks: [{ type: 'thinking', thinking: 'First step.', signature: 'sig-1' }] })),
      ...stream.push(chunk({ reasoning_content: '\n\nSecond step.' })),
      ...stream.push(chunk({ thinking_blocks: [{ type: 'thinking', thinking: 'Second step.', signature: 'sig-2' }] })),
      ...stream.push(chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: 'ENCRYPTED' }] })),
      ...stream.push(chunk({ content: 'Checking.' })),
      ...stream.push(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] })),
      ...stream.push(chunk({}, { hasContent: false, finishReason: { unified: 'tool_calls', raw: 'tool_use' } }, 'tool_calls')),
      ...stream.end(),
    ]);
    assert.deepEqual(blocksOf(events), [
      { start: OPEN_THINKING, thinking: 'First step.', text: '', signature: 'sig-1', stopped: true },
      { start: OPEN_THINKING, thinking: 'Second step.', text: '', signature: 'sig-2', stopped: true },
      { start: { type: 'redacted_thinking', data: 'ENCRYPTED' }, thinking: '', text: '', signature: undefined, stopped: true },
      { start: { type: 'text', text: '' }, thinking: '', text: 'Checking.', signature: undefined, stopped: true },
      { start: { type: 'tool_use', id: 'call_1', name: 'f', input: {} }, thinking: '', text: '', signature: undefined, stopped: true },
    ]);
    const signature = events.findIndex((e) => (e.data.delta as Record<string, unknown> | undefined)?.type === 'signature_delta');
    assert.equal(events[signature + 1]?.event, 'content_block_stop', "the signature comes right before its block's stop");
  });

  test('a signed block whose text was not streamed comes whole; streamed text that is not the signed text stays unsigned, and the signed block follows', () => {
    const whole = new AnthropicEventStream('route');
    const omitted = blocksOf(parseFrames([...whole.push(chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'sig-only' }] })), ...whole.push(chunk({ content: 'Hi.' })), ...whole.end()]));
    assert.deepEqual(omitted[0], { start: OPEN_THINKING, thinking: '', text: '', signature: 'sig-only', stopped: true });
    assert.equal(omitted[1]?.text, 'Hi.');

    const mismatch = new AnthropicEventStream('route');
    const blocks = blocksOf(parseFrames([...mismatch.push(chunk({ reasoning_content: 'draft' })), ...mismatch.push(chunk({ thinking_blocks: [{ type: 'thinking', thinking: 'final', signature: 'sig-final' }] })), ...mismatch.end()]));
    assert.deepEqual(
      blocks.map((block) => [block.thinking, block.signature]),
      [
        ['draft', undefined],
        ['final', 'sig-final'],
      ],
    );
  });

  test('a whole answer puts its thinking_blocks (unsigned ones with an empty signature) before its text and tool_use blocks', () => {
    const message = JSON.parse(
      renderAnthropicMessage(
        result(
          {
            content: 'Checking.',
            reasoning_content: 'First step.\n\nSecond step.',
            thinking_blocks: [
              { type: 'thinking', thinking: 'First step.', signature: 'sig-1' },
              { type: 'redacted_thinking', data: 'ENCRYPTED' },
              { type: 'thinking', thinking: 'Second step.' },
            ],
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          [{ unified: 'tool_calls', raw: 'tool_use' }],
        ),
        'route',
      ),
    ) as { content: unknown[] };
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: 'First step.', signature: 'sig-1' },
      { type: 'redacted_thinking', data: 'ENCRYPTED' },
      { type: 'thinking', thinking: 'Second step.', signature: '' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
    ]);
  });

  test('reasoning_content without thinking_blocks is one unsigned thinking block; thinking_blocks that are not thinking blocks are a 502', () => {
    const message = JSON.parse(renderAnthropicMessage(result({ content: 'Answer.', reasoning_content: 'Think twice.' }, [{ unified: 'stop', raw: 'stop' }]), 'route')) as { content: unknown[] };
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: 'Think twice.', signature: '' },
      { type: 'text', text: 'Answer.' },
    ]);
    const bad = result({ content: 'x', thinking_blocks: [{ type: 'musing' }] }, [{ unified: 'stop', raw: 'stop' }]);
    assert.throws(() => renderAnthropicMessage(bad, 'route'), (err: unknown) => err instanceof GatewayError && err.status === 502);
    const badStream = new AnthropicEventStream('route');
    assert.throws(() => badStream.push(chunk({ thinking_blocks: 'signed' })), (err: unknown) => err instanceof GatewayError && err.status === 502);
  });
});

describe("gateway errors in Anthropic's vocabulary", () => {
  test('the gateway 503 (no capacity now) is a 529 overloaded_error with retry-after', () => {
    const error = anthropicErrorOf(new GatewayError('Every deployment of this route is unavailable (circuit open).', { status: 503, code: 'circuit_open', shape: 'upstream_5xx', retryAfterMs: 2500 }));
    assert.equal(error.status, 529);
    assert.equal(error.type, 'overloaded_error');
    assert.equal(error.headers['retry-after'], '3');
  });

  test('an upstream that said 529 stays overloaded; other upstream failures are 502 api_error; timeouts 504 timeout_error', () => {
    assert.equal(anthropicErrorOf(new GatewayError('Overloaded', { status: 502, code: 'overloaded_error', shape: 'upstream_5xx', upstreamStatus: 529 })).type, 'overloaded_error');
    const upstream = anthropicErrorOf(new GatewayError('The upstream answered 500.', { status: 502, code: 'upstream_500', shape: 'upstream_5xx', upstreamStatus: 500 }));
    assert.deepEqual([upstream.status, upstream.type], [502, 'api_error']);
    const timeout = anthropicErrorOf(new GatewayError('The upstream did not finish within the hop deadline.', { status: 504, code: 'hop_deadline', shape: 'timeout' }));
    assert.deepEqual([timeout.status, timeout.type], [504, 'timeout_error']);
  });

  test('4xx statuses map to their Anthropic types, unlisted ones to invalid_request_error', () => {
    const typeOf = (status: number) => anthropicErrorOf(new GatewayError('Something the client did.', { status, code: 'x' })).type;
    assert.equal(typeOf(401), 'authentication_error');
    assert.equal(typeOf(403), 'permission_error');
    assert.equal(typeOf(404), 'not_found_error');
    assert.equal(typeOf(413), 'request_too_large');
    assert.equal(typeOf(429), 'rate_limit_error');
    assert.equal(typeOf(405), 'invalid_request_error');
    assert.equal(typeOf(422), 'invalid_request_error');
  });

  test('anything that is not a GatewayError is a 500 api_error with a fixed text, never its own message', () => {
    const error = anthropicErrorOf(new Error('ECONNREFUSED http://user:sk-secret@10.0.0.1'));
    assert.equal(error.status, 500);
    assert.equal(error.type, 'api_error');
    assert.ok(!error.message.includes('sk-secret'));
  });
});
