/**
 * The mock's Bedrock dialect on the wire, read raw (no adapter in between): every fault answers in
 * Bedrock's own words (status, `x-amzn-errortype`, `{"message"}`), and ConverseStream is binary
 * event-stream frames, an exception frame included.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { FaultSpec } from '../../../src/providers/mock/index.js';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';

const KEY = 'bedrock-dialect-key-3c9a';
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const converse = { messages: [{ role: 'user', content: [{ text: 'hello bedrock' }] }], inferenceConfig: { maxTokens: 200 } };
const codec = new EventStreamCodec(toUtf8, fromUtf8);

describe("the mock's Bedrock dialect", () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockServer({ name: 'bedrock-mock', apiKey: KEY });
  });
  after(() => mock.close());

  function post(operation: string, body: object, model = MODEL): Promise<Response> {
    return fetch(`${mock.origin}/model/${encodeURIComponent(model)}/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body),
    });
  }

  async function frames(res: Response): Promise<Message[]> {
    const bytes = new Uint8Array(await res.arrayBuffer());
    const out: Message[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(0);
      out.push(codec.decode(bytes.subarray(offset, offset + length)));
      offset += length;
    }
    return out;
  }

  const header = (message: Message, name: string) => message.headers[name]?.value;
  const payload = (message: Message) => JSON.parse(toUtf8(message.body)) as Record<string, unknown>;

  test('Converse answers with output.message, stopReason, usage and a request id header', async () => {
    mock.setFaults([]);
    const res = await post('converse', converse);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { output: { message: { role: string; content: Array<{ text: string }> } }; stopReason: string; usage: Record<string, number> };
    assert.equal(body.output.message.role, 'assistant');
    assert.match(body.output.message.content[0]?.text ?? '', /^Mock answer from bedrock-mock \(anthropic\.claude-3-5-sonnet-20240620-v1:0\): hello bedrock/);
    assert.equal(body.stopReason, 'end_turn');
    assert.ok((body.usage.inputTokens ?? 0) > 0 && body.usage.totalTokens === (body.usage.inputTokens ?? 0) + (body.usage.outputTokens ?? 0));
  });

  test('ConverseStream is application/vnd.amazon.eventstream: messageStart, deltas, contentBlockStop, messageStop, metadata', async () => {
    mock.setFaults([]);
    const res = await post('converse-stream', converse);
    assert.equal(res.headers.get('content-type'), 'application/vnd.amazon.eventstream');
    const messages = await frames(res);
    const types = messages.map((message) => header(message, ':event-type'));
    assert.equal(types[0], 'messageStart');
    assert.deepEqual(types.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
    assert.ok(messages.every((message) => header(message, ':message-type') === 'event' && typeof payload(message).p === 'string'), 'every event is padded');
    const text = messages.filter((message) => header(message, ':event-type') === 'contentBlockDelta').map((message) => (payload(message).delta as { text: string }).text).join('');
    assert.match(text, /^Mock answer from bedrock-mock/);
    assert.equal(payload(messages.at(-2) as Message).stopReason, 'end_turn');
  });

  test('a stream_error fault ends the stream with a modelStreamErrorException frame', async () => {
    mock.setFaults([{ kind: 'stream_error', after_chunks: 2 }]);
    const messages = await frames(await post('converse-stream', converse));
    assert.equal(messages.length, 3);
    const last = messages[2] as Message;
    assert.equal(header(last, ':message-type'), 'exception');
    assert.equal(header(last, ':exception-type'), 'modelStreamErrorException');
    assert.equal(payload(last).originalStatusCode, 500);
  });

  test('each fault kind answers as Bedrock would', async () => {
    const cases: Array<[FaultSpec, number, string, RegExp]> = [
      [{ kind: 'rate_limit' }, 429, 'ThrottlingException', /^Too many requests/],
      [{ kind: 'error', status: 503 }, 503, 'ServiceUnavailableException', /^Bedrock is unable to process your request\.$/],
      [{ kind: 'error', status: 500 }, 500, 'InternalServerException', /unexpected error/],
      [{ kind: 'error', status: 502 }, 502, 'ModelErrorException', /model returned an error/],
      [{ kind: 'context_overflow' }, 400, 'ValidationException', /^Input is too long for requested model\.$/],
      [{ kind: 'quota' }, 400, 'ServiceQuotaExceededException', /exceeds the service quota/],
      [{ kind: 'auth' }, 403, 'UnrecognizedClientException', /security token included in the request is invalid/],
    ];
    for (const [fault, status, type, message] of cases) {
      mock.setFaults([fault]);
      const res = await post('converse', converse);
      assert.equal(res.status, status, fault.kind);
      assert.match(res.headers.get('x-amzn-errortype') ?? '', new RegExp(`^${type}:`), fault.kind);
      assert.match(((await res.json()) as { message: string }).message, message, fault.kind);
    }
  });

  test('a content_filter fault, in either mode, is a 200 with stopReason guardrail_intervened (Bedrock has no HTTP guardrail error)', async () => {
    for (const mode of ['error', 'finish_reason'] as const) {
      mock.setFaults([{ kind: 'content_filter', mode }]);
      const res = await post('converse', converse);
      assert.equal(res.status, 200, mode);
      const body = (await res.json()) as { stopReason: string; output: { message: { content: Array<{ text: string }> } } };
      assert.equal(body.stopReason, 'guardrail_intervened', mode);
      assert.equal(body.output.message.content[0]?.text, 'Sorry, the model cannot answer this question.');
    }
  });

  test('InvokeModel embeds with Titan (inputText) and Cohere (texts), with the token count header', async () => {
    mock.setFaults([]);
    const titan = await post('invoke', { inputText: 'embed me', dimensions: 256, normalize: true }, 'amazon.titan-embed-text-v2:0');
    assert.equal(titan.status, 200);
    assert.ok(Number(titan.headers.get('x-amzn-bedrock-input-token-count')) > 0);
    const titanBody = (await titan.json()) as { embedding: number[]; inputTextTokenCount: number };
    assert.equal(titanBody.embedding.length, 256);
    const cohere = await post('invoke', { texts: ['a', 'b'], input_type: 'search_query', embedding_types: ['float'] }, 'cohere.embed-multilingual-v3');
    const cohereBody = (await cohere.json()) as { embeddings: { float: number[][] }; response_type: string };
    assert.equal(cohereBody.response_type, 'embeddings_by_type');
    assert.equal(cohereBody.embeddings.float.length, 2);
    const chatModel = await post('invoke', { inputText: 'x' });
    assert.equal(chatModel.status, 400);
    assert.match(chatModel.headers.get('x-amzn-errortype') ?? '', /^ValidationException/);
  });

  test('a malformed Converse body is a ValidationException', async () => {
    mock.setFaults([]);
    const res = await post('converse', { messages: [] });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('x-amzn-errortype') ?? '', /^ValidationException/);
  });
});

describe('a Bedrock mock without a key', () => {
  test('accepts any SigV4 signature, unverified', async () => {
    const mock = await startMockServer();
    try {
      const res = await fetch(`${mock.origin}/model/${encodeURIComponent(MODEL)}/converse`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}` },
        body: JSON.stringify(converse),
      });
      assert.equal(res.status, 200);
    } finally {
      await mock.close();
    }
  });
});
