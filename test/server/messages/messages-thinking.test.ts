/**
 * Extended thinking through `POST /v1/messages`, with the real `@anthropic-ai/sdk` client against
 * the real server: to the mock's Anthropic dialect (which signs its thinking and checks the
 * signatures sent back), to a scripted Anthropic upstream (to see exactly what reached it), to a
 * strict OpenAI-format upstream that refuses what gpt-4o refuses, and to an OpenAI-compatible
 * reasoning server that answers its reasoning as text.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { chunkJson, completionJson, startRecordingUpstream, userRequests, type RecordedRequest, type RecordingUpstream, type Responder } from '../../helpers/recording-upstream.js';
import { CLIENT_KEY, textOf } from './anthropic-fixture.js';

const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The weather in a city.',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

/** Thinking as Claude Code asks for it on a model that takes a budget. */
const THINKING = { type: 'enabled' as const, budget_tokens: 2048 };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The fields a Messages request's thinking must never add to what an OpenAI-format upstream gets. */
const GATEWAY_ONLY = /reasoning_effort|thinking|budget/;

/**
 * An upstream that refuses what OpenAI's gpt-4o refuses: `reasoning_effort` (unsupported_parameter)
 * and a message property it does not define; otherwise it answers `Plain answer.`, whole or streamed.
 */
const strictLikeGpt4o: Responder = (req, res) => {
  if (req.body.reasoning_effort !== undefined) {
    sendJson(res, 400, { error: { message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.", type: 'invalid_request_error', param: 'reasoning_effort', code: 'unsupported_parameter' } });
    return;
  }
  const messages = req.body.messages as Record<string, unknown>[];
  const extra = messages.findIndex((message) => Object.keys(message).some((key) => !['role', 'content', 'tool_calls', 'tool_call_id', 'name'].includes(key)));
  if (extra >= 0) {
    sendJson(res, 400, { error: { message: `Additional properties are not allowed - 'messages.${extra}'`, type: 'invalid_request_error', param: null, code: null } });
    return;
  }
  if (req.body.stream !== true) {
    sendJson(res, 200, JSON.parse(completionJson('Plain answer.', 'gpt-4o')));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${chunkJson({ role: 'assistant', content: 'Plain answer.' }, null, 'gpt-4o')}\n\n`);
  res.end(`data: ${chunkJson({}, 'stop', 'gpt-4o')}\n\ndata: [DONE]\n\n`);
};

/** An OpenAI-compatible reasoning server (DeepSeek's reasoner, vLLM): its reasoning comes as `reasoning_content`, unsigned. */
const reasoningAsText: Responder = (req, res) => {
  if (req.body.stream !== true) {
    const message = { role: 'assistant', content: 'Four.', reasoning_content: 'Two and two make four.' };
    sendJson(res, 200, JSON.parse(completionJson('', 'deepseek-reasoner', { choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop' }] })));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${chunkJson({ role: 'assistant', content: null, reasoning_content: 'Two and two ' })}\n\n`);
  res.write(`data: ${chunkJson({ reasoning_content: 'make four.' })}\n\n`);
  res.write(`data: ${chunkJson({ content: 'Four.' })}\n\n`);
  res.end(`data: ${chunkJson({}, 'stop')}\n\ndata: [DONE]\n\n`);
};

/** An Anthropic message with signed thinking, a redacted block and a text block, as Anthropic's API answers. */
const signedByAnthropic: Responder = (_req, res) =>
  sendJson(res, 200, {
    id: 'msg_scripted01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'thinking', thinking: 'The user wants a greeting.', signature: 'EqQBCgIYAhIM-scripted-signature' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy-redacted' },
      { type: 'text', text: 'Hello!' },
    ],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 30 },
  });

