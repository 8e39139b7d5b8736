/**
 * The mock's Bedrock dialect with cache points, on the wire (no adapter in between): points in
 * tools, system and messages are taken and cost no tokens; the prompt up to the last point is
 * written to the cache, then read, whole and streamed; what Bedrock refuses is a ValidationException.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';

const KEY = 'bedrock-cache-points-key-3c9d';
const SONNET_45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA_PRO = 'amazon.nova-pro-v1:0';
const POINT = { cachePoint: { type: 'default' } };
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Over 1,024 tokens at about four characters a token. */
const LONG_RULES = `You answer questions about the codebase. ${'Read the code before you change it; keep every change small. '.repeat(80)}`;

const tool = (name: string) => ({ toolSpec: { name, inputSchema: { json: { type: 'object' } } } });

interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  cacheDetails: { ttl: string; inputTokens: number }[];
}

describe("the mock's Bedrock dialect with cache points", () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockServer({ name: 'bedrock-mock', apiKey: KEY });
  });
  after(() => mock.close());

  function post(model: string, operation: string, body: object): Promise<Response> {
    return fetch(`${mock.origin}/model/${encodeURIComponent(model)}/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body),
    });
  }

  async function usage(model: string, body: object): Promise<Usage> {
    const res = await post(model, 'converse', body);
    const json = (await res.json()) as { usage: Usage; output: { message: { content: Array<{ text?: string }> } } };
    assert.equal(res.status, 200, JSON.stringify(json));
    assert.match(json.output.message.content[0]?.text ?? '', /^Mock answer/);
    return json.usage;
  }

  async function streamedUsage(model: string, body: object): Promise<Usage> {
    const res = await post(model, 'converse-stream', body);
    assert.equal(res.status, 200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    for (let offset = 0; offset < bytes.length; ) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(0);
      const message = codec.decode(bytes.subarray(offset, offset + length));
      if (message.headers[':event-type']?.value === 'metadata') return (JSON.parse(toUtf8(message.body)) as { usage: Usage }).usage;
      offset += length;
    }
    assert.fail('no metadata event');
  }

  async function refused(model: string, body: object, message: RegExp): Promise<void> {
    const res = await post(model, 'converse', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(res.headers.get('x-amzn-errortype') ?? '', /^ValidationException:/);
    assert.match(((await res.json()) as { message: string }).message, message);
  }

  test('cache points in tools, system and messages are taken, and are not read as text: a short prompt costs what it did without them', async () => {
    const plain = { toolConfig: { tools: [tool('a')] }, system: [{ text: 'Be brief.' }], messages: [{ role: 'user', content: [{ text: 'hello there' }] }] };
    const marked = { toolConfig: { tools: [tool('a'), POINT] }, system: [{ text: 'Be brief.' }, POINT], messages: [{ role: 'user', content: [{ text: 'hello there' }, POINT] }] };
    const without = await usage(SONNET_45, plain);
    const withPoints = await usage(SONNET_45, marked);
    assert.deepEqual(withPoints, without, 'under 1,024 tokens nothing is cached, and a point is no text');
    const nova = await usage(NOVA_PRO, { ...marked, toolConfig: plain.toolConfig });
    assert.deepEqual([nova.inputTokens, nova.cacheReadInputTokens, nova.cacheWriteInputTokens], [without.inputTokens, 0, 0]);
  });

  test('the prompt up to the last point is written, then read; inputTokens leaves both out; whole and streamed', async () => {
    const ask = (question: string) => ({ system: [{ text: LONG_RULES }, POINT], messages: [{ role: 'user', content: [{ text: question }] }] });
    const first = await usage(SONNET_45, ask('What does main.ts do?'));
    assert.ok(first.cacheWriteInputTokens > 1024, JSON.stringify(first));
    assert.equal(first.cacheReadInputTokens, 0);
    assert.equal(first.totalTokens, first.inputTokens + first.cacheWriteInputTokens + first.outputTokens);

    const second = await usage(SONNET_45, ask('And util.ts?'));
    assert.equal(second.cacheReadInputTokens, first.cacheWriteInputTokens, 'the system prompt read back');
    assert.equal(second.cacheWriteInputTokens, 0, 'nothing marked past it');
    assert.ok(second.inputTokens < first.cacheWriteInputTokens, JSON.stringify(second));

    const streamed = await streamedUsage(SONNET_45, ask('And index.ts?'));
    assert.equal(streamed.cacheReadInputTokens, first.cacheWriteInputTokens);
    assert.equal(streamed.cacheWriteInputTokens, 0);
    assert.ok(streamed.inputTokens < first.cacheWriteInputTokens, JSON.stringify(streamed));

    assert.deepEqual(first.cacheDetails, [{ ttl: '5m', inputTokens: first.cacheWriteInputTokens }], 'written with the default ttl');
    assert.deepEqual(second.cacheDetails, [], 'nothing written');

    // Another model caches apart: the same prompt is written again.
    const opus = await usage('us.anthropic.claude-opus-4-6-v1', ask('What does main.ts do?'));
    assert.equal(opus.cacheWriteInputTokens, first.cacheWriteInputTokens);
  });

  test('a point in the last user turn writes the prompt past the cached system prompt, and the longest cached prefix is read', async () => {
    const rules = `${LONG_RULES} (second set)`;
    const ask = { system: [{ text: rules }, POINT], messages: [{ role: 'user', content: [{ text: 'Summarise the rules.' }, POINT] }] };
    const first = await streamedUsage(NOVA_PRO, { system: ask.system, messages: [{ role: 'user', content: [{ text: 'Hi.' }] }] });
    assert.ok(first.cacheWriteInputTokens > 1024, JSON.stringify(first));
    const second = await streamedUsage(NOVA_PRO, ask);
    assert.equal(second.cacheReadInputTokens, first.cacheWriteInputTokens, 'the system prompt, read');
    assert.ok(second.cacheWriteInputTokens > 0, 'the user turn, written');
    const third = await usage(NOVA_PRO, ask);
    assert.equal(third.cacheReadInputTokens, second.cacheReadInputTokens + second.cacheWriteInputTokens, 'all of it read');
    assert.equal(third.cacheWriteInputTokens, 0);
  });

  test("prefixes follow Converse's order, tools first: a new system prompt still reads the cached tools", async () => {
    const manual = { toolSpec: { name: 'read_manual', description: LONG_RULES, inputSchema: { json: { type: 'object' } } } };
    const ask = (rules: string) => ({ toolConfig: { tools: [manual, POINT] }, system: [{ text: rules }, POINT], messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    const first = await usage(SONNET_45, ask('Be brief.'));
    assert.ok(first.cacheWriteInputTokens > 1024, JSON.stringify(first));
    const second = await usage(SONNET_45, ask('Be thorough.'));
    assert.ok(second.cacheReadInputTokens > 1024, 'the tools, read');
    assert.ok(second.cacheReadInputTokens < first.cacheWriteInputTokens, 'not the old system prompt');
    assert.ok(second.cacheWriteInputTokens > 0 && second.cacheWriteInputTokens < 20, 'the new system prompt, written');
  });

  test('a cache point for a model without prompt caching is refused', async () => {
    const ask = { system: [{ text: 'rules' }, POINT], messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
    for (const model of ['meta.llama3-3-70b-instruct-v1:0', 'mistral.mistral-large-2407-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0']) {
      await refused(model, ask, /You invoked an unsupported model, or your request did not allow prompt caching/);
    }
    assert.ok(await usage('meta.llama3-3-70b-instruct-v1:0', { messages: ask.messages }), 'without the point, the same request is answered');
  });

  test('more than 4 cache points are refused', async () => {
    const content = [{ text: 'a' }, POINT, { text: 'b' }, POINT, { text: 'c' }, POINT];
    await refused(SONNET_45, { system: [{ text: 'rules' }, POINT], messages: [{ role: 'user', content: [...content, { text: 'd' }, POINT] }] }, /5 cache points; at most 4/);
    assert.ok(await usage(SONNET_45, { system: [{ text: 'rules' }, POINT], messages: [{ role: 'user', content }] }), 'four are taken');
  });

  test("Nova refuses a point among the tools or right after a toolResult; none is taken inside a toolResult's content; a point is of type default", async () => {
    const toolLoop = (results: object[]) => ({
      toolConfig: { tools: [tool('lookup')] },
      messages: [
        { role: 'user', content: [{ text: 'look it up' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'lookup', input: {} } }] },
        { role: 'user', content: results },
      ],
    });
    const result = { toolResult: { toolUseId: 't1', content: [{ text: 'found' }] } };
    await refused(NOVA_PRO, { ...toolLoop([result]), toolConfig: { tools: [tool('lookup'), POINT] } }, /#\/toolConfig\/tools\/1: extraneous key \[cachePoint\] is not permitted/);
    await refused(NOVA_PRO, toolLoop([result, POINT]), /#\/messages\/2\/content\/1: extraneous key \[cachePoint\]/);
    assert.ok(await usage(SONNET_45, { ...toolLoop([result, POINT]), toolConfig: { tools: [tool('lookup'), POINT] } }), 'Claude takes both');
    const inside = { toolResult: { toolUseId: 't1', content: [{ text: 'found' }, POINT] } };
    await refused(SONNET_45, toolLoop([inside]), /#\/messages\/2\/content\/0\/toolResult\/content\/1: extraneous key \[cachePoint\]/);
    await refused(SONNET_45, { messages: [{ role: 'user', content: [{ text: 'hi' }, { cachePoint: { type: 'ephemeral' } }] }] }, /Member must satisfy enum value set: \[default\]/);
  });

  test('writes up to the last 1-hour point are 1-hour writes in cacheDetails, 1h first', async () => {
    const hourPoint = { cachePoint: { type: 'default', ttl: '1h' } };
    const body = { system: [{ text: `Hourly. ${LONG_RULES}` }, hourPoint], messages: [{ role: 'user', content: [{ text: `Today's notes. ${LONG_RULES}` }, POINT] }] };
    const first = await usage(SONNET_45, body);
    const [hour, minutes] = first.cacheDetails;
    assert.equal(hour?.ttl, '1h', JSON.stringify(first));
    assert.equal(minutes?.ttl, '5m', JSON.stringify(first));
    assert.ok((hour?.inputTokens ?? 0) > 1024 && (minutes?.inputTokens ?? 0) > 1024, JSON.stringify(first));
    assert.equal((hour?.inputTokens ?? 0) + (minutes?.inputTokens ?? 0), first.cacheWriteInputTokens);
  });
});
