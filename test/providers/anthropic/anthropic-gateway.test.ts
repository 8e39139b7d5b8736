/**
 * End to end: the `openai` client talks to the gateway, which serves the route through its real
 * Anthropic adapter against the embedded mock's Anthropic dialect (`type: mock, wire: anthropic`)
 * over a real socket, and falls back to an OpenAI-wire mock when the Anthropic one fails.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { FaultSpec, MockStats } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

/** The key the Anthropic mock demands; deliberately not shaped like a known provider key, so only the secret list can scrub it. */
const CLAUDE_KEY = 'claude-mock-upstream-key-7f3a9c';
const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

function config(): ConfigInput {
  return {
    // A stream's head waits for its first content, so its headers name the hop that served after a failure before content.
    server: { stream_head: 'first_content' },
    log: { level: 'silent' },
    health: { enabled: false },
    providers: {
      claude: { type: 'mock', wire: 'anthropic', api_key: CLAUDE_KEY },
      backup: { type: 'mock' },
    },
    deployments: {
      claude: { provider: 'claude', model: 'claude-mock-sonnet' },
      backup: { provider: 'backup', model: 'mock-backup' },
    },
    routes: {
      chat: { chain: ['claude', 'backup'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
      solo: { chain: ['claude'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
      embed: { chain: ['claude', 'backup'] },
    },
  } as ConfigInput;
}

describe('an Anthropic deployment behind the gateway (mock, wire: anthropic)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());
  beforeEach(() => {
    setFaults('claude', []);
    setFaults('backup', []);
  });

  function setFaults(provider: string, faults: FaultSpec[]): void {
    const control = gw.gateway.faults(provider);
    assert.ok(control, `${provider} is a mock`);
    control.set(faults);
  }

  function requestsTo(provider: string): number {
    return (gw.gateway.faults(provider)?.stats() as MockStats).requests;
  }

  test('the openai client gets a chat completion translated from an Anthropic message', async () => {
    const { data, response } = await gw.client.chat.completions
      .create({ model: 'chat', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello from openai' }], max_tokens: 500 })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'claude');
    assert.equal(response.headers.get('x-switchyard-attempts'), '1');
    assert.equal(data.object, 'chat.completion');
    assert.match(data.id, /^msg_01/);
    assert.equal(data.model, 'claude-mock-sonnet');
    assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from claude \(claude-mock-sonnet\): hello from openai/);
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    assert.ok((data.usage?.prompt_tokens ?? 0) > 0 && (data.usage?.completion_tokens ?? 0) > 0);
  });

  test('a streamed answer arrives as chat.completion.chunk deltas, with usage when asked', async () => {
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'stream through claude' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let deltas = 0;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) {
        text += piece;
        deltas++;
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.match(text, /^Mock answer from claude \(claude-mock-sonnet\): stream through claude/);
    assert.ok(deltas >= 3, `several text deltas (${deltas})`);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
  });

  test('tool calls come back as tool_calls, whole and streamed, and a tool result round-trips', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'please call get_weather for Oslo' }];
    const completion = await gw.client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool] });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.match(call.id, /^toolu_01/);
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'mock' });

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool], stream: true });
    const streamed = { id: '', name: '', arguments: '' };
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        assert.equal(delta.index, 0);
        streamed.id ||= delta.id ?? '';
        streamed.name += delta.function?.name ?? '';
        streamed.arguments += delta.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(streamed.name, 'get_weather');
    assert.match(streamed.id, /^toolu_01/);
    assert.deepEqual(JSON.parse(streamed.arguments), { city: 'mock' });

    // The call and its result go back as tool_use and tool_result blocks; the mock (which checks roles and max_tokens) answers.
    const followUp = await gw.client.chat.completions.create({
      model: 'chat',
      tools: [weatherTool],
      messages: [...messages, completion.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '4°C and snowing' }, { role: 'user', content: 'so, warm?' }],
    });
    assert.match(followUp.choices[0]?.message.content ?? '', /so, warm\?/);
    assert.equal(followUp.choices[0]?.finish_reason, 'stop');
  });

  test('529 overloaded from the Anthropic deployment falls back to the second deployment (one retry first)', async () => {
    setFaults('claude', [{ kind: 'error', status: 529 }]);
    const before = requestsTo('claude');
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'overloaded?' }] }).withResponse();
    assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from backup \(mock-backup\)/);
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
    assert.equal(response.headers.get('x-switchyard-attempts'), '3');
    assert.equal(requestsTo('claude') - before, 2, 'upstream_5xx gets one retry on the same deployment, then the chain moves on');
    const log = gw.gateway.recentRequest(response.headers.get('x-request-id') ?? '');
    const attempts = log?.served.attempts.map((a) => `${a.deployment}:${a.outcome}:${a.shape ?? ''}:${a.upstreamStatus ?? ''}`);
    assert.deepEqual(attempts, ['claude:failed:upstream_5xx:529', 'claude:failed:upstream_5xx:529', 'backup:served::']);
    assert.equal(log?.served.attempts[0]?.message, 'Overloaded');
  });

  test('a stream whose Anthropic hop fails before content (in-band overloaded_error, or a refusal) falls back', async () => {
    for (const [fault, shape] of [
      [{ kind: 'stream_error', after_chunks: 1 }, 'upstream_5xx'],
      [{ kind: 'content_filter' }, 'guardrail_block'],
    ] as Array<[FaultSpec, string]>) {
      setFaults('claude', [fault]);
      const { data: stream, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'fall back' }], stream: true }).withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(response.headers.get('x-switchyard-deployment'), 'backup', fault.kind);
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), shape, fault.kind);
      assert.match(text, /^Mock answer from backup/, fault.kind);
    }
  });

  test("the Anthropic key never appears in an error a client sees, even when the upstream's message echoes it", async () => {
    setFaults('claude', [{ kind: 'error', status: 500, message: `internal failure while validating ${CLAUDE_KEY}` }]);
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'solo', messages: [{ role: 'user', content: 'x' }] }) });
    const text = await res.text();
    assert.equal(res.status, 502);
    assert.ok(!text.includes(CLAUDE_KEY), text);
    assert.match(text, /internal failure while validating \[redacted\]/);

    setFaults('claude', [{ kind: 'auth' }]);
    const auth = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'solo', messages: [{ role: 'user', content: 'x' }] }) });
    const authText = await auth.text();
    assert.ok(!authText.includes(CLAUDE_KEY), authText);
    assert.match(authText, /rejected the gateway's credentials/);
  });

  test("a prompt over Anthropic's context window (context_overflow) and a spent credit balance (quota_exhausted) and a long rate limit move to the next deployment", async () => {
    for (const [fault, shape] of [
      [{ kind: 'context_overflow', max_context_tokens: 1000 }, 'context_overflow'],
      [{ kind: 'quota' }, 'quota_exhausted'],
      [{ kind: 'rate_limit', retry_after_s: 30 }, 'rate_limit_429'],
    ] as Array<[FaultSpec, string]>) {
      setFaults('claude', [fault]);
      const { response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }).withResponse();
      assert.equal(response.headers.get('x-switchyard-deployment'), 'backup', fault.kind);
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), shape, fault.kind);
    }
  });

  test('embeddings on a route whose first deployment is Anthropic are served by the next one, without a call to Anthropic', async () => {
    const before = requestsTo('claude');
    const { data, response } = await gw.client.embeddings.create({ model: 'embed', input: 'vectors please' }).withResponse();
    assert.equal(data.data.length, 1);
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(requestsTo('claude'), before);
  });
});
