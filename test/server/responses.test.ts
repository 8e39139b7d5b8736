/**
 * POST /v1/responses through the real `openai` client (`client.responses`) and the Vercel AI SDK's
 * default OpenAI model (which speaks the Responses API), over an OpenAI-compatible upstream that
 * only knows Chat Completions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import fc from 'fast-check';
import { APIError } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { startFallbackPair, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { chunkJson, completionJson, userRequests, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { callWeatherTool, completeWith, failWith500, sendJson, streamWith, USAGE } from '../helpers/scripted-answers.js';

const WEATHER = { type: 'function' as const, name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true };

describe('POST /v1/responses', () => {
  let primary: RecordingUpstream;
  let backup: RecordingUpstream;
  let gw: GatewayFixture;
  let close: () => Promise<void>;

  before(async () => {
    ({ primary, backup, gw, close } = await startFallbackPair(completeWith('from the backup')));
  });
  after(() => close());

  test('a text input gets a completed response with its output text, usage and the headers of what served', async () => {
    primary.respond(completeWith('Hello from upstream'));
    const { data, response } = await gw.client.responses.create({ model: 'chat', input: 'Say hello', instructions: 'Be brief.', max_output_tokens: 50, temperature: 0.2 }).withResponse();
    assert.equal(data.object, 'response');
    assert.match(data.id, /^resp_/);
    assert.equal(data.status, 'completed');
    assert.equal(data.output_text, 'Hello from upstream');
    assert.equal(data.output[0]?.type, 'message');
    assert.deepEqual(data.usage && [data.usage.input_tokens, data.usage.output_tokens, data.usage.total_tokens], [11, 7, 18]);
    assert.equal(data.instructions, 'Be brief.');
    assert.equal(response.headers.get('x-switchyard-route'), 'chat');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'd0');
    const seen = userRequests(primary).at(-1);
    assert.deepEqual(seen?.body.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
    assert.equal(seen?.body.max_tokens, 50);
    assert.equal(seen?.body.temperature, 0.2);
    assert.equal(seen?.body.model, 'model-0');
  });

  test('message items with text and image parts, and a json_schema text format, reach the upstream as chat messages and response_format', async () => {
    primary.respond(completeWith('{"ok":true}'));
    await gw.client.responses.create({
      model: 'chat',
      input: [
        { role: 'developer', content: 'Answer in JSON.' },
        { role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' }] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'A picture.', annotations: [] }] } as never,
        { role: 'user', content: 'More?' },
      ],
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } }, strict: true } },
    });
    const seen = userRequests(primary).at(-1);
    assert.deepEqual(seen?.body.messages, [
      { role: 'system', content: 'Answer in JSON.' },
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }] },
      { role: 'assistant', content: 'A picture.' },
      { role: 'user', content: 'More?' },
    ]);
    assert.deepEqual(seen?.body.response_format, { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } }, strict: true } });
  });

  test('a function call comes back as a function_call item, and its output goes back as a tool message', async () => {
    primary.respond(callWeatherTool);
    const first = await gw.client.responses.create({ model: 'chat', input: 'Weather in Paris?', tools: [WEATHER] });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.deepEqual([call.call_id, call.name, call.arguments], ['call_1', 'get_weather', '{"city":"Paris"}']);
    assert.deepEqual((userRequests(primary).at(-1)?.body.tools as unknown[])[0], {
      type: 'function',
      function: { name: 'get_weather', description: 'The weather in a city', parameters: WEATHER.parameters, strict: true },
    });

    primary.respond(completeWith('It is sunny in Paris.'));
    const second = await gw.client.responses.create({
      model: 'chat',
      tools: [WEATHER],
      input: [{ role: 'user', content: 'Weather in Paris?' }, { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: 'function_call_output', call_id: call.call_id, output: '{"sky":"sunny"}' }],
    });
    assert.equal(second.output_text, 'It is sunny in Paris.');
    assert.deepEqual(userRequests(primary).at(-1)?.body.messages, [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"sky":"sunny"}' },
    ]);
  });

  test("a reasoning model's reasoning tokens come through in output_tokens_details", async () => {
    primary.respond((_req, res) => sendJson(res, 200, completionJson('Thought it through', 'o-model', { usage: { ...USAGE, completion_tokens_details: { reasoning_tokens: 5 } } })));
    const data = await gw.client.responses.create({ model: 'chat', input: 'Think', reasoning: { effort: 'low' } });
    assert.equal(data.usage?.output_tokens, 7);
    assert.equal(data.usage?.output_tokens_details.reasoning_tokens, 5);
    assert.equal(userRequests(primary).at(-1)?.body.reasoning_effort, 'low');
  });

  test('a stream gives the events in OpenAI order, with sequence numbers, and the final response with usage', async () => {
    primary.respond(streamWith(['Hel', 'lo, ', 'world']));
    const stream = await gw.client.responses.create({ model: 'chat', input: 'Stream it', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    assert.deepEqual(
      events.map((event) => event.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    assert.deepEqual(
      events.map((event) => event.sequence_number),
      events.map((_, index) => index),
    );
    const completed = events.at(-1);
    assert.ok(completed?.type === 'response.completed');
    assert.equal(completed.response.output_text ?? (completed.response.output[0] as { content: Array<{ text: string }> }).content[0]?.text, 'Hello, world');
    assert.equal(completed.response.usage?.output_tokens, 7);
    assert.deepEqual(userRequests(primary).at(-1)?.body.stream_options, { include_usage: true });
  });

  test("the SDK's stream helper assembles a streamed function call", async () => {
    primary.respond(callWeatherTool);
    const final = await gw.client.responses.stream({ model: 'chat', input: 'Weather in Paris?', tools: [WEATHER] }).finalResponse();
    const call = final.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.deepEqual([call.call_id, call.name, call.arguments, call.status], ['call_1', 'get_weather', '{"city":"Paris"}', 'completed']);
  });

  test('an answer cut at the token limit is incomplete, with the reason', async () => {
    primary.respond((_req, res) => sendJson(res, 200, completionJson('cut sho', 'upstream-model', { choices: [{ index: 0, message: { role: 'assistant', content: 'cut sho' }, logprobs: null, finish_reason: 'length' }], usage: USAGE })));
    const response = await gw.client.responses.create({ model: 'chat', input: 'Long one', max_output_tokens: 3 });
    assert.equal(response.status, 'incomplete');
    assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(response.output_text, 'cut sho');
  });

  test('a failing primary falls back in the same response', async () => {
    primary.respond(failWith500);
    const { data, response } = await gw.client.responses.create({ model: 'chat', input: 'Anyone there?' }).withResponse();
    assert.equal(data.output_text, 'from the backup');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'd1');
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
  });

  test('a stream whose first deployment fails before any content falls back in the same response: one response.created, the backup\'s text', async () => {
    primary.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The role chunk goes out at once (server.stream_head: first_chunk), then an in-band error.
      res.write(`data: ${chunkJson({ role: 'assistant', content: '' })}\n\n`);
      res.end(`data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error', code: null } })}\n\n`);
    });
    backup.respond(streamWith(['from ', 'backup']));
    const stream = await gw.client.responses.create({ model: 'chat', input: 'Go', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    // The same again, read raw: response.created went out before the fallback, which a comment tells.
    const raw = await (await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', input: 'Go', stream: true }) })).text();
    backup.respond(completeWith('from the backup'));
    assert.ok(raw.indexOf('event: response.created') < raw.indexOf(': served-by'), raw);
    assert.match(raw, /: served-by .*deployment=d1 .*fallback-reason=/);
    assert.equal(events.filter((event) => event.type === 'response.created').length, 1);
    const completed = events.at(-1);
    assert.ok(completed?.type === 'response.completed', events.map((event) => event.type).join(' '));
    assert.equal((completed.response.output[0] as { content: Array<{ text: string }> }).content[0]?.text, 'from backup');
    assert.deepEqual(
      events.map((event) => event.sequence_number),
      events.map((_, index) => index),
    );
  });

  test('a stream that fails after content ends with response.failed', async () => {
    primary.respond(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${chunkJson({ role: 'assistant', content: 'partial' })}\n\n`);
      // Cut once the content has reached the client: too late to fall back.
      await sleep(100);
      res.destroy();
    });
    const stream = await gw.client.responses.create({ model: 'chat', input: 'Go', stream: true });
    const types: string[] = [];
    let failed: ResponseStreamEvent | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.failed') failed = event;
    }
    assert.ok(types.includes('response.output_text.delta'));
    assert.equal(types.at(-1), 'response.failed', types.join(' '));
    assert.ok(failed?.type === 'response.failed');
    assert.equal(failed.response.status, 'failed');
    assert.ok(failed.response.error?.message, 'the failure says why');
  });

  test('what a stateless gateway cannot do, and malformed input, are OpenAI-shaped 400s naming the parameter', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ model: 'chat', input: 'Hi', previous_response_id: 'resp_123' }, 'previous_response_id', /keeps no responses/],
      [{ model: 'chat', input: 'Hi', background: true }, 'background', /foreground/],
      [{ model: 'chat', input: 'Hi', prompt: { id: 'pmpt_1' } }, 'prompt', /stored prompt templates/],
      [{ model: 'chat', input: 'Hi', tools: [{ type: 'web_search' }] }, 'tools.0.type', /built-in tools/],
      [{ model: 'chat', input: 'Hi', include: ['reasoning.encrypted_content', 'message.output_text.logprobs'] }, 'include', /no token log probabilities/],
      [{ model: 'chat', input: 'Hi', top_logprobs: 2 }, 'top_logprobs', /no token log probabilities/],
      [{ model: 'chat', input: [{ type: 'reasoning', id: 'rs_1' }, { role: 'user', content: 'Hi' }] }, 'input.0.summary', /Field required/],
      [{ model: 'chat', input: [{ type: 'computer_call', id: 'cu_1' }] }, 'input.0.type', /not supported/],
      [{ model: 'chat', input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input.0.type', /stores none.*store: false/],
      [{ model: 'chat', input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }, 'input.0.content.0.type', /in a user message/],
      [{ model: 'chat' }, 'input', /input/],
      [{ model: 'chat', input: [] }, 'input', /at least one/],
      [{ model: 'chat', input: 'Hi', max_output_tokens: -1 }, 'max_output_tokens', /max_output_tokens/],
    ];
    for (const [body, param, message] of cases) {
      const err = await gw.client.responses.create(body as never).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(err instanceof APIError, `${JSON.stringify(body)} was accepted`);
      assert.equal(err.status, 400, JSON.stringify(body));
      assert.equal((err.error as { param?: string }).param, param, JSON.stringify(body));
      assert.match(err.message, message);
    }
    const unknown = await gw.client.responses.create({ model: 'no-such-route', input: 'Hi' }).catch((error: unknown) => error);
    assert.ok(unknown instanceof APIError);
    assert.equal(unknown.status, 404);
    // Nothing is stored, so there is nothing to fetch or delete: a 404 that says why.
    for (const call of [() => gw.client.responses.retrieve('resp_abc'), () => gw.client.responses.delete('resp_abc'), () => gw.client.responses.inputItems.list('resp_abc')]) {
      const missing = await call().then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(missing instanceof APIError);
      assert.equal(missing.status, 404);
      assert.match(missing.message, /No response 'resp_abc': this gateway keeps no responses/);
    }
  });

  test('fuzz: Responses-shaped bodies with odd items, parts, tools and formats never get a 5xx, and a 4xx is OpenAI-shaped', async () => {
    // Answers in kind, so a valid request is served and only the client's mistakes are refused.
    primary.respond((req, res) => (req.body.stream === true ? streamWith(['fine'])(req, res) : completeWith('fine')(req, res)));
    let served = 0;
    const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
    /** Mostly a valid value, sometimes an odd one: so the fuzz reaches past the first check. */
    const mostly = <T,>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: odd, weight: 1 });
    const text = fc.string({ maxLength: 12 });
    const part = mostly(
      fc.oneof(fc.record({ type: fc.constant('input_text'), text }), fc.record({ type: fc.constant('input_image'), image_url: fc.constant('data:image/png;base64,iVBORw0KGgo=') })),
      fc.record({ type: fc.constantFrom('input_file', 'refusal', 'output_text', 7), text: scalar, image_url: scalar }, { requiredKeys: ['type'] }),
    );
    const item = mostly(
      fc.oneof(
        fc.record({ role: fc.constantFrom('user', 'system', 'developer'), content: fc.oneof(text, fc.array(part, { minLength: 1, maxLength: 3 })) }),
        fc.record({ type: fc.constant('function_call'), call_id: fc.constant('call_1'), name: fc.constant('get_weather'), arguments: fc.constant('{}') }),
        fc.record({ type: fc.constant('function_call_output'), call_id: fc.constant('call_1'), output: text }),
      ),
      fc.oneof(
        fc.record({ role: fc.constantFrom('assistant', 'tool', 3), content: fc.oneof(scalar, fc.array(part, { maxLength: 2 })) }, { requiredKeys: [] }),
        fc.record({ type: fc.constantFrom('item_reference', 'reasoning', 'message', 'x'), id: scalar, call_id: scalar, output: scalar }, { requiredKeys: ['type'] }),
        scalar,
      ),
    );
    const body = fc.record(
      {
        model: mostly(fc.constant('chat'), fc.constantFrom('nope', 5, '')),
        input: mostly(fc.oneof(text.filter((t) => t !== ''), fc.array(item, { minLength: 1, maxLength: 4 })), fc.oneof(scalar, fc.constant([]))),
        instructions: mostly(text, scalar),
        tools: mostly(fc.constant([WEATHER]), fc.oneof(scalar, fc.array(fc.record({ type: fc.constantFrom('function', 'web_search', 1), name: scalar }, { requiredKeys: [] }), { maxLength: 2 }))),
        tool_choice: mostly(fc.constantFrom('auto', 'none', 'required'), fc.oneof(scalar, fc.record({ type: fc.constantFrom('function', 'x'), name: scalar }))),
        text: mostly(fc.constant({ format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } }), fc.oneof(scalar, fc.record({ format: fc.record({ type: fc.constantFrom('text', 'json_object', 'json_schema', 'x'), name: scalar }, { requiredKeys: [] }) }))),
        max_output_tokens: mostly(fc.integer({ min: 1, max: 500 }), scalar),
        temperature: mostly(fc.double({ min: 0, max: 2, noNaN: true }), fc.oneof(scalar, fc.double({ min: -5, max: 5, noNaN: true }))),
        stream: mostly(fc.boolean(), scalar),
        previous_response_id: fc.oneof(fc.constant(undefined), scalar),
      },
      { requiredKeys: ['model', 'input'] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
        const text = await res.text();
        assert.ok(res.status < 500, `${JSON.stringify(value)} -> ${res.status} ${text.slice(0, 300)}`);
        if (res.status === 200) served++;
        if (res.status >= 400) {
          const error = (JSON.parse(text) as { error?: { message?: unknown; type?: unknown; param?: unknown; code?: unknown } }).error;
          assert.ok(error && typeof error.message === 'string' && typeof error.type === 'string' && 'param' in error && 'code' in error, text);
        }
      }),
      { numRuns: 300 },
    );
    // Not only refusals: some bodies were valid and were served.
    assert.ok(served > 0, 'no fuzzed body was valid');
  });

  test("the Vercel AI SDK's default OpenAI model (the Responses API) works unchanged, text, stream and tools", async () => {
    const openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key' });
    primary.respond(completeWith('plain answer'));
    const whole = await generateText({ model: openai('chat'), prompt: 'Hi', maxRetries: 0 });
    assert.equal(whole.text, 'plain answer');
    assert.equal(whole.usage.outputTokens, 7);
    assert.equal(whole.finishReason, 'stop');

    primary.respond(streamWith(['one ', 'two']));
    const streamed = streamText({ model: openai('chat'), prompt: 'Hi', maxRetries: 0 });
    assert.equal(await streamed.text, 'one two');
    assert.equal((await streamed.usage).outputTokens, 7);

    // A conversation carried on: the SDK refers to its earlier answer by id unless told the
    // provider stores nothing, and the gateway's 400 says which switch that is.
    primary.respond(completeWith('second answer'));
    const history = [{ role: 'user' as const, content: 'Hi' }, ...whole.response.messages, { role: 'user' as const, content: 'And?' }];
    await assert.rejects(generateText({ model: openai('chat'), messages: history, maxRetries: 0 }), /store: false/);
    const next = await generateText({ model: openai('chat'), messages: history, providerOptions: { openai: { store: false } }, maxRetries: 0 });
    assert.equal(next.text, 'second answer');
    assert.deepEqual(userRequests(primary).at(-1)?.body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: 'plain answer' },
      { role: 'user', content: [{ type: 'text', text: 'And?' }] },
    ]);

    primary.respond(callWeatherTool);
    const weather = tool({ description: 'The weather in a city', inputSchema: jsonSchema<{ city: string }>(WEATHER.parameters as never) });
    const called = await generateText({ model: openai('chat'), prompt: 'Weather in Paris?', tools: { get_weather: weather }, maxRetries: 0 });
    assert.deepEqual(
      called.toolCalls.map((call) => [call.toolName, call.input]),
      [['get_weather', { city: 'Paris' }]],
    );
  });
});
