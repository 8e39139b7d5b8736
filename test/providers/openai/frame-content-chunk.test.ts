import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fitsContentFrame, frameContentChunk } from '../../../src/providers/openai/frame-content-chunk.js';
import { stringEnd, type TokenFrame } from '../../../src/providers/http/token-frame.js';
import { readChunk } from '../../../src/providers/openai/read-openai-answer.js';
import { openaiStream } from '../../../src/providers/openai/openai-stream.js';
import { GatewayError } from '../../../src/errors.js';
import { planAnswer } from '../../../src/providers/mock/mock-completion.js';
import type { MockChatRequest } from '../../../src/providers/mock/mock-request.js';
import { buildStreamChunks } from '../../../src/providers/mock/mock-stream.js';

type Json = Record<string, unknown>;

const BASE = { id: 'chatcmpl-B9MHDbslfCsjX2kSxkQYpGZz8sWdY', object: 'chat.completion.chunk', created: 1741570283, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_06737a9306' };

/** An OpenAI chunk as OpenAI writes it; `extra` goes after `choices` (OpenAI's `obfuscation`, `usage`). */
function chunk(delta: Json, finishReason: string | null = null, extra: Json = {}): string {
  return JSON.stringify({ ...BASE, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra });
}

const toolChunk = (args: string) => chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] });

function frameOf(text: string): TokenFrame {
  const frame = frameContentChunk(text, JSON.parse(text) as Json);
  assert.ok(frame, `a frame for ${text}`);
  return frame;
}

/** What openaiStream's parsing path reads from a chunk: the facts a framed chunk is given without it. */
function parsedFacts(text: string): unknown {
  const payload = JSON.parse(text) as Json;
  return 'error' in payload ? 'error' : readChunk(payload);
}

const CONTENT_FACTS = { hasContent: true, finishReason: undefined, usage: undefined };

