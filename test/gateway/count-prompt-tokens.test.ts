/** The prompt count behind the proactive context_overflow check, for history that carries the gateway's own reasoning fields; the tokenizer given text in pieces it counts in linear time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHARS_PER_TURN, countPromptTokens, MAX_PIECE_CHARS, piecesOf } from '../../src/gateway/count-prompt-tokens.js';
import type { ChatBody, JsonObject } from '../../src/providers/types.js';

/** Half of a surrogate pair without the other (a pair is one code point, not in this category). */
const LONE_SURROGATE = /\p{Cs}/u;
const LONG_THOUGHT = 'Weigh every option before answering. '.repeat(200);

function body(messages: JsonObject[]): ChatBody {
  return { model: 'chat', messages };
}

test("an earlier turn's reasoning is not counted (providers drop it); the last assistant turn's is", async () => {
  const thought = { reasoning_content: LONG_THOUGHT, thinking_blocks: [{ type: 'thinking', thinking: LONG_THOUGHT, signature: 'c2ln' }] };
  const plain = [
    { role: 'user', content: 'a' },
    { role: 'assistant', content: 'b' },
    { role: 'user', content: 'c' },
    { role: 'assistant', content: 'd' },
    { role: 'user', content: 'e' },
  ];
  const base = await countPromptTokens(body(plain));
  const earlier = plain.map((message, index) => (index === 1 ? { ...message, ...thought } : message));
  assert.equal(await countPromptTokens(body(earlier)), base);
  const last = plain.map((message, index) => (index === 3 ? { ...message, ...thought } : message));
  assert.ok((await countPromptTokens(body(last))) > base + 400, 'the last assistant turn carries its reasoning on (a tool loop)');
});

test('the tokenizer is given at most MAX_PIECE_CHARS at a time, cut at whitespace where it can be and never inside a surrogate pair; the count stays what it was', async () => {
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  // The pieces the text was last cut into, and their count.
  let pieces: string[] = [];
  const countInPieces = (text: string): number => {
    pieces = [...piecesOf(text)];
    return pieces.reduce((tokens, piece) => tokens + countTokens(piece), 0);
  };
  const prose = 'The quick brown fox jumps over the lazy dog, twice. '.repeat(400);
  const emoji = 'é😀'.repeat(3000);
  const base64 = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 7919) % 256)).toString('base64');
  for (const [name, text] of [['prose', prose], ['emoji', emoji], ['base64', base64]] as const) {
    const counted = countInPieces(text);
    assert.equal(pieces.join(''), text, `${name}: every character is counted once`);
    assert.ok(pieces.length > 1 && pieces.every((piece) => piece.length <= MAX_PIECE_CHARS && !LONE_SURROGATE.test(piece)), `${name}: pieces of at most ${MAX_PIECE_CHARS}, none split inside a surrogate pair`);
    const whole = countTokens(text);
    assert.ok(Math.abs(counted - whole) <= whole * 0.002, `${name}: ${counted} tokens in pieces, ${whole} whole`);
  }
  // Prose is cut at its spaces, where the tokenizer splits anyway.
  countInPieces(prose);
  assert.ok(pieces.slice(1).every((piece) => piece.startsWith(' ')));
  // A run with no break in it (whose cost would grow with its square) is cut too, and a text that fits is given whole.
  assert.equal(countInPieces('y'.repeat(100_000)), 25_000);
  assert.ok(pieces.length >= 100_000 / MAX_PIECE_CHARS && pieces.every((piece) => piece.length <= MAX_PIECE_CHARS));
  countInPieces('short');
  assert.deepEqual(pieces, ['short']);
});

// The timeout is a guard against the stall, not a speed claim: whole, this text held the event loop for about 33 s.
test('a prompt of one letter repeated 256 KB is counted, in pieces, when a context window needs the count', { timeout: 20_000 }, async () => {
  const letters = 'y'.repeat(262_144);
  // 3 for the reply's priming, 4 for the message's framing, 1 for its role, and a token per four letters.
  assert.equal(await countPromptTokens(body([{ role: 'user', content: letters }])), 3 + 4 + 1 + 65_536);
});

test('a long count gives the event loop a turn after each CHARS_PER_TURN of text; a short one takes none', async () => {
  const turnsDuring = async (text: string): Promise<number> => {
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      if (!counting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await countPromptTokens(body([{ role: 'user', content: text }]));
    counting = false;
    return turns;
  };
  // The tokenizer loaded first: loading it gives the event loop turns of its own.
  await countPromptTokens(body([{ role: 'user', content: 'warm up' }]));
  const prose = 'The quick brown fox jumps over the lazy dog, twice. '.repeat(Math.ceil((CHARS_PER_TURN * 4) / 52));
  assert.ok((await turnsDuring(prose)) >= 3, 'other work ran while four turns of text were counted');
  assert.equal(await turnsDuring('hello there'), 0);
});