describe('extended thinking through POST /v1/messages, with the @anthropic-ai/sdk client', () => {
  let gw: GatewayFixture;
  let anthropic: Anthropic;
  let scripted: RecordingUpstream;
  let gpt: RecordingUpstream;
  let deepseek: RecordingUpstream;

  before(async () => {
    scripted = await startRecordingUpstream(signedByAnthropic);
    gpt = await startRecordingUpstream(strictLikeGpt4o);
    deepseek = await startRecordingUpstream(reasoningAsText);
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' } },
      providers: {
        claude: { type: 'mock', wire: 'anthropic', api_key: 'claude-mock-upstream-key-thinking' },
        scripted: { type: 'anthropic', api_key: 'scripted-anthropic-key-0123456789', base_url: scripted.url },
        gpt: { type: 'openai', api_key: 'sk-upstream-gpt-0123456789abcdef', base_url: gpt.url },
        deepseek: { type: 'openai-compatible', api_key: 'sk-upstream-deepseek-0123456789', base_url: deepseek.url },
      },
      deployments: {
        claude: { provider: 'claude', model: 'claude-mock-sonnet-4-5' },
        opus: { provider: 'claude', model: 'claude-opus-4-6' },
        scripted: { provider: 'scripted', model: 'claude-sonnet-4-5' },
        gpt: { provider: 'gpt', model: 'gpt-4o' },
        deepseek: { provider: 'deepseek', model: 'deepseek-reasoner' },
      },
      routes: {
        claude: { chain: ['claude'], timeouts: TIMEOUTS },
        opus: { chain: ['opus'], timeouts: TIMEOUTS },
        scripted: { chain: ['scripted'], timeouts: TIMEOUTS },
        gpt: { chain: ['gpt'], timeouts: TIMEOUTS },
        deepseek: { chain: ['deepseek'], timeouts: TIMEOUTS },
        mixed: { chain: ['scripted', 'gpt'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
      },
    } as ConfigInput);
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await Promise.all([scripted.close(), gpt.close(), deepseek.close()]);
  });

  /** The last request an upstream got from a user (not a probe). */
  function lastBody(upstream: RecordingUpstream): RecordedRequest['body'] {
    const body = userRequests(upstream).at(-1)?.body;
    assert.ok(body, 'the upstream was called');
    return body;
  }

  describe('an Anthropic deployment (the mock, which signs its thinking and checks signatures sent back)', () => {
    test('thinking asked: the answer opens with a signed thinking block, then the text', async () => {
      const message = await anthropic.messages.create({ model: 'claude', max_tokens: 4096, thinking: THINKING, messages: [{ role: 'user', content: 'What is two plus two?' }] });
      assert.deepEqual(
        message.content.map((block) => block.type),
        ['thinking', 'text'],
      );
      const thinking = message.content[0];
      assert.ok(thinking?.type === 'thinking');
      assert.match(thinking.thinking, /two plus two/);
      assert.ok(thinking.signature.length > 20, 'the block carries its signature');
      assert.match(textOf(message), /two plus two/);
      assert.equal(message.stop_reason, 'end_turn');
    });

    test("streamed, the SDK's helpers assemble the same signed thinking block, ahead of the text block", async () => {
      const params = { model: 'claude', max_tokens: 4096, thinking: THINKING, messages: [{ role: 'user' as const, content: 'Stream your thoughts on tea.' }] };
      const whole = await anthropic.messages.create(params);
      const stream = anthropic.messages.stream(params);
      const pieces: string[] = [];
      const signatures: string[] = [];
      const starts: [number, string][] = [];
      stream.on('thinking', (delta) => pieces.push(delta));
      stream.on('signature', (signature) => signatures.push(signature));
      stream.on('streamEvent', (event) => {
        if (event.type === 'content_block_start') starts.push([event.index, event.content_block.type]);
      });
      const message = await stream.finalMessage();
      assert.deepEqual(starts, [
        [0, 'thinking'],
        [1, 'text'],
      ]);
      assert.ok(pieces.length > 1, 'the thinking arrives in several thinking_delta events');
      assert.equal(signatures.length, 1);
      assert.deepEqual(message.content, whole.content, 'streamed and whole answers carry the same blocks');
    });

    test('adaptive thinking with an effort reaches a model that takes only adaptive thinking', async () => {
      const message = await anthropic.messages.create({ model: 'opus', max_tokens: 4096, thinking: { type: 'adaptive' }, output_config: { effort: 'max' }, messages: [{ role: 'user', content: 'Think hard.' }] });
      const thinking = message.content[0];
      assert.ok(thinking?.type === 'thinking' && thinking.signature.length > 0);
    });

    test('a tool loop that sends the thinking block back, whole or streamed, is accepted: the upstream checked its signature', async () => {
      for (const streamed of [false, true]) {
        const question = { role: 'user' as const, content: `Call get_weather for Paris (${streamed ? 'streamed' : 'whole'})` };
        const params = { model: 'claude', max_tokens: 4096, thinking: THINKING, tools: [WEATHER_TOOL], messages: [question] };
        const first = streamed ? await anthropic.messages.stream(params).finalMessage() : await anthropic.messages.create(params);
        assert.deepEqual(
          first.content.map((block) => block.type),
          ['thinking', 'tool_use'],
        );
        const call = first.content[1];
        assert.ok(call?.type === 'tool_use');
        const second = await anthropic.messages.create({
          ...params,
          messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18 degrees' }] }],
        });
        assert.equal(second.content[0]?.type, 'thinking');
        assert.ok(second.content.length > 1);
      }
    });

    test('an unsigned thinking block (what another provider reasoned) sent back is not passed off as signed: the upstream takes the request', async () => {
      const message = await anthropic.messages.create({
        model: 'claude',
        max_tokens: 4096,
        thinking: THINKING,
        messages: [
          { role: 'user', content: 'Two and two?' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'Two and two make four.', signature: '' }, { type: 'text', text: 'Four.' }] },
          { role: 'user', content: 'And three?' },
        ],
      });
      assert.equal(message.content[0]?.type, 'thinking');
    });

    test('a thinking block sent back altered reaches the upstream, which refuses its signature (a 400, as Anthropic answers)', async () => {
      const question = { role: 'user' as const, content: 'Call get_weather for Rome' };
      const params = { model: 'claude', max_tokens: 4096, thinking: THINKING, tools: [WEATHER_TOOL], messages: [question] };
      const first = await anthropic.messages.create(params);
      const [thinking, call] = first.content;
      assert.ok(thinking?.type === 'thinking' && call?.type === 'tool_use');
      const err = await anthropic.messages
        .create({
          ...params,
          messages: [question, { role: 'assistant', content: [{ ...thinking, thinking: `${thinking.thinking} (edited)` }, call] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '20 degrees' }] }],
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof Anthropic.BadRequestError, String(err));
      assert.match(err.message, /signature/);
    });
  });

  describe('a scripted Anthropic upstream, to see what reaches it', () => {
    test('the budget and the signed and redacted blocks sent back reach it as Anthropic thinking; its thinking comes back in order before the text', async () => {
      const message = await anthropic.messages.create({
        model: 'scripted',
        max_tokens: 8000,
        thinking: { type: 'enabled', budget_tokens: 3000 },
        messages: [
          { role: 'user', content: 'Hi' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Greet back.', signature: 'sig-earlier' },
              { type: 'redacted_thinking', data: 'REDACTED-earlier' },
              { type: 'text', text: 'Hello.' },
            ],
          },
          { role: 'user', content: 'Hi again' },
        ],
      });
      assert.deepEqual(message.content, [
        { type: 'thinking', thinking: 'The user wants a greeting.', signature: 'EqQBCgIYAhIM-scripted-signature' },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy-redacted' },
        { type: 'text', text: 'Hello!' },
      ]);
      const body = lastBody(scripted);
      assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 3000 });
      assert.equal(body.max_tokens, 8000);
      assert.deepEqual((body.messages as Record<string, unknown>[])[1], {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Greet back.', signature: 'sig-earlier' },
          { type: 'redacted_thinking', data: 'REDACTED-earlier' },
          { type: 'text', text: 'Hello.' },
        ],
      });
    });
  });

  describe('an OpenAI-format deployment (gpt-4o refuses reasoning_effort and message fields it does not define)', () => {
    test('a request with thinking is served as it was before thinking was read: nothing of thinking reaches the upstream', async () => {
      for (const thinking of [THINKING, { type: 'adaptive' as const }, { type: 'disabled' as const }]) {
        const message = await anthropic.messages.create({ model: 'gpt', max_tokens: 4096, thinking, output_config: { effort: 'low' }, messages: [{ role: 'user', content: 'Hello' }] });
        assert.deepEqual(message.content, [{ type: 'text', text: 'Plain answer.' }], JSON.stringify(thinking));
        assert.doesNotMatch(JSON.stringify(lastBody(gpt)), GATEWAY_ONLY);
      }
      const streamed = await anthropic.messages.stream({ model: 'gpt', max_tokens: 4096, thinking: THINKING, messages: [{ role: 'user', content: 'Hello' }] }).finalMessage();
      assert.deepEqual(streamed.content, [{ type: 'text', text: 'Plain answer.' }]);
      assert.doesNotMatch(JSON.stringify(lastBody(gpt)), GATEWAY_ONLY);
    });

    test('a conversation whose history carries signed thinking is served too, without it', async () => {
      const message = await anthropic.messages.create({
        model: 'gpt',
        max_tokens: 4096,
        thinking: THINKING,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'Greet back.', signature: 'sig-earlier' }, { type: 'text', text: 'Hello.' }] },
          { role: 'user', content: 'Hi again' },
        ],
      });
      assert.equal(textOf(message), 'Plain answer.');
      assert.deepEqual((lastBody(gpt).messages as unknown[])[1], { role: 'assistant', content: 'Hello.' });
    });

    test('when the Anthropic deployment of a chain fails, the OpenAI one serves the thinking conversation', async () => {
      scripted.respond((_req, res) => sendJson(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      try {
        const { data, response } = await anthropic.messages
          .create({
            model: 'mixed',
            max_tokens: 4096,
            thinking: THINKING,
            messages: [
              { role: 'user', content: 'Hi' },
              { role: 'assistant', content: [{ type: 'thinking', thinking: 'Greet back.', signature: 'sig-earlier' }, { type: 'text', text: 'Hello.' }] },
              { role: 'user', content: 'Hi again' },
            ],
          })
          .withResponse();
        assert.equal(response.headers.get('x-switchyard-deployment'), 'gpt');
        assert.equal(textOf(data), 'Plain answer.');
        assert.deepEqual(lastBody(scripted).thinking, { type: 'enabled', budget_tokens: 2048 }, 'the Anthropic deployment was asked for thinking first');
      } finally {
        scripted.respond(signedByAnthropic);
      }
    });
  });

  describe('an OpenAI-compatible reasoning server, whose reasoning is unsigned text', () => {
    test('its reasoning_content is a thinking block with an empty signature before the text, whole and streamed', async () => {
      const params = { model: 'deepseek', max_tokens: 4096, thinking: THINKING, messages: [{ role: 'user' as const, content: 'Two and two?' }] };
      const expected = [
        { type: 'thinking', thinking: 'Two and two make four.', signature: '' },
        { type: 'text', text: 'Four.' },
      ];
      assert.deepEqual((await anthropic.messages.create(params)).content, expected);
      assert.deepEqual((await anthropic.messages.stream(params).finalMessage()).content, expected);
    });

    test('sent back, the unsigned block reaches the server as reasoning_content, never as a signed block', async () => {
      const first = await anthropic.messages.create({ model: 'deepseek', max_tokens: 4096, messages: [{ role: 'user', content: 'Two and two?' }] });
      await anthropic.messages.create({ model: 'deepseek', max_tokens: 4096, messages: [{ role: 'user', content: 'Two and two?' }, { role: 'assistant', content: first.content }, { role: 'user', content: 'And three?' }] });
      assert.deepEqual((lastBody(deepseek).messages as unknown[])[1], { role: 'assistant', content: 'Four.', reasoning_content: 'Two and two make four.' });
    });
  });

  test('count_tokens takes thinking and thinking blocks in the history', async () => {
    const counted = await anthropic.messages.countTokens({
      model: 'claude',
      thinking: THINKING,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Greet back.', signature: 'sig' }, { type: 'redacted_thinking', data: 'X' }, { type: 'text', text: 'Hello.' }] },
        { role: 'user', content: 'Hi again' },
      ],
    });
    assert.ok(counted.input_tokens > 0);
  });
});

