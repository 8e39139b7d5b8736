/**
 * The adapter conformance suite: every provider adapter runs its fixtures (targets.ts) through the
 * same checks: the request it sends upstream, and the canonical answer, stream or failure shape it
 * makes of the provider's reply.
 */
import { NEVER_CANCELLED, type Cancel } from '../../src/cancel.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GatewayError } from '../../src/errors.js';
import type { ChatBody, Provider, StreamChunk } from '../../src/providers/types.js';
import { CONFORMANCE_CASES, type ConformanceFixture, type ConformanceTarget, type ExpectedRequest } from './fixture.js';
import { assertSubset } from './match-subset.js';
import { startReplayServer, type RecordedRequest, type ReplayServer } from './replay-server.js';
import { CONFORMANCE_TARGETS } from './targets.js';

const TIMEOUTS = { firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 };

for (const target of CONFORMANCE_TARGETS) {
  describe(`conformance: ${target.provider}`, () => {
    let server: ReplayServer;
    let provider: Provider;
    before(async () => {
      server = await startReplayServer();
      provider = await target.create(server.origin);
    });
    after(async () => {
      await provider.close();
      await server.close();
    });
    it('covers every conformance case, or says why not', () => {
      const covered = new Set(target.fixtures.flatMap((fixture) => fixture.covers));
      const skipped = new Map((target.skip ?? []).map((skip) => [skip.case, skip.reason]));
      for (const [name, reason] of skipped) assert.ok(reason.trim().length > 0, `the skip of ${name} gives a reason`);
      const missing = CONFORMANCE_CASES.filter((name) => !covered.has(name) && !skipped.has(name));
      assert.deepEqual(missing, [], `cases with neither a fixture nor a skip reason`);
      if (skipped.size > 0) console.log(`# ${target.provider} skips: ${[...skipped].map(([name, reason]) => `${name} (${reason})`).join('; ')}`);
    });
    for (const fixture of target.fixtures) {
      it(fixture.name, async () => {
        server.answer(fixture.response);
        await runFixture(provider, fixture);
        assert.equal(server.received.length, 1, 'the adapter sends exactly one upstream request');
        checkRequest(server.received[0] as RecordedRequest, fixture.expectRequest);
      });
    }
  });
}

async function runFixture(provider: Provider, fixture: ConformanceFixture): Promise<void> {
  const call = { model: fixture.model, cancel: NEVER_CANCELLED, timeouts: TIMEOUTS };
  const { expect } = fixture;
  if (expect.type === 'error') {
    const err = await settle(() => invoke(provider, fixture, call));
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.shape, expect.shape, `failure shape (message: ${err.message})`);
    if (expect.status !== undefined) assert.equal(err.status, expect.status, 'client status');
    if (expect.retryAfterMs !== undefined) assert.equal(err.retryAfterMs, expect.retryAfterMs, 'retry-after');
    if (expect.message !== undefined) assert.match(err.message, typeof expect.message === 'string' ? new RegExp(escape(expect.message)) : expect.message);
    return;
  }
  if (fixture.call === 'chat') {
    assert.equal(expect.type, 'result', 'a chat fixture expects a result or an error');
    if (expect.type !== 'result') return;
    const result = await provider.chat({ ...call, body: fixture.request as ChatBody });
    const completion = JSON.parse(result.text) as unknown;
    assertSubset(completion, { object: 'chat.completion' }, 'canonical completion');
    if (expect.completion) assertSubset(completion, expect.completion, 'canonical completion');
    if (expect.id !== undefined) assert.equal(result.id, expect.id);
    if (expect.responseModel !== undefined) assert.equal(result.responseModel, expect.responseModel);
    if (expect.finishReasons) assert.deepEqual(result.finishReasons, expect.finishReasons);
    if (expect.usage) assert.deepEqual(result.usage, expect.usage);
    return;
  }
  if (fixture.call === 'embeddings') {
    assert.equal(expect.type, 'embeddings');
    if (expect.type !== 'embeddings') return;
    const result = await provider.embeddings({ ...call, body: fixture.request });
    if (expect.embeddings) assertSubset(JSON.parse(result.text), expect.embeddings, 'canonical embeddings');
    if (expect.usage) assert.deepEqual(result.usage, expect.usage);
    return;
  }
  assert.equal(expect.type, 'stream', 'a chatStream fixture expects a stream or an error');
  if (expect.type !== 'stream') return;
  const stream = await provider.chatStream({ ...call, body: { ...fixture.request, stream: true } as ChatBody });
  const chunks: StreamChunk[] = [];
  const failure = await settle(async () => {
    for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next()) chunks.push(next.value);
  });
  if (expect.error) {
    assert.ok(failure instanceof GatewayError, `expected the stream to fail, it ${failure === undefined ? 'ended cleanly' : `threw ${String(failure)}`}`);
    assert.equal(failure.shape, expect.error.shape, `stream failure shape (message: ${failure.message})`);
  } else if (failure !== undefined) {
    throw failure;
  }
  const summary = summarize(chunks);
  if (expect.text !== undefined) assert.equal(summary.text, expect.text, 'streamed text');
  if (expect.toolCalls) assert.deepEqual(summary.toolCalls, expect.toolCalls, 'streamed tool calls');
  if (expect.finishReason) assert.deepEqual(summary.finishReason, expect.finishReason, 'finish reason');
  if (expect.usage) assert.deepEqual(summary.usage, expect.usage, 'usage');
}