describe('frameContentChunk / fitsContentFrame', () => {
  test('token chunks fit the frame of the first; the role, finish and usage chunks do not', () => {
    const frame = frameOf(chunk({ content: 'Hello' }));
    for (const token of ['!', ' How', ' can', 'I', 'é', '😀', 'a"b', 'back\\slash', 'line\nbreak', '\u0000', '"}]}']) {
      assert.equal(fitsContentFrame(frame, chunk({ content: token })), true, JSON.stringify(token));
    }
    assert.equal(fitsContentFrame(frame, chunk({ role: 'assistant', content: '' })), false);
    assert.equal(fitsContentFrame(frame, chunk({ content: '' })), false, 'an empty token carries no content');
    assert.equal(fitsContentFrame(frame, chunk({}, 'stop')), false);
    assert.equal(fitsContentFrame(frame, chunk({ content: 'x' }, 'stop')), false, 'a token with a finish reason');
    assert.equal(fitsContentFrame(frame, chunk({ content: 'x' }, null, { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })), false);
    assert.equal(fitsContentFrame(frame, JSON.stringify({ error: { message: 'x' } })), false);
  });

  test("OpenAI's obfuscation padding varies chunk to chunk and still fits", () => {
    const frame = frameOf(chunk({ content: 'Hello' }, null, { obfuscation: 'Qx7' }));
    assert.equal(frame.end, '"}');
    assert.equal(fitsContentFrame(frame, chunk({ content: ' world' }, null, { obfuscation: 'kJ2mP0aZ' })), true);
    assert.equal(fitsContentFrame(frame, chunk({ content: ' world' }, null, { obfuscation: '' })), true);
    assert.equal(fitsContentFrame(frame, chunk({ content: ' world' }, null, { obfuscation: 'x', usage: null })), false, 'padding no longer last');
    assert.equal(fitsContentFrame(frame, chunk({ content: ' world' })), false, 'no padding');
  });

  test("a tool call's argument chunks fit the frame of the first", () => {
    const frame = frameOf(toolChunk('{"'));
    for (const args of ['location', '":"', 'Paris', '"}']) assert.equal(fitsContentFrame(frame, toolChunk(args)), true, args);
    assert.equal(fitsContentFrame(frame, chunk({ content: 'Paris' })), false);
  });

  test('no frame where the token cannot be placed for certain', () => {
    const two = JSON.stringify({ ...BASE, choices: [{ index: 0, delta: { content: 'a' } }, { index: 1, delta: { content: 'b' } }] });
    assert.equal(frameContentChunk(two, JSON.parse(two) as Json), undefined, 'two choices');
    // The key's text also ends an escaped key elsewhere: `"content":"` appears twice.
    const escapedKey = JSON.stringify({ 'x"content': 'zz', ...BASE, choices: [{ index: 0, delta: { content: 'a' } }] });
    assert.equal(frameContentChunk(escapedKey, JSON.parse(escapedKey) as Json), undefined);
    // The only `"content":"` is an escaped key's; the token is written with spaces the marker misses.
    const spaced = `{"x\\"content":"zz","choices":[{"delta":{"content" : "a"}}]}`;
    assert.equal(frameContentChunk(spaced, JSON.parse(spaced) as Json), undefined);
    const roleOnly = chunk({ role: 'assistant', content: '' });
    assert.equal(frameContentChunk(roleOnly, JSON.parse(roleOnly) as Json), undefined);
  });

  test('a malformed string in a gap does not fit, so the chunk is parsed (and refused) as before', () => {
    const frame = frameOf(chunk({ content: 'Hello' }, null, { obfuscation: 'Qx7' }));
    const { head, middle, end } = frame;
    for (const body of ['a"b', 'a\\x', 'a\nb', 'a\\u12G4', 'a\\', 'a\\u12']) {
      assert.equal(fitsContentFrame(frame, `${head}${body}${middle}pad${end}`), false, `token ${JSON.stringify(body)}`);
      assert.equal(fitsContentFrame(frame, `${head}ok${middle}${body}${end}`), false, `padding ${JSON.stringify(body)}`);
    }
    assert.equal(fitsContentFrame(frame, `${head}ok${middle}pad${end}`), true);
    assert.equal(fitsContentFrame(frame, `${head}ok${middle}pad${end}}`), false, 'text after the frame');
    assert.equal(fitsContentFrame(frame, `${head}ok${middle}pad"]`), false, 'another end');
    const plain = frameOf(chunk({ content: 'Hello' }));
    assert.equal(fitsContentFrame(plain, `${plain.head}ok${plain.middle}`), true);
    assert.equal(fitsContentFrame(plain, `${plain.head}ok${plain.middle}}`), false, 'text after the frame');
    assert.equal(fitsContentFrame(plain, `${plain.head}ok${plain.middle.slice(0, -1)}`), false, 'the frame cut short');
  });

  test('stringEnd finds the closing quote past every escape JSON has, and refuses the rest', () => {
    assert.equal(stringEnd('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9x"', 1), 24);
    assert.equal(stringEnd('"abc', 1), -1);
    assert.equal(stringEnd('"a\tb"', 1), -1);
  });

  test('property: whatever fits a frame parses to a chunk with content, no finish and no usage', () => {
    const token = fc.string({ unit: 'binary', minLength: 0, maxLength: 6 });
    const validChunk = fc.oneof(
      token.map((content) => chunk({ content })),
      fc.tuple(token, token).map(([content, obfuscation]) => chunk({ content }, null, { obfuscation })),
      token.map((args) => toolChunk(args)),
      token.map((content) => chunk({ content }, 'stop')),
      fc.tuple(token, fc.nat(9)).map(([content, n]) => chunk({ content }, null, { usage: { prompt_tokens: n, completion_tokens: n, total_tokens: 2 * n } })),
      token.map((message) => JSON.stringify({ error: { message } })),
    );
    // Raw text in a frame's gaps: JSON escapes, stray quotes and backslashes, control characters.
    const raw = fc.array(fc.constantFrom('a', 'é', '"', '\\', '\\"', '\\n', '\\u00e9', '\\u12', '\\q', '\n', '}', ']', ','), { maxLength: 5 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(validChunk, validChunk, fc.boolean(), raw, raw, (first, second, useRaw, rawToken, rawPad) => {
        const payload = JSON.parse(first) as Json;
        const facts = 'error' in payload ? undefined : readChunk(payload);
        if (!facts?.hasContent || facts.finishReason !== undefined || facts.usage !== undefined) return;
        const frame = frameContentChunk(first, payload);
        if (frame === undefined) return;
        const text = useRaw ? `${frame.head}${rawToken}${frame.middle}${frame.end === '' ? '' : `${rawPad}${frame.end}`}` : second;
        if (!fitsContentFrame(frame, text)) return;
        assert.deepEqual(parsedFacts(text), CONTENT_FACTS, text);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: a token chunk of the same shape always fits (the frame is not lost to what a token holds)', () => {
    const token = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(token, token, fc.option(fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }))), (a, b, pads) => {
        const extra = (pad: string | undefined): Json => (pad === undefined ? {} : { obfuscation: pad });
        const frame = frameOf(chunk({ content: a }, null, extra(pads?.[0])));
        assert.equal(fitsContentFrame(frame, chunk({ content: b }, null, extra(pads?.[1]))), true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('openaiStream with framed chunks', () => {
  /** A body that sends each text as one SSE event, one read each. */
  async function* events(texts: string[]): AsyncGenerator<Uint8Array> {
    for (const data of texts) yield Buffer.from(`data: ${data}\n\n`);
  }

  test('reads a framed stream as the parsed one: content, then the finish and usage', async () => {
    const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
    const texts = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'One' }), chunk({ content: ' two' }), chunk({ content: ' three' }), chunk({}, 'stop'), chunk({}, null, { usage })];
    const out = [];
    for await (const read of openaiStream(events([...texts, '[DONE]']), [])) out.push(read);
    assert.deepEqual(
      out.map((read) => [read.data, read.hasContent, read.finishReason?.unified, read.usage?.outputTokens]),
      texts.map((data, i) => [data, i >= 1 && i <= 3, i === 4 ? 'stop' : undefined, i === 5 ? 3 : undefined]),
    );
  });

  test('a chunk that looks framed but holds a malformed string is still a malformed upstream answer', async () => {
    const { head, middle } = frameOf(chunk({ content: 'One' }));
    const texts = [chunk({ content: 'One' }), chunk({ content: ' two' }), `${head}bad\\q${middle}`, '[DONE]'];
    await assert.rejects(
      async () => {
        for await (const read of openaiStream(events(texts), [])) void read;
      },
      (err: unknown) => err instanceof GatewayError && err.status === 502 && err.code === 'malformed_upstream_response',
    );
  });

  test('an in-band error after framed chunks still fails the stream', async () => {
    const texts = [chunk({ content: 'One' }), chunk({ content: ' two' }), JSON.stringify({ error: { type: 'server_error', message: 'boom' } }), '[DONE]'];
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const read of openaiStream(events(texts), [])) seen.push(read.data);
    }, GatewayError);
    assert.equal(seen.length, 2);
  });
});

describe("the built-in mock's OpenAI stream", () => {
  const plan = planAnswer({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me about a "quoted" café, please' }] } as MockChatRequest, { serverName: 'mock-a', contentFilter: false });

  test('ends every delta chunk in random obfuscation padding, unless include_obfuscation is false', () => {
    const padded = buildStreamChunks(plan, { includeUsage: true, obfuscate: true }).map((text) => JSON.parse(text) as Json);
    const withChoices = padded.filter((chunk) => (chunk.choices as unknown[]).length > 0);
    assert.ok(withChoices.every((chunk) => typeof chunk.obfuscation === 'string' && Object.keys(chunk).at(-1) === 'obfuscation'));
    assert.ok(new Set(withChoices.map((chunk) => chunk.obfuscation)).size > 1, 'the padding varies');
    assert.equal(padded.at(-1)?.obfuscation, undefined, 'not on the usage chunk');
    assert.ok(buildStreamChunks(plan, { includeUsage: true, obfuscate: false }).every((text) => !text.includes('"obfuscation"')));
  });

  test('its token chunks after the first fit the frame, padding and all, and read as the parsed chunks do', () => {
    const texts = buildStreamChunks(plan, { includeUsage: true, obfuscate: true });
    const frame = frameOf(texts[1] as string);
    const tokens = texts.slice(2, -2);
    assert.ok(tokens.length >= 3, 'a few token chunks');
    for (const text of tokens) {
      assert.equal(fitsContentFrame(frame, text), true, text);
      assert.deepEqual(parsedFacts(text), CONTENT_FACTS);
    }
    assert.equal(fitsContentFrame(frame, texts.at(-2) as string), false, 'the finish chunk');
  });
});
