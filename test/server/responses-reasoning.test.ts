/**
 * Reasoning on POST /v1/responses, with the real `openai` client (and the Vercel AI SDK's default
 * OpenAI model): reasoning items, whole and streamed, and reasoning items sent back as input. Over
 * the mock speaking Anthropic (it thinks when asked, signs its thinking and refuses a signature
 * that does not match), and a scripted OpenAI-compatible reasoning server (DeepSeek's shape: the
 * reasoning as `reasoning_content`, unsigned), to see exactly what reaches it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { APIError } from 'openai';
import type { ResponseInputItem, ResponseOutputItem, ResponseReasoningItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { ConfigInput } from '../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { chunkJson, completionJson, startRecordingUpstream, userRequests, type RecordingUpstream, type Responder } from '../helpers/recording-upstream.js';
import { sendJson } from '../helpers/scripted-answers.js';

const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };

const WEATHER = { type: 'function' as const, name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true };

/** What the gateway's encrypted_content starts with (src/server/responses/reasoning-envelope.ts). */
const OURS = 'switchyard.reasoning.v1:';

const THOUGHT = 'Two and two make four.';

/**
 * An OpenAI-compatible reasoning server (DeepSeek's reasoner, vLLM): its reasoning comes as
 * `reasoning_content`, unsigned, before a tool call when the request has tools and ends in the
 * user's turn, else before the text `Four.`.
 */