function invoke(provider: Provider, fixture: ConformanceFixture, call: { model: string; cancel: Cancel; timeouts: typeof TIMEOUTS }): Promise<unknown> {
  if (fixture.call === 'embeddings') return provider.embeddings({ ...call, body: fixture.request });
  if (fixture.call === 'chat') return provider.chat({ ...call, body: fixture.request as ChatBody });
  return (async () => {
    const stream = await provider.chatStream({ ...call, body: { ...fixture.request, stream: true } as ChatBody });
    for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next());
  })();
}

interface StreamSummary {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: StreamChunk['finishReason'];
  usage: StreamChunk['usage'];
}

/** Reassembles choice 0 from canonical chunks, checking each is a well-formed chat.completion.chunk. */
function summarize(chunks: StreamChunk[]): StreamSummary {
  const summary: StreamSummary = { text: '', toolCalls: [], finishReason: undefined, usage: undefined };
  for (const chunk of chunks) {
    const payload = JSON.parse(chunk.data) as { object?: string; choices?: Array<{ index: number; delta?: Record<string, unknown> }> };
    assert.equal(payload.object, 'chat.completion.chunk', `chunk object: ${chunk.data}`);
    assert.ok(Array.isArray(payload.choices), `chunk choices: ${chunk.data}`);
    const delta = payload.choices.find((choice) => choice.index === 0)?.delta;
    if (typeof delta?.content === 'string') summary.text += delta.content;
    const calls = (delta?.tool_calls ?? []) as Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    for (const call of calls) {
      const slot = (summary.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.name += call.function.name;
      if (call.function?.arguments) slot.arguments += call.function.arguments;
    }
    if (chunk.finishReason) summary.finishReason = chunk.finishReason;
    if (chunk.usage) summary.usage = chunk.usage;
  }
  return summary;
}

function checkRequest(request: RecordedRequest, expected: ExpectedRequest): void {
  assert.equal(request.method, expected.method, 'upstream method');
  assert.equal(request.path, expected.path, 'upstream path');
  for (const [name, value] of Object.entries(expected.query ?? {})) assert.equal(request.query.get(name), value, `query parameter ${name}`);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = request.headers[name];
    assert.ok(typeof actual === 'string', `header ${name} is sent`);
    if (typeof value === 'string') assert.equal(actual, value, `header ${name}`);
    else assert.match(actual, value, `header ${name}`);
  }
  for (const name of expected.absentHeaders ?? []) assert.equal(request.headers[name], undefined, `header ${name} must not be sent`);
  if (expected.body === undefined) return;
  const body = JSON.parse(request.bodyText) as unknown;
  if (typeof expected.body === 'function') expected.body(body);
  else assertSubset(body, expected.body, 'upstream body');
}

async function settle(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (err) {
    return err;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type { ConformanceTarget };
