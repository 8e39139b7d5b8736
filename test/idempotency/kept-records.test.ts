/**
 * The idempotency store's kept answers, written as bytes into reused buffers: what goes in comes
 * back out, the limits hold, and nothing of a kept request stays on the heap but its key.
 */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, mock, test } from 'node:test';
import { StreamRecorder, keptCompletion, streamChunks } from '../../src/cache/response-cache.js';
import { CHUNK_BYTES, KeptRecords, type Recorded } from '../../src/idempotency/kept-records.js';
import type { Served } from '../../src/gateway/served.js';

const LATER = 60_000;

function servedFor(requestId: string): Served {
  return {
    requestId,
    route: 'chat',
    deployment: 'backup',
    provider: 'mock-b',
    hop: 2,
    fallbackReason: 'upstream_5xx',
    attempts: [
      { hop: 1, step: 'deployment', deployment: 'primary', provider: 'mock-a', model: 'm-1', outcome: 'failed', shape: 'upstream_5xx', status: 502, upstreamStatus: 503, code: 'upstream_error', message: 'Service unavailable – réessayez', attempt: 1, startedAt: 1_764_000_000_123, durationMs: 1.25, billable: true, billedUsage: { inputTokens: 12, outputTokens: 0, cachedInputTokens: 0 } },
      { hop: 2, step: 'deployment', deployment: 'backup', provider: 'mock-b', model: 'm-2', outcome: 'served', attempt: 1, startedAt: 1_764_000_000_125, durationMs: 3.5 },
    ],
  };
}

function completion(requestId: string, text = `{"id":"chatcmpl-${requestId}","choices":[{"message":{"content":"héllo 👋"}}]}`): Recorded {
  return { answer: keptCompletion(text), served: servedFor(requestId) };
}

function stream(requestId: string, chunks: string[]): Recorded {
  const recorder = new StreamRecorder(1 << 20);
  for (const chunk of chunks) recorder.add(chunk);
  const answer = recorder.pack();
  assert.ok(answer);
  return { answer, served: servedFor(requestId) };
}

/** What JSON keeps of a record: a served record's undefined fields are not written. */
function asRead(recorded: Recorded): Recorded {
  return { answer: recorded.answer, served: JSON.parse(JSON.stringify(recorded.served)) as Served };
}