describe("a cached answer is kept apart by the request's thinking (which the body's JSON does not carry)", () => {
  let gw: GatewayFixture;
  let anthropic: Anthropic;
  before(async () => {
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' } },
      providers: { claude: { type: 'mock', wire: 'anthropic', api_key: 'claude-mock-upstream-key-cache' } },
      deployments: { claude: { provider: 'claude', model: 'claude-mock-sonnet-4-5' } },
      manual: { sorry: { type: 'static', answer: 'Unavailable.' } },
      routes: { cached: { chain: ['claude', { cache: 'exact' }, { manual: 'sorry' }], policy: { upstream_5xx: 'next' }, timeouts: TIMEOUTS } },
    } as ConfigInput);
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  });
  after(() => gw.close());

  test('with the deployment down, a request with thinking gets its cached answer, and the same request without thinking does not', async () => {
    const ask = (thinking: boolean) =>
      anthropic.messages.create({ model: 'cached', max_tokens: 4000, messages: [{ role: 'user', content: 'Cache me' }], ...(thinking ? { thinking: THINKING } : {}) });
    const fresh = await ask(true);
    assert.equal(fresh.content[0]?.type, 'thinking');
    gw.gateway.faults('claude')?.set([{ kind: 'error', status: 500 }]);
    const stale = await ask(true);
    assert.deepEqual(stale.content, fresh.content);
    const other = await ask(false);
    assert.equal(textOf(other), 'Unavailable.');
  });
});
