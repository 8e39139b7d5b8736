import { CancelSource, NEVER_CANCELLED } from '../../src/cancel.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, keptMemberNames, requestKey } from '../../src/cache/request-key.js';
import { ResponseCache, StreamRecorder, completionText, keptCompletion, streamChunks, type KeptStream } from '../../src/cache/response-cache.js';
import { IdempotencyStore } from '../../src/idempotency/idempotency-store.js';
import { GatewayError } from '../../src/errors.js';
import type { Served } from '../../src/gateway/served.js';

const NEVER = NEVER_CANCELLED;
const served = (requestId: string): Served => ({ requestId, route: 'chat', deployment: 'd', provider: 'p', hop: 1, attempts: [], fallbackReason: undefined });

describe('request keys', () => {
  test('key order does not change the key; values, scope and nesting do', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    assert.equal(requestKey(['t'], { a: 1, b: 2 }), requestKey(['t'], { b: 2, a: 1 }));
    assert.notEqual(requestKey(['t'], { a: 1 }), requestKey(['t'], { a: 2 }));
    assert.notEqual(requestKey(['t1'], { a: 1 }), requestKey(['t2'], { a: 1 }));
    assert.notEqual(requestKey(['ab', 'c'], {}), requestKey(['a', 'bc'], {}));
  });

  test('canonical JSON has the keys of every object sorted, whatever keys it has met before', () => {
    // A plain reference (an object rebuilt with sorted keys would not do: JavaScript puts integer-like keys first).
    const sorted = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value);
      if (Array.isArray(value)) return `[${value.map(sorted).join(',')}]`;
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .sort()
        .filter((key) => record[key] !== undefined)
        .map((key) => `${JSON.stringify(key)}:${sorted(record[key])}`);
      return `{${members.join(',')}}`;
    };
    // Keys that need escaping, a long one, and more distinct keys than the names it keeps.
    const odd = { 'a"b': 1, 'back\\slash': 2, 'line\u2028sep': 3, 'lone\ud800': 4, ['k'.repeat(100)]: 5, '': 6, 'é': 7 };
    const many = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`key${i}`, i]));
    // Past a handful of keys they are sorted by the engine, not by insertion: the same order, in the worst case too.
    const reversed = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${String(20_000 - i).padStart(6, '0')}`, i]));
    const seventeen = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [String.fromCharCode(122 - i), i]));
    for (const value of [odd, many, reversed, seventeen, { nested: [odd, { many }] }]) {
      assert.equal(canonicalJson(value), sorted(value));
      assert.equal(canonicalJson(value), sorted(value), 'the same text once its keys were seen');
    }
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = sorted(value);
        assert.equal(canonicalJson(value), expected);
        assert.equal(canonicalJson(value), expected);
      }),
      { numRuns: 2_000 },
    );
    // The client's keys cannot grow what is kept past its bound.
    canonicalJson(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`more${i}`, i])));
    assert.equal(keptMemberNames(), 1_000);
  });
});

describe('response cache', () => {
  test('entries expire after the TTL', () => {
    const cache = new ResponseCache({ ttlMs: 1000, maxEntries: 10, maxBytes: 1e6 });
    cache.set('k', keptCompletion('x'), 0);
    assert.ok(cache.get('k', 999));
    assert.equal(cache.get('k', 1001), undefined);
  });

  test('the least recently used entry goes first when a bound is hit', () => {
    const cache = new ResponseCache({ ttlMs: 1e9, maxEntries: 2, maxBytes: 1e6 });
    cache.set('a', keptCompletion('a'));
    cache.set('b', keptCompletion('b'));
    cache.get('a');
    cache.set('c', keptCompletion('c'));
    assert.ok(cache.get('a'));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('c'));
  });

  test("a stream's marks count against the byte bound, not only its bytes", () => {
    const cache = new ResponseCache({ ttlMs: 1e9, maxEntries: 100, maxBytes: 800 });
    // 40 framed chunks of one-letter tokens: under 200 bytes of body, and 42 marks (336 bytes).
    const stream = recordedWhole(['{"role":"assistant"}', ...Array.from({ length: 41 }, (_, i) => `{"id":"chatcmpl-1","choices":[{"delta":{"content":"${'abcdefghij'[i % 10]}"}}]}`)]);
    assert.ok(stream.body.length < 800 / 4, `${stream.body.length} bytes of body`);
    cache.set('s', stream);
    assert.equal(cache.get('s'), undefined, 'over a quarter of the bound with its marks: not kept');
  });

  test('the byte bound holds', () => {
    const cache = new ResponseCache({ ttlMs: 1e9, maxEntries: 100, maxBytes: 100 });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, keptCompletion('x'.repeat(20)));
    assert.ok(cache.size <= 5);
    assert.ok(cache.get('k9'));
  });
});

describe('a kept answer', () => {
  test('a completion is kept as its UTF-8 bytes in a buffer of its own and read back as it was', () => {
    const text = '{"content":"naïve café, 日本語 and 🙂"}';
    const kept = keptCompletion(text);
    assert.equal(kept.kind, 'completion');
    assert.equal(kept.body.length, Buffer.byteLength(text), 'its size is its bytes');
    assert.equal(kept.body.buffer.byteLength, kept.body.length, 'not a slice of a shared pool');
    if (kept.kind === 'completion') assert.equal(completionText(kept), text);
  });

  test('a stream keeps its chunk texts and gives them back as they were, empty, multi-line and non-ASCII ones included', () => {
    const chunks = ['{"id":"a","choices":[]}', '', '{"x":"line one\nline two"}', '{"x":"日本語 🙂"}', '{"usage":{"total_tokens":3}}'];
    const recorder = new StreamRecorder(1 << 20);
    for (const chunk of chunks) recorder.add(chunk);
    assert.deepEqual(recorder.texts(), chunks, 'readable while recording (to estimate a broken stream)');
    const packed = recorder.pack();
    assert.equal(packed?.kind, 'stream');
    if (packed?.kind !== 'stream') return;
    assert.equal(packed.body.length, Buffer.byteLength(chunks.join('')), 'packed to its exact size');
    assert.equal(packed.body.buffer.byteLength, packed.body.length);
    assert.deepEqual(streamChunks(packed), chunks);
    const none = new StreamRecorder(1 << 20).pack();
    if (none?.kind === 'stream') assert.deepEqual(streamChunks(none), []);
  });

  test('a stream of OpenAI chunks keeps each framed chunk as its token only, and gives every chunk back whole', () => {
    const chunks = openAiChunks(['Hello', '!', ' How', ' can', ' I', ' help', ' 🙂', ' "quoted"', '', ' end']);
    const packed = recordedWhole(chunks);
    const framed = packed.marks.map((mark) => mark & 3);
    // The role chunk and the second chunk are kept whole; every word chunk after them is framed;
    // the finish and usage chunks do not end like the word chunks and are kept whole.
    assert.deepEqual(framed, [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    const whole = Buffer.byteLength(chunks.join(''));
    assert.ok(packed.body.length < whole / 2, `${packed.body.length} bytes kept of ${whole}`);
    assert.equal(packed.body.buffer.byteLength, packed.body.length, 'a buffer of its own');
  });

  test("a stream whose chunks end in OpenAI's random obfuscation padding keeps each chunk's token and padding only", () => {
    const words = Array.from({ length: 40 }, (_, i) => [' the', ' quick', ' brown', ' fox', ' "jumps"', ' 🙂'][i % 6] as string);
    const chunks = openAiChunks(words, (i) => 'aZ09xQ'.repeat(3).slice(i % 7, 4 + (i % 11)));
    const packed = recordedWhole(chunks);
    const kinds = packed.marks.map((mark) => mark & 3);
    // Every word chunk after the second is kept in two parts: its token, then its padding.
    assert.equal(kinds.filter((kind) => kind === 2).length, words.length - 1);
    const whole = Buffer.byteLength(chunks.join(''));
    assert.ok(packed.body.length < whole / 5, `${packed.body.length} bytes kept of ${whole}`);
  });

  test('two tokens that begin or end alike do not make a frame the other chunks miss', () => {
    for (const [second, third] of [
      ['Hello', 'Help'],
      [' cake', ' bake'],
      ['a"b', 'a"c'],
    ]) {
      const words = [second as string, third as string, ' one', ' two', ' three'];
      const chunks = openAiChunks(words);
      const packed = recordedWhole(chunks);
      assert.deepEqual(
        packed.marks.map((mark) => mark & 3),
        [0, 0, 1, 1, 1, 1, 0, 0],
        `${second} then ${third}`,
      );
    }
  });

  test('a frame never cuts a surrogate pair, so chunks whose tokens share a first code unit come back whole', () => {
    // 😀 and 😃 share their high surrogate (U+D83D): a head ending on it would be written as U+FFFD.
    // U+1F600, U+1F200 and U+1FA00 share their low one (U+DE00), which a tail must not start with.
    for (const words of [['😀', '😀x', '😃x', '😄x'], ['a', 'x😀', 'y😀', 'z😀'], ['a', '😀', '😃', '😄'], ['a', '\u{1F600}', '\u{1F200}', '\u{1FA00}']]) {
      const chunks = words.map((word) => `{"choices":[{"delta":{"content":"${word}"},"finish_reason":null}]}`);
      const packed = recordedWhole(chunks);
      assert.equal((packed.marks[3] as number) & 3, 1, 'the fourth chunk is framed');
    }
  });

  test('any stream comes back as it was recorded, framed or not (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const chunk = fc.oneof(
      { weight: 3, arbitrary: text.map((word) => `{"id":"chatcmpl-1","choices":[{"delta":{"content":${JSON.stringify(word)}},"finish_reason":null}]}`) },
      { weight: 3, arbitrary: fc.tuple(text, text).map(([word, pad]) => `{"id":"chatcmpl-1","choices":[{"delta":{"content":${JSON.stringify(word)}},"finish_reason":null}],"obfuscation":${JSON.stringify(pad)}}`) },
      { weight: 1, arbitrary: text },
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 12 }), (chunks) => {
        recordedWhole(chunks);
      }),
      { numRuns: 1000 },
    );
  });

  test('a stream grows its buffer past the first size, and is dropped for good once over its cap', () => {
    const big = new StreamRecorder(1 << 20);
    const chunk = 'x'.repeat(1000);
    for (let i = 0; i < 50; i++) big.add(chunk);
    const packed = big.pack();
    assert.equal(packed?.kind === 'stream' && streamChunks(packed).length, 50);

    const capped = new StreamRecorder(2500);
    capped.add('x'.repeat(1000));
    capped.add('y'.repeat(1000));
    assert.equal(capped.texts()?.length, 2);
    capped.add('z'.repeat(1000));
    assert.equal(capped.pack(), undefined, 'over the cap: nothing kept');
    assert.equal(capped.texts(), undefined);
    capped.add('y');
    assert.equal(capped.pack(), undefined, 'and nothing kept after');

    // Framed, the same chunks cost their kept bytes and the frame's once.
    const framed = new StreamRecorder(2500);
    for (let i = 0; i < 50; i++) framed.add(`${'x'.repeat(400)}${i}${'y'.repeat(400)}`);
    const kept = framed.pack();
    assert.ok(kept && kept.body.length <= 2500, `${kept?.body.length} bytes kept`);
    assert.equal(kept && streamChunks(kept).length, 50);
    // 1,203 bytes of chunks, and a frame of 1,200: over a cap of 2,300.
    const overFrame = new StreamRecorder(2300);
    overFrame.add('a');
    for (let i = 0; i < 2; i++) overFrame.add(`${'x'.repeat(600)}${i}${'y'.repeat(600)}`);
    assert.equal(overFrame.pack(), undefined, 'the frame counts against the cap');
  });
});

describe('idempotency store', () => {
  test('concurrent claims of one key get one leader; followers replay its answer', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    assert.equal(first.role, 'leader');
    const followers = Array.from({ length: 5 }, () => store.claim('k', 'h', NEVER));
    if (first.role === 'leader') first.flight.complete({ answer: keptCompletion('answer'), served: served('r1') });
    for (const claim of await Promise.all(followers)) {
      assert.equal(claim.role, 'replay');
      if (claim.role === 'replay') assert.deepEqual(claim.recorded.answer, keptCompletion('answer'));
    }
  });

  test('a failed leader shares its error with waiting followers and keeps nothing', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    const follower = store.claim('k', 'h', NEVER);
    const error = new GatewayError('boom', { status: 502, code: 'x' });
    if (first.role === 'leader') first.flight.fail(error);
    await assert.rejects(follower, (err) => err === error);
    assert.equal((await store.claim('k', 'h', NEVER)).role, 'leader');
  });

  test('an abandoned lead passes to a follower', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    const follower = store.claim('k', 'h', NEVER);
    if (first.role === 'leader') first.flight.abandon();
    assert.equal((await follower).role, 'leader');
  });

  test('a key reused with another body is refused', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    await store.claim('k', 'h1', NEVER);
    await assert.rejects(store.claim('k', 'h2', NEVER), (err) => err instanceof GatewayError && err.status === 422);
  });

  test('replays end with the TTL', async () => {
    const store = new IdempotencyStore({ ttlMs: 30, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    if (first.role === 'leader') first.flight.complete({ answer: keptCompletion('a'), served: served('r1') });
    assert.equal((await store.claim('k', 'h', NEVER)).role, 'replay');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal((await store.claim('k', 'h', NEVER)).role, 'leader');
  });

  test('kept answers are bounded by size: the oldest replays go first', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 250 });
    for (const key of ['a', 'b', 'c']) {
      const claim = await store.claim(key, 'h', NEVER);
      if (claim.role === 'leader') claim.flight.complete({ answer: keptCompletion('x'.repeat(100)), served: served(key) });
    }
    assert.equal((await store.claim('a', 'h', NEVER)).role, 'leader');
    assert.equal((await store.claim('c', 'h', NEVER)).role, 'replay');
  });

  test('a bounded store keeps its newest answers through many more requests than it holds', () => {
    const store = new IdempotencyStore({ ttlMs: 60_000, maxEntries: 50, maxBytes: 1 << 20 });
    for (let i = 0; i < 5_000; i++) store.tryLead(`k${i}`, 'h')?.complete({ answer: keptCompletion('x'), served: served(`r${i}`) });
    assert.equal(store.size, 50);
    assert.equal(store.tryLead('k4999', 'h'), undefined, 'the newest key is still held');
    assert.ok(store.tryLead('k4949', 'h'), 'an evicted key can be led again');
  });

  test('a flight in progress is never evicted, even when it is the oldest; its answer is kept when it ends', async () => {
    const store = new IdempotencyStore({ ttlMs: 60_000, maxEntries: 2, maxBytes: 1 << 20 });
    const flight = store.tryLead('in-flight', 'h');
    assert.ok(flight);
    for (let i = 0; i < 10; i++) store.tryLead(`k${i}`, 'h')?.complete({ answer: keptCompletion('x'), served: served(`r${i}`) });
    assert.equal(store.tryLead('in-flight', 'h'), undefined, 'still held while in flight');
    assert.equal(store.size, 3, 'the two newest answers, and the flight');
    flight.complete({ answer: keptCompletion('done'), served: served('r-flight') });
    assert.equal(store.size, 2);
    const replay = await store.claim('in-flight', 'h', NEVER);
    assert.equal(replay.role, 'replay');
    if (replay.role === 'replay') {
      assert.equal(completionText(replay.recorded.answer as Extract<typeof replay.recorded.answer, { kind: 'completion' }>), 'done');
      assert.equal(replay.recorded.served.requestId, 'r-flight');
    }
  });

  test('failed flights leave nothing held', () => {
    // During an outage every request fails: none may leave a trace behind.
    const store = new IdempotencyStore({ ttlMs: 60_000, maxEntries: 5_000, maxBytes: 1 << 20 });
    for (let i = 0; i < 50_000; i++) store.tryLead(`k${i}`, 'h')?.fail(new Error('upstream down'));
    assert.equal(store.size, 0);
    assert.ok(store.tryLead('k0', 'h'));
  });

  test('a replay after the leader finished is read back whole: answer, served record, and the body check', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    const recorder = new StreamRecorder(1 << 20);
    for (const chunk of ['{"a":1}', '{"b":"ü"}']) recorder.add(chunk);
    const answer = recorder.pack();
    assert.ok(answer);
    store.tryLead('k', 'h')?.complete({ answer, served: served('r1') });
    const replay = await store.claim('k', 'h', NEVER);
    assert.equal(replay.role, 'replay');
    if (replay.role === 'replay' && replay.recorded.answer.kind === 'stream') {
      assert.deepEqual(streamChunks(replay.recorded.answer), ['{"a":1}', '{"b":"ü"}']);
      assert.deepEqual(replay.recorded.served, JSON.parse(JSON.stringify(served('r1'))));
    } else {
      assert.fail(`a stream replay, not ${replay.role}`);
    }
    await assert.rejects(store.claim('k', 'other', NEVER), (err) => err instanceof GatewayError && err.code === 'idempotency_key_reused');
  });

  test('a follower whose own client leaves stops waiting', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    await store.claim('k', 'h', NEVER);
    const cancel = new CancelSource();
    const follower = store.claim('k', 'h', cancel);
    cancel.abort();
    await assert.rejects(follower, (err) => err instanceof GatewayError && err.code === 'client_closed');
  });
});

/**
 * A stream's chunk texts as OpenAI sends them: the role, a chunk per word, the finish, then the
 * usage; with `padding`, each word chunk ends in an `obfuscation` string, as OpenAI's do by default.
 */
function openAiChunks(words: string[], padding?: (i: number) => string): string[] {
  const chunk = (delta: object, finishReason: string | null, extra: object = {}) =>
    JSON.stringify({ id: 'chatcmpl-Bx9', object: 'chat.completion.chunk', created: 1_764_000_000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_44709d6fcb', choices: 'usage' in extra ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra });
  return [
    chunk({ role: 'assistant', content: '', refusal: null }, null),
    ...words.map((content, i) => chunk({ content }, null, padding ? { obfuscation: padding(i) } : {})),
    chunk({}, 'stop'),
    chunk({}, null, { usage: { prompt_tokens: 9, completion_tokens: words.length, total_tokens: 9 + words.length } }),
  ];
}

/** `chunks` recorded and packed, after checking that both the recorder and the packed stream give them back as they were. */
function recordedWhole(chunks: string[]): KeptStream {
  const recorder = new StreamRecorder(1 << 20);
  for (const chunk of chunks) recorder.add(chunk);
  assert.deepEqual(recorder.texts(), chunks, 'read back while recording');
  const packed = recorder.pack();
  assert.ok(packed);
  assert.deepEqual(streamChunks(packed), chunks, 'read back once packed');
  return packed;
}