describe('kept records', () => {
  test('a completion and a stream read back as they were kept, with their body hash', () => {
    const kept = new KeptRecords({ maxEntries: 10, maxBytes: 1 << 20 });
    const one = completion('r1');
    const two = stream('r2', ['{"choices":[{"delta":{"content":"ça"}}]}', '', '{"choices":[{"delta":{"content":" va 🙂"}}]}']);
    kept.keep('k1', 'hash-1', one, LATER, 0);
    kept.keep('k2', 'hash-2', two, LATER, 0);
    assert.deepEqual(kept.read('k1', 1), { bodyHash: 'hash-1', recorded: asRead(one) });
    assert.deepEqual(kept.read('k2', 1), { bodyHash: 'hash-2', recorded: asRead(two) });
    assert.equal(kept.read('k3', 1), undefined);
    assert.equal(kept.size, 2);
  });

  test('a record read back is a copy: evicting it and writing over its bytes does not change it', () => {
    const kept = new KeptRecords({ maxEntries: 1, maxBytes: 1 << 20 });
    kept.keep('k0', 'h', completion('r0', 'first answer'), LATER, 0);
    const read = kept.read('k0', 0);
    for (let i = 1; i < 2_000; i++) kept.keep(`k${i}`, 'h', completion(`r${i}`, `answer number ${i}`), LATER, 0);
    assert.equal(kept.read('k0', 0), undefined);
    assert.equal(read?.recorded.answer.body.toString(), 'first answer');
    assert.equal(read?.recorded.served.requestId, 'r0');
    assert.equal(kept.read('k1999', 0)?.recorded.answer.body.toString(), 'answer number 1999');
  });

  test('bounded by count: the newest are kept, oldest first out, through many more than it holds', () => {
    const kept = new KeptRecords({ maxEntries: 50, maxBytes: 1 << 20 });
    for (let i = 0; i < 5_000; i++) kept.keep(`k${i}`, 'h', completion(`r${i}`), LATER, 0);
    assert.equal(kept.size, 50);
    assert.equal(kept.has('k4949', 0), false);
    for (let i = 4_950; i < 5_000; i++) assert.equal(kept.read(`k${i}`, 0)?.recorded.served.requestId, `r${i}`);
  });

  test('bounded by bytes: the oldest go first, and a record over the cap on its own is not kept', () => {
    const one = completion('r', 'x'.repeat(1_000));
    const size = 1 + Buffer.byteLength(JSON.stringify(one.served)) + 1_000;
    const kept = new KeptRecords({ maxEntries: 100, maxBytes: 3 * size });
    for (let i = 0; i < 5; i++) kept.keep(`k${i}`, 'h', one, LATER, 0);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => kept.has(`k${i}`, 0)),
      [false, false, true, true, true],
    );
    kept.keep('huge', 'h', completion('r', 'y'.repeat(3 * size)), LATER, 0);
    assert.equal(kept.has('huge', 0), false);
    assert.equal(kept.size, 3, 'the others stay');
    assert.ok(kept.has('k4', 0));
  });

  test('a framed stream reads back whole, and streams are counted to the byte through many evictions', () => {
    const words = ['Hel', 'lo', ' 🙂', ' wörld', '!'];
    const chunks = ['{"id":"c1","choices":[{"delta":{"role":"assistant"}}]}', ...words.map((word) => `{"id":"c1","choices":[{"delta":{"content":"${word}"},"finish_reason":null}]}`)];
    const one = stream('r', chunks);
    assert.ok(one.answer.kind === 'stream' && one.answer.headBytes > 0, 'framed');
    assert.ok(one.answer.marks.length === chunks.length);
    const alone = new KeptRecords({ maxEntries: 100, maxBytes: 1 << 20 });
    alone.keep('k', 'h', one, LATER, 0);
    const size = alone.byteCount;
    const fixed = 1 + Buffer.byteLength(JSON.stringify(one.served)) + one.answer.body.length + 8;
    // Each mark a varint of its part's length and kind: a byte for a short part, two for a whole chunk.
    assert.ok(size >= fixed + one.answer.marks.length && size <= fixed + 2 * one.answer.marks.length, `${size} bytes for ${one.answer.marks.length} marks`);
    const kept = new KeptRecords({ maxEntries: 100, maxBytes: 3 * size });
    for (let i = 0; i < 1_000; i++) kept.keep(`k${i}`, 'h', one, LATER, 0);
    assert.equal(kept.size, 3, 'exactly three fit, after 997 evictions');
    assert.equal(kept.byteCount, 3 * size, 'counted to the byte');
    const read = kept.read('k999', 0);
    assert.ok(read?.recorded.answer.kind === 'stream');
    assert.deepEqual(streamChunks(read.recorded.answer), chunks);
  });

  test("a stream's marks read back across every varint length, one byte to four", () => {
    // Whole chunks whose lengths times four cross 2^7, 2^14 and 2^21.
    const chunks = ['a'.repeat(31), 'b'.repeat(32), 'c'.repeat(4_095), 'd'.repeat(4_096), 'e'.repeat(524_287), 'f'.repeat(400_000)];
    const one = stream('r', chunks);
    const kept = new KeptRecords({ maxEntries: 10, maxBytes: 4 << 20 });
    kept.keep('k', 'h', one, LATER, 0);
    const read = kept.read('k', 0);
    assert.ok(read?.recorded.answer.kind === 'stream' && one.answer.kind === 'stream');
    assert.deepEqual(read.recorded.answer.marks, one.answer.marks);
    assert.deepEqual(streamChunks(read.recorded.answer), chunks);
  });

  test('a record expires at its time; keeping another drops the expired ones at the front', () => {
    const kept = new KeptRecords({ maxEntries: 100, maxBytes: 1 << 20 });
    kept.keep('a', 'h', completion('a'), 100, 0);
    kept.keep('b', 'h', completion('b'), 200, 0);
    assert.ok(kept.has('a', 99));
    assert.equal(kept.read('a', 100), undefined);
    assert.equal(kept.size, 1);
    kept.keep('c', 'h', completion('c'), 1_000, 250);
    assert.equal(kept.size, 1, 'b expired and was dropped when c was kept');
    assert.ok(kept.has('c', 250));
  });

  test('a record removed out of order (a shorter TTL) leaves the order of the others intact', () => {
    const kept = new KeptRecords({ maxEntries: 3, maxBytes: 1 << 20 });
    kept.keep('a', 'h', completion('a'), LATER, 0);
    kept.keep('short', 'h', completion('s'), 10, 0);
    kept.keep('c', 'h', completion('c'), LATER, 0);
    assert.equal(kept.has('short', 20), false);
    kept.keep('d', 'h', completion('d'), LATER, 20);
    assert.deepEqual(
      ['a', 'short', 'c', 'd'].map((key) => kept.has(key, 20)),
      [true, false, true, true],
    );
    kept.keep('e', 'h', completion('e'), LATER, 20);
    assert.deepEqual(
      ['a', 'c', 'd', 'e'].map((key) => kept.has(key, 20)),
      [false, true, true, true],
    );
    kept.remove('d');
    assert.equal(kept.size, 2);
  });

  test('a key kept again replaces its record', () => {
    const kept = new KeptRecords({ maxEntries: 10, maxBytes: 1 << 20 });
    kept.keep('k', 'h1', completion('r1', 'one'), LATER, 0);
    kept.keep('k', 'h2', completion('r2', 'two'), LATER, 0);
    assert.equal(kept.size, 1);
    assert.equal(kept.read('k', 0)?.bodyHash, 'h2');
    assert.equal(kept.read('k', 0)?.recorded.answer.body.toString(), 'two');
  });

  test('new limits (a reload) keep the newest records, and the ring grows back afterwards', () => {
    const kept = new KeptRecords({ maxEntries: 5_000, maxBytes: 1 << 24 });
    for (let i = 0; i < 1_000; i++) kept.keep(`k${i}`, 'h', completion(`r${i}`), LATER, 0);
    assert.equal(kept.size, 1_000);
    kept.configure({ maxEntries: 10, maxBytes: 1 << 24 });
    assert.equal(kept.size, 10);
    assert.ok(kept.has('k990', 0));
    assert.equal(kept.has('k989', 0), false);
    kept.configure({ maxEntries: 600, maxBytes: 1 << 24 });
    for (let i = 1_000; i < 1_590; i++) kept.keep(`k${i}`, 'h', completion(`r${i}`), LATER, 0);
    assert.equal(kept.size, 600);
    assert.ok(kept.has('k990', 0), 'the records kept through the reload are still there');
    kept.keep('k1590', 'h', completion('r1590'), LATER, 0);
    assert.equal(kept.has('k990', 0), false, 'and go first when it is full');
    assert.equal(kept.read('k1590', 0)?.recorded.served.requestId, 'r1590');
  });

  test('buffers are reused: a steady flow of records makes no new chunk once the first ones fill', () => {
    const kept = new KeptRecords({ maxEntries: 200, maxBytes: 1 << 24 });
    const text = 'z'.repeat(4_000);
    const made = mock.method(Buffer, 'allocUnsafeSlow');
    try {
      const chunksMade = () => made.mock.calls.filter((call) => call.arguments[0] === CHUNK_BYTES).length;
      for (let i = 0; i < 1_000; i++) kept.keep(`k${i}`, 'h', completion(`r${i}`, text), LATER, 0);
      const warm = chunksMade();
      assert.ok(warm >= 4, `200 records of 4 KB fill several chunks (${warm} made)`);
      for (let i = 1_000; i < 20_000; i++) kept.keep(`k${i}`, 'h', completion(`r${i}`, text), LATER, 0);
      assert.equal(chunksMade(), warm, '19,000 more records, no new chunk');
      assert.equal(kept.size, 200);
    } finally {
      made.mock.restore();
    }
  });

  test('nothing of a kept request stays on the heap: its served record and answer die young', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const kept = new KeptRecords({ maxEntries: 100, maxBytes: 1 << 20 });
    // Kept from a function of its own: a suspended async function's frame would hold the last one.
    const keepFifty = () => {
      const refs: WeakRef<object>[] = [];
      for (let i = 0; i < 50; i++) {
        const recorded = completion(`r${i}`);
        refs.push(new WeakRef(recorded.served), new WeakRef(recorded.served.attempts), new WeakRef(recorded.answer.body));
        kept.keep(`k${i}`, 'h', recorded, LATER, 0);
      }
      return refs;
    };
    const refs = keepFifty();
    // WeakRef targets are kept until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.deepEqual(refs.flatMap((ref, i) => (ref.deref() !== undefined ? [i] : [])), []);
    assert.equal(kept.read('k0', 0)?.recorded.served.attempts.length, 2, 'yet every record reads back');
  });
});