const reasoningServer: Responder = (req, res) => {
  const messages = req.body.messages as { role: string }[];
  const call = Array.isArray(req.body.tools) && messages.at(-1)?.role === 'user' ? { id: 'call_ds1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } } : undefined;
  if (req.body.stream !== true) {
    const message = { role: 'assistant', content: call ? null : 'Four.', reasoning_content: THOUGHT, ...(call && { tool_calls: [call] }) };
    sendJson(res, 200, completionJson('', 'deepseek-reasoner', { choices: [{ index: 0, message, logprobs: null, finish_reason: call ? 'tool_calls' : 'stop' }] }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${chunkJson({ role: 'assistant', content: null, reasoning_content: 'Two and two ' })}\n\n`);
  res.write(`data: ${chunkJson({ reasoning_content: 'make four.' })}\n\n`);
  res.write(`data: ${chunkJson(call ? { tool_calls: [{ index: 0, ...call }] } : { content: 'Four.' })}\n\n`);
  res.end(`data: ${chunkJson({}, call ? 'tool_calls' : 'stop')}\n\ndata: [DONE]\n\n`);
};

/** An Anthropic SSE event, as Anthropic's API writes it. */
const sse = (type: string, body: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`;

/**
 * Claude thinking between tool calls (interleaved thinking, as adaptive thinking does), streamed
 * as Anthropic's API streams it: a signed thinking block, a tool call, another signed thinking
 * block, another tool call.
 */
const interleavedClaude: Responder = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const thinking = (index: number, text: string, signature: string) => [
    sse('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    sse('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: text } }),
    sse('content_block_delta', { index, delta: { type: 'signature_delta', signature } }),
    sse('content_block_stop', { index }),
  ];
  const call = (index: number, id: string, city: string) => [
    sse('content_block_start', { index, content_block: { type: 'tool_use', id, name: 'get_weather', input: {} } }),
    sse('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify({ city }) } }),
    sse('content_block_stop', { index }),
  ];
  res.write(sse('message_start', { message: { id: 'msg_interleaved', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 20, output_tokens: 1 } } }));
  for (const event of [...thinking(0, 'Paris first.', 'sig-paris'), ...call(1, 'toolu_paris', 'Paris'), ...thinking(2, 'Now Oslo.', 'sig-oslo'), ...call(3, 'toolu_oslo', 'Oslo')]) res.write(event);
  res.write(sse('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 60 } }));
  res.end(sse('message_stop', {}));
};

/** An output item without its id (the whole and the streamed answers are two answers, with ids of their own). */
function withoutId(item: ResponseOutputItem): Record<string, unknown> {
  const { id: _id, ...rest } = item as ResponseOutputItem & { id?: string };
  return rest;
}

/** The event types, each run of deltas of one type counted once. */
function shapeOf(events: ResponseStreamEvent[]): string[] {
  return events.map((event) => event.type).filter((type, index, types) => !(type.endsWith('.delta') && types[index - 1] === type));
}

function reasoningOf(output: ResponseOutputItem[]): ResponseReasoningItem {
  const item = output[0];
  assert.ok(item?.type === 'reasoning', `the first output item is ${item?.type}`);
  return item;
}

/** The thinking blocks an encrypted_content of the gateway's carries. */
function blocksOf(item: ResponseReasoningItem): Array<{ type: string; thinking?: string; signature?: string }> {
  const encrypted = item.encrypted_content ?? '';
  assert.ok(encrypted.startsWith(OURS), encrypted);
  return JSON.parse(Buffer.from(encrypted.slice(OURS.length), 'base64').toString('utf8'));
}

describe('reasoning on POST /v1/responses', () => {
  let gw: GatewayFixture;
  let deepseek: RecordingUpstream;
  let interleaved: RecordingUpstream;

  before(async () => {
    deepseek = await startRecordingUpstream(reasoningServer);
    interleaved = await startRecordingUpstream(interleavedClaude);
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' } },
      providers: {
        claude: { type: 'mock', wire: 'anthropic', api_key: 'claude-mock-upstream-key-responses' },
        deepseek: { type: 'openai-compatible', api_key: 'sk-upstream-deepseek-0123456789', base_url: deepseek.url },
        interleaved: { type: 'anthropic', api_key: 'interleaved-anthropic-key-0123456789', base_url: interleaved.url },
      },
      deployments: {
        claude: { provider: 'claude', model: 'claude-sonnet-4-5' },
        deepseek: { provider: 'deepseek', model: 'deepseek-reasoner' },
        interleaved: { provider: 'interleaved', model: 'claude-sonnet-4-6' },
      },
      routes: {
        claude: { chain: ['claude'], timeouts: TIMEOUTS },
        deepseek: { chain: ['deepseek'], timeouts: TIMEOUTS },
        interleaved: { chain: ['interleaved'], timeouts: TIMEOUTS },
      },
    } as ConfigInput);
  });
  after(async () => {
    await gw.close();
    await Promise.all([deepseek.close(), interleaved.close()]);
  });

  describe("Claude (the mock's Anthropic dialect: signed thinking, signatures checked when sent back)", () => {
    test('thinking asked: a reasoning item before the message, its text in content (no summary asked), the signed block in encrypted_content', async () => {
      const response = await gw.client.responses.create({ model: 'claude', input: 'What is two plus two?', reasoning: { effort: 'low' } });
      assert.deepEqual(
        response.output.map((item) => item.type),
        ['reasoning', 'message'],
      );
      const reasoning = reasoningOf(response.output);
      assert.match(reasoning.id, /^rs_/);
      assert.deepEqual(reasoning.summary, [], 'no summary was asked for');
      assert.equal(reasoning.content?.length, 1);
      assert.equal(reasoning.content?.[0]?.type, 'reasoning_text');
      assert.match(reasoning.content?.[0]?.text ?? '', /The user asks: "What is two plus two\?"/);
      const [block, ...more] = blocksOf(reasoning);
      assert.equal(more.length, 0);
      assert.equal(block?.type, 'thinking');
      assert.equal(block?.thinking, reasoning.content?.[0]?.text);
      assert.ok((block?.signature ?? '').length > 20, 'the block keeps its signature');
      assert.match(response.output_text, /two plus two/);
      assert.deepEqual(response.reasoning, { effort: 'low', summary: null });
    });

    test('a summary asked for: the text comes as the summary, and the response says which summary was asked', async () => {
      const response = await gw.client.responses.create({ model: 'claude', input: 'What is two plus two?', reasoning: { effort: 'low', summary: 'auto' } });
      const reasoning = reasoningOf(response.output);
      assert.equal(reasoning.summary.length, 1);
      assert.equal(reasoning.summary[0]?.type, 'summary_text');
      assert.match(reasoning.summary[0]?.text ?? '', /The user asks/);
      assert.equal(reasoning.content, undefined);
      assert.equal(blocksOf(reasoning)[0]?.thinking, reasoning.summary[0]?.text);
      assert.equal(response.reasoning?.summary, 'auto');
    });

    for (const summary of [undefined, 'detailed'] as const) {
      test(`streamed (${summary ? 'summary asked' : 'no summary'}): the reasoning item's events come first, in OpenAI's order, and the SDK's stream helper assembles the same output as the whole answer`, async () => {
        const params = { model: 'claude', input: 'Stream your thoughts on tea.', reasoning: { effort: 'low' as const, ...(summary && { summary }) } };
        const whole = await gw.client.responses.parse(params);
        const stream = gw.client.responses.stream(params);
        const events: ResponseStreamEvent[] = [];
        stream.on('event', (event) => events.push(event));
        const final = await stream.finalResponse();

        const [partAdded, delta, textDone, partDone] = summary
          ? ['response.reasoning_summary_part.added', 'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done']
          : ['response.content_part.added', 'response.reasoning_text.delta', 'response.reasoning_text.done', 'response.content_part.done'];
        assert.deepEqual(shapeOf(events), [
          'response.created',
          'response.in_progress',
          'response.output_item.added',
          partAdded,
          delta,
          textDone,
          partDone,
          'response.output_item.done',
          'response.output_item.added',
          'response.content_part.added',
          'response.output_text.delta',
          'response.output_text.done',
          'response.content_part.done',
          'response.output_item.done',
          'response.completed',
        ]);
        assert.ok(events.filter((event) => event.type === delta).length > 1, 'the reasoning arrives in several deltas');
        assert.deepEqual(
          events.map((event) => event.sequence_number),
          events.map((_, index) => index),
        );
        // From the reasoning item's output_item.added to its output_item.done, every event is about output 0.
        const reasoningEvents = events.slice(2, events.findIndex((event) => event.type === 'response.output_item.done') + 1);
        assert.deepEqual(new Set(reasoningEvents.map((event) => 'output_index' in event && event.output_index)), new Set([0]));
        const textEvent = events.find((event) => event.type === 'response.output_text.delta');
        assert.ok(textEvent?.type === 'response.output_text.delta');
        assert.equal(textEvent.output_index, 1, 'the message follows the reasoning item');
        const added = events.find((event) => event.type === 'response.output_item.added');
        assert.ok(added?.type === 'response.output_item.added' && added.item.type === 'reasoning');
        assert.equal(added.item.status, 'in_progress');

        assert.deepEqual(final.output.map(withoutId), whole.output.map(withoutId));
        assert.equal(reasoningOf(final.output).status, 'completed');
        assert.ok(reasoningOf(final.output).encrypted_content?.startsWith(OURS));
      });
    }

    for (const streamed of [false, true]) {
      test(`a tool loop that sends the ${streamed ? 'streamed' : 'whole'} output back as input, reasoning item included, keeps thinking on: Anthropic took the replayed signature`, async () => {
        const question: ResponseInputItem = { role: 'user', content: `Call get_weather for Paris (${streamed ? 'streamed' : 'whole'})` };
        const params = { model: 'claude', tools: [WEATHER], reasoning: { effort: 'low' as const }, store: false };
        const first = streamed ? await gw.client.responses.stream({ ...params, input: [question] }).finalResponse() : await gw.client.responses.create({ ...params, input: [question] });
        assert.deepEqual(
          first.output.map((item) => item.type),
          ['reasoning', 'function_call'],
        );
        const call = first.output[1];
        assert.ok(call?.type === 'function_call');
        const result: ResponseInputItem = { type: 'function_call_output', call_id: call.call_id, output: '18 degrees' };

        const second = await gw.client.responses.create({ ...params, input: [question, ...(first.output as ResponseInputItem[]), result] });
        assert.deepEqual(
          second.output.map((item) => item.type),
          ['reasoning', 'message'],
          'the second answer thinks again',
        );
        // Without the reasoning item the turn comes back without its thinking, and the request goes without thinking.
        const forgotten = await gw.client.responses.create({ ...params, input: [question, call as ResponseInputItem, result] });
        assert.deepEqual(
          forgotten.output.map((item) => item.type),
          ['message'],
        );
      });
    }

    test('a reasoning item sent back altered: its block reaches Anthropic, which refuses the signature; an envelope that does not decode is a 400 naming it', async () => {
      const question: ResponseInputItem = { role: 'user', content: 'Call get_weather for Rome' };
      const params = { model: 'claude', tools: [WEATHER], reasoning: { effort: 'low' as const } };
      const first = await gw.client.responses.create({ ...params, input: [question] });
      const reasoning = reasoningOf(first.output);
      const call = first.output[1] as ResponseInputItem;
      const result: ResponseInputItem = { type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: '20 degrees' };
      const [block] = blocksOf(reasoning);
      const altered = OURS + Buffer.from(JSON.stringify([{ ...block, thinking: `${block?.thinking} (edited)` }])).toString('base64');
      const refused = await gw.client.responses.create({ ...params, input: [question, { ...reasoning, encrypted_content: altered }, call, result] }).catch((error: unknown) => error);
      assert.ok(refused instanceof APIError && refused.status === 400, String(refused));
      assert.match(refused.message, /signature/);

      const broken = await gw.client.responses.create({ ...params, input: [question, { ...reasoning, encrypted_content: `${OURS}bm90IGpzb24=` }, call, result] }).catch((error: unknown) => error);
      assert.ok(broken instanceof APIError && broken.status === 400, String(broken));
      assert.equal((broken.error as { param?: string }).param, 'input.1.encrypted_content');
    });

    test('no reasoning asked: no reasoning item, whole or streamed', async () => {
      const whole = await gw.client.responses.create({ model: 'claude', input: 'Hello there' });
      assert.deepEqual(
        whole.output.map((item) => item.type),
        ['message'],
      );
      const events: ResponseStreamEvent[] = [];
      for await (const event of await gw.client.responses.create({ model: 'claude', input: 'Hello there', stream: true })) events.push(event);
      assert.ok(!events.some((event) => event.type.includes('reasoning')));
      const added = events.filter((event) => event.type === 'response.output_item.added');
      assert.deepEqual(
        added.map((event) => event.type === 'response.output_item.added' && event.item.type),
        ['message'],
      );
    });

    test('the Vercel AI SDK (store: false) shows the reasoning summary and keeps thinking through a tool loop it runs itself, whole and streamed', async () => {
      const openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key' });
      const weather = tool({ description: 'The weather in a city', inputSchema: jsonSchema<{ city: string }>(WEATHER.parameters as never), execute: async () => '18 degrees' });
      const options = {
        model: openai('claude'),
        prompt: 'Call get_weather for Paris',
        tools: { get_weather: weather },
        stopWhen: stepCountIs(2),
        // The gateway's route names no OpenAI reasoning model: the SDK is told it is one, so that it sends the effort.
        providerOptions: { openai: { store: false, forceReasoning: true, reasoningEffort: 'low', reasoningSummary: 'auto' } },
        maxRetries: 0,
      };
      for (const steps of [(await generateText(options)).steps, await streamText(options).steps]) {
        assert.equal(steps.length, 2);
        assert.match(steps[0]?.reasoningText ?? '', /The user asks/);
        assert.deepEqual(
          steps[0]?.toolCalls.map((call) => call.toolName),
          ['get_weather'],
        );
        assert.ok((steps[1]?.reasoningText ?? '') !== '', 'the second step thinks again: the replayed signature was taken');
      }
    });
  });

  test('Claude thinking between tool calls, streamed: each thinking opens a reasoning item of its own where it came, its block in its encrypted_content', async () => {
    const events: ResponseStreamEvent[] = [];
    const stream = await gw.client.responses.create({ model: 'interleaved', input: 'Weather in Paris and Oslo?', tools: [WEATHER], reasoning: { effort: 'high' }, stream: true });
    for await (const event of stream) events.push(event);
    const done = events.flatMap((event) => (event.type === 'response.output_item.done' ? [event.item] : []));
    assert.deepEqual(
      done.map((item) => (item.type === 'function_call' ? `call:${JSON.parse(item.arguments).city}` : item.type)),
      ['reasoning', 'call:Paris', 'reasoning', 'call:Oslo'],
    );
    const [first, , second] = done as [ResponseReasoningItem, ResponseOutputItem, ResponseReasoningItem];
    assert.notEqual(first.id, second.id);
    assert.deepEqual(first.content, [{ type: 'reasoning_text', text: 'Paris first.' }]);
    assert.deepEqual(blocksOf(first), [{ type: 'thinking', thinking: 'Paris first.', signature: 'sig-paris' }]);
    assert.deepEqual(blocksOf(second), [{ type: 'thinking', thinking: 'Now Oslo.', signature: 'sig-oslo' }]);
    // Every item is added, then done, in order, and the response that completes them lists them as they streamed.
    const added = events.flatMap((event) => (event.type === 'response.output_item.added' ? [event.output_index] : []));
    assert.deepEqual(added, [0, 1, 2, 3]);
    const sequence = events.map((event) => event.sequence_number);
    assert.deepEqual(sequence, [...sequence].sort((a, b) => a - b));
    const completed = events.at(-1);
    assert.ok(completed?.type === 'response.completed');
    assert.deepEqual(completed.response.output.map(withoutId), done.map(withoutId));
  });

  describe('an OpenAI-compatible reasoning server (reasoning_content, unsigned)', () => {
    test('its reasoning comes as a reasoning item, whole and streamed alike', async () => {
      const whole = await gw.client.responses.parse({ model: 'deepseek', input: 'Two and two?' });
      const reasoning = reasoningOf(whole.output);
      assert.deepEqual(reasoning.content, [{ type: 'reasoning_text', text: THOUGHT }]);
      assert.deepEqual(blocksOf(reasoning), [{ type: 'thinking', thinking: THOUGHT }]);
      assert.equal(whole.output_text, 'Four.');
      const streamed = await gw.client.responses.stream({ model: 'deepseek', input: 'Two and two?' }).finalResponse();
      assert.deepEqual(streamed.output.map(withoutId), whole.output.map(withoutId));
    });

    test('its reasoning item sent back in a tool loop gives the server its reasoning_content back on the turn that called the tool', async () => {
      const question: ResponseInputItem = { role: 'user', content: 'Weather in Paris?' };
      const first = await gw.client.responses.stream({ model: 'deepseek', input: [question], tools: [WEATHER] }).finalResponse();
      assert.deepEqual(
        first.output.map((item) => item.type),
        ['reasoning', 'function_call'],
      );
      await gw.client.responses.create({ model: 'deepseek', tools: [WEATHER], input: [question, ...(first.output as ResponseInputItem[]), { type: 'function_call_output', call_id: 'call_ds1', output: 'sunny' }] });
      assert.deepEqual(userRequests(deepseek).at(-1)?.body.messages, [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_ds1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }], reasoning_content: THOUGHT },
        { role: 'tool', tool_call_id: 'call_ds1', content: 'sunny' },
      ]);
    });

    test("OpenAI's own reasoning items (encrypted_content the gateway cannot read, or none) are accepted and skipped: neither they nor their summaries reach the upstream", async () => {
      const input: ResponseInputItem[] = [
        { role: 'user', content: 'Hi' },
        { type: 'reasoning', id: 'rs_openai1', summary: [{ type: 'summary_text', text: 'SECRET SUMMARY' }], encrypted_content: 'gAAAAABpF-openai-encrypted-reasoning==' },
        { role: 'assistant', content: 'Hello.' },
        { type: 'reasoning', id: 'rs_openai2', summary: [], content: [{ type: 'reasoning_text', text: 'RAW THOUGHT' }] },
        { role: 'user', content: 'Again' },
      ];
      const response = await gw.client.responses.create({ model: 'deepseek', input });
      assert.equal(response.output_text, 'Four.');
      const body = userRequests(deepseek).at(-1)?.body;
      assert.deepEqual(body?.messages, [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Again' },
      ]);
      assert.doesNotMatch(JSON.stringify(body), /SECRET SUMMARY|RAW THOUGHT|openai-encrypted/);
    });

    test('a reasoning item of the wrong shape is a 400 naming the field', async () => {
      const cases: Array<[unknown, string]> = [
        [{ type: 'reasoning', id: 'rs_1' }, 'input.0.summary'],
        [{ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 7 }] }, 'input.0.summary.0.text'],
        [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 42 }, 'input.0.encrypted_content'],
        [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: `${OURS}W3sidHlwZSI6Im5vcGUifV0=` }, 'input.0.encrypted_content'],
      ];
      for (const [item, param] of cases) {
        const err = await gw.client.responses.create({ model: 'deepseek', input: [item as ResponseInputItem, { role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
        assert.ok(err instanceof APIError, `${JSON.stringify(item)} was accepted`);
        assert.equal(err.status, 400);
        assert.equal((err.error as { param?: string }).param, param, JSON.stringify(item));
      }
    });
  });
});
