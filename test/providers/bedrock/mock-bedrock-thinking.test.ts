/**
 * The mock's Bedrock dialect with Claude's extended thinking, on the wire (no adapter in between):
 * a request that asks for thinking is answered with a signed reasoningContent block first, whole
 * and streamed; what Claude on Bedrock refuses is a ValidationException.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';

const KEY = 'bedrock-thinking-key-71b2';
const MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const codec = new EventStreamCodec(toUtf8, fromUtf8);

const budget = (budget_tokens: number) => ({ thinking: { type: 'enabled', budget_tokens } });
const ask = (extra: object = {}) => ({ messages: [{ role: 'user', content: [{ text: 'weather in Oslo?' }] }], inferenceConfig: { maxTokens: 8000 }, additionalModelRequestFields: budget(2048), ...extra });

interface ReasoningText {
  text: string;
  signature: string;
}

interface ConverseAnswer {
  output: { message: { content: Array<{ text?: string; toolUse?: { toolUseId: string; name: string; input: unknown }; reasoningContent?: { reasoningText: ReasoningText } }> } };
  stopReason: string;
}

describe("the mock's Bedrock dialect with thinking", () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockServer({ name: 'bedrock-mock', apiKey: KEY });
  });
  after(() => mock.close());

  function post(operation: string, body: object): Promise<Response> {
    return fetch(`${mock.origin}/model/${encodeURIComponent(MODEL)}/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body),
    });
  }

  async function refused(body: object, message: RegExp): Promise<void> {
    const res = await post('converse', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(res.headers.get('x-amzn-errortype') ?? '', /^ValidationException:/);
    assert.match(((await res.json()) as { message: string }).message, message);
  }

  /** A first answer with thinking and a tool call, and the request that sends its result back after the assistant turn `prefix` starts with. */
  async function toolLoop(): Promise<{ reasoning: ReasoningText; next: (prefix: object[]) => object }> {
    const tools = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] };
    const question = { role: 'user', content: [{ text: 'weather in Oslo? use get_weather' }] };
    const first = (await (await post('converse', ask({ toolConfig: tools, messages: [question] }))).json()) as ConverseAnswer;
    const [reasoning, call] = first.output.message.content;
    assert.ok(reasoning?.reasoningContent && call?.toolUse, 'reasoning, then the tool call');
    const next = (prefix: object[]) =>
      ask({
        toolConfig: tools,
        messages: [
          question,
          { role: 'assistant', content: [...prefix, { toolUse: call.toolUse }] },
          { role: 'user', content: [{ toolResult: { toolUseId: call.toolUse?.toolUseId, content: [{ text: '4°C' }] } }] },
        ],
      });
    return { reasoning: reasoning.reasoningContent.reasoningText, next };
  }

  test('Converse with thinking answers a signed reasoningContent block first, then the answer', async () => {
    mock.setFaults([]);
    const res = await post('converse', ask());
    assert.equal(res.status, 200);
    const body = (await res.json()) as ConverseAnswer;
    const [reasoning, text] = body.output.message.content;
    assert.match(reasoning?.reasoningContent?.reasoningText.text ?? '', /^Mock reasoning about "weather in Oslo\?"/);
    assert.match(reasoning?.reasoningContent?.reasoningText.signature ?? '', /^[A-Za-z0-9+/]+=*\.[A-Za-z0-9+/]{43}=$/, 'the text and an HMAC-SHA256, in base64');
    assert.match(text?.text ?? '', /^Mock answer from bedrock-mock/);
    const plain = (await (await post('converse', { messages: ask().messages })).json()) as ConverseAnswer;
    assert.equal(plain.output.message.content[0]?.reasoningContent, undefined, 'no thinking asked, none given');
  });

  test('ConverseStream with thinking streams the reasoning text, then its signature, as block 0; the answer is block 1', async () => {
    mock.setFaults([]);
    const bytes = new Uint8Array(await (await post('converse-stream', ask({ additionalModelRequestFields: { thinking: { type: 'adaptive' }, output_config: { effort: 'high' } } }))).arrayBuffer());
    const messages: Message[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(0);
      messages.push(codec.decode(bytes.subarray(offset, offset + length)));
      offset += length;
    }
    const events = messages.map((message) => ({ type: message.headers[':event-type']?.value, payload: JSON.parse(toUtf8(message.body)) as { contentBlockIndex?: number; delta?: { text?: string; reasoningContent?: { text?: string; signature?: string } } } }));
    const reasoning = events.filter((event) => event.payload.delta?.reasoningContent !== undefined);
    assert.ok(reasoning.length >= 3 && reasoning.every((event) => event.payload.contentBlockIndex === 0));
    assert.match(reasoning.map((event) => event.payload.delta?.reasoningContent?.text ?? '').join(''), /^Mock reasoning about/);
    assert.ok(reasoning.at(-1)?.payload.delta?.reasoningContent?.signature, 'the signature comes last');
    const stops = events.filter((event) => event.type === 'contentBlockStop').map((event) => event.payload.contentBlockIndex);
    assert.deepEqual(stops, [0, 1]);
    assert.match(events.filter((event) => event.payload.delta?.text !== undefined).map((event) => event.payload.delta?.text).join(''), /^Mock answer from bedrock-mock/);
  });

  test('a budget under 1,024 or not under maxTokens (4096 when unset), and an unknown thinking type, are ValidationExceptions', async () => {
    mock.setFaults([]);
    await refused(ask({ additionalModelRequestFields: budget(1000) }), /budget_tokens: must be an integer of at least 1024/);
    await refused(ask({ inferenceConfig: { maxTokens: 2048 } }), /maxTokens \(2048\) must be greater than thinking\.budget_tokens \(2048\)/);
    await refused(ask({ inferenceConfig: undefined, additionalModelRequestFields: budget(5000) }), /maxTokens \(4096\)/);
    await refused(ask({ additionalModelRequestFields: { thinking: { type: 'sometimes' } } }), /thinking\.type/);
    await refused(ask({ additionalModelRequestFields: { thinking: { type: 'adaptive' }, output_config: { effort: 'huge' } } }), /output_config\.effort/);
  });

  test('with thinking, a temperature other than 1, a topP under 0.95 and a forced tool are ValidationExceptions', async () => {
    mock.setFaults([]);
    await refused(ask({ inferenceConfig: { maxTokens: 8000, temperature: 0.5 } }), /temperature may only be 1/);
    await refused(ask({ inferenceConfig: { maxTokens: 8000, topP: 0.9 } }), /topP must be at least 0\.95/);
    await refused(ask({ toolConfig: { tools: [{ toolSpec: { name: 'f', inputSchema: { json: {} } } }], toolChoice: { any: {} } } }), /forces the use of a tool/);
    const ok = await post('converse', ask({ inferenceConfig: { maxTokens: 8000, temperature: 1, topP: 0.95 } }));
    assert.equal(ok.status, 200);
  });

  test('in a tool loop, the signed reasoning sent back is checked, and an assistant turn without it is refused', async () => {
    mock.setFaults([]);
    const { reasoning, next } = await toolLoop();
    const replayed = { reasoningContent: { reasoningText: reasoning } };
    const res = await post('converse', next([replayed]));
    assert.equal(res.status, 200, 'the mock’s own signature checks out');
    const withCall = (await res.json()) as ConverseAnswer;
    assert.ok(withCall.output.message.content[0]?.reasoningContent, 'thinking goes on');

    await refused(next([{ reasoningContent: { reasoningText: { ...reasoning, text: `${reasoning.text} (edited)` } } }]), /messages\.1\.content\.0: the signature of the reasoningText block does not match/);
    await refused(next([{ reasoningContent: { reasoningText: { text: reasoning.text } } }]), /needs its signature/);
    await refused(next([]), /messages\.1\.content\.0: with thinking enabled, the assistant turn before the tool results must start with its reasoningContent block/);
    const withoutThinking = await post('converse', { ...next([]), additionalModelRequestFields: undefined });
    assert.equal(withoutThinking.status, 200, 'without thinking the loop needs no reasoning');
  });
});
