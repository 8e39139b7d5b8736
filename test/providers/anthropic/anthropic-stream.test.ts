/** Anthropic's stream events read into canonical chunks; its token events are checked by hand (not zod), by a schema's rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import { anthropicStream } from '../../../src/providers/anthropic/anthropic-stream.js';
import type { SseEvent } from '../../../src/providers/http/read-sse.js';
import type { StreamChunk } from '../../../src/providers/types.js';

const OPTIONS = { secrets: [], includeUsage: false, jsonTool: undefined };

function event(payload: { type: string } & Record<string, unknown>): SseEvent {
  return { event: payload.type, data: JSON.stringify(payload) };
}

const START = [
  event({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 5, output_tokens: 1 } } }),
  event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
];
const END = [
  event({ type: 'content_block_stop', index: 0 }),
  event({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } }),
  event({ type: 'message_stop' }),
];

/** A body that sends each event as SSE, one read each. */
async function* sse(events: SseEvent[]): AsyncGenerator<Uint8Array> {
  for (const { event: name, data } of events) yield Buffer.from(`${name === undefined ? '' : `event: ${name}\n`}data: ${data}\n\n`);
}

async function read(events: SseEvent[]): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const chunk of anthropicStream(sse(events), OPTIONS)) chunks.push(chunk);
  return chunks;
}

function deltas(chunks: StreamChunk[]): unknown[] {
  return chunks.map((chunk) => (JSON.parse(chunk.data) as { choices: { delta: unknown }[] }).choices[0]?.delta);
}

test('text deltas become content chunks after the role chunk; thinking and unknown deltas are skipped; the finish carries usage', async () => {
  const chunks = await read([
    ...START,
    event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
    event({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
    event({ type: 'content_block_delta', index: 0, delta: { type: 'some_later_delta', extra: { nested: true } } }),
    event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }),
    ...END,
  ]);
  assert.deepEqual(deltas(chunks), [{ role: 'assistant', content: '' }, { content: 'Hel' }, { content: 'lo' }, {}]);
  assert.deepEqual(chunks.at(-1)?.usage, { inputTokens: 5, outputTokens: 4, cachedInputTokens: 0 });
  assert.equal(chunks.at(-1)?.finishReason?.unified, 'stop');
});

test("a tool's input JSON streams as tool-call argument deltas", async () => {
  const chunks = await read([
    ...START.slice(0, 1),
    event({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} } }),
    event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
    event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Oslo"}' } }),
    event({ type: 'content_block_stop', index: 1 }),
    event({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }),
    event({ type: 'message_stop' }),
  ]);
  assert.deepEqual(deltas(chunks).slice(1, 4), [
    { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '' } }] },
    { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
    { tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] },
  ]);
  assert.equal(chunks.at(-1)?.finishReason?.unified, 'tool_calls');
});

const MALFORMED_DELTAS: [string, Record<string, unknown>][] = [
  ['no index', { delta: { type: 'text_delta', text: 'x' } }],
  ['an index that is a string', { index: '0', delta: { type: 'text_delta', text: 'x' } }],
  ['no delta', { index: 0 }],
  ['a delta that is null', { index: 0, delta: null }],
  ['a delta that is an array', { index: 0, delta: ['text_delta'] }],
  ['a delta without a type', { index: 0, delta: { text: 'x' } }],
  ['text that is a number', { index: 0, delta: { type: 'text_delta', text: 42 } }],
  ['text that is null', { index: 0, delta: { type: 'text_delta', text: null } }],
  ['partial_json that is an object', { index: 0, delta: { type: 'input_json_delta', partial_json: { a: 1 } } }],
];

for (const [what, payload] of MALFORMED_DELTAS) {
  test(`a content_block_delta with ${what} is a 502 malformed_upstream_response, not a crash or a skipped token`, async () => {
    await assert.rejects(
      read([...START, event({ type: 'content_block_delta', ...payload }), ...END]),
      (err: unknown) => err instanceof GatewayError && err.status === 502 && err.code === 'malformed_upstream_response' && /content_block_delta event in an unexpected shape/.test(err.message),
    );
  });
}

test('text deltas after the first are passed on with their own escaping and read back as the same text, for any text', async () => {
  // The upstream's escaping, not JSON.stringify's: every non-ASCII character as \uXXXX.
  const escaped = (text: string) => `"${JSON.stringify(text).slice(1, -1).split('').map((c) => (c.charCodeAt(0) > 0x7e ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')}"`;
  const textEvent = (quoted: string): SseEvent => ({ event: 'content_block_delta', data: `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${quoted}}}` });
  const texts = ['Hel', 'lo', ' "wo', 'rld"', ' \\ é', '😀', '\n', 'a\u2028b', 'end'];
  const chunks = await read([...START, ...texts.map((text, i) => textEvent(i % 2 ? escaped(text) : JSON.stringify(text))), ...END]);
  assert.deepEqual(deltas(chunks), [{ role: 'assistant', content: '' }, ...texts.map((content) => ({ content })), {}]);
  assert.ok(chunks.slice(2, -1).some((chunk) => chunk.data.includes('\\ud83d')), "a framed delta keeps the upstream's escaping");
  assert.ok(chunks.slice(1, -1).every((chunk) => chunk.hasContent));
});

test('a text delta that looks framed but holds a malformed string is still a malformed upstream answer', async () => {
  const bad = { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"bad\\q"}}' };
  await assert.rejects(
    read([...START, event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }), bad, ...END]),
    (err: unknown) => err instanceof GatewayError && err.status === 502,
  );
});

test('a delta for another block, or an event of another name, is not read through the frame', async () => {
  const seen: string[] = [];
  const failed = await (async () => {
    const events = [...START, event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }), { event: 'error', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}' }];
    for await (const chunk of anthropicStream(sse(events), OPTIONS)) seen.push(chunk.data);
  })().catch((err: unknown) => err);
  assert.ok(failed instanceof GatewayError && failed.code !== 'stream_truncated', 'an event named error fails the stream whatever its payload');
  assert.equal(seen.length, 2, 'the role chunk and Hel, nothing from the error event');
  const tool = await read([
    ...START.slice(0, 1),
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
    event({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} } }),
    event({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":"Oslo"}' } }),
    event({ type: 'content_block_stop', index: 1 }),
    event({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }),
    event({ type: 'message_stop' }),
  ]);
  assert.deepEqual(deltas(tool).slice(1, 3), [{ content: 'Hel' }, { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '' } }] }]);
  assert.deepEqual(deltas(tool)[3], { tool_calls: [{ index: 0, function: { arguments: '{"city":"Oslo"}' } }] });
});

test('message_stop ends the stream: the body is let go and nothing after it is read', async () => {
  let released = false;
  let readAfterStop = false;
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      yield* sse([...START, event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }), ...END]);
      readAfterStop = true;
      yield Buffer.from('event: content_block_delta\ndata: {not json\n\n');
    } finally {
      released = true;
    }
  }
  const chunks: StreamChunk[] = [];
  for await (const chunk of anthropicStream(body(), OPTIONS)) chunks.push(chunk);
  assert.deepEqual(deltas(chunks), [{ role: 'assistant', content: '' }, { content: 'Hi' }, {}]);
  assert.equal(readAfterStop, false);
  assert.equal(released, true);
});
