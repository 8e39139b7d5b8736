/**
 * End to end: the `openai` client talks to the gateway, which serves the route through its real
 * Bedrock adapter (SigV4-signed, with the mock's key as the secret access key) against the embedded
 * mock's Bedrock dialect (`type: mock, wire: bedrock`) over a real socket, and falls back to an
 * OpenAI-wire mock when Bedrock fails.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { FaultSpec, MockStats } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

/** The mock's key: the secret access key the gateway signs with. Not shaped like a known key, so only the secret list can scrub it. */
const BEDROCK_SECRET = 'bedrock-mock-secret-4d7e1f09';
const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
/** An inference-profile ARN: `:` and `/` must survive as one encoded path segment, and be signed that way. */
const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
      bedrock: { type: 'mock', wire: 'bedrock', api_key: BEDROCK_SECRET },
      backup: { type: 'mock' },
    },
    deployments: {
      claude: { provider: 'bedrock', model: CLAUDE },
      haiku: { provider: 'bedrock', model: PROFILE_ARN },
      titan: { provider: 'bedrock', model: 'amazon.titan-embed-text-v2:0' },
      cohere: { provider: 'bedrock', model: 'cohere.embed-english-v3' },
      backup: { provider: 'backup', model: 'mock-backup' },
    },
    routes: {
      chat: { chain: ['claude', 'backup'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
      solo: { chain: ['claude'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
      profile: { chain: ['haiku'], timeouts: TIMEOUTS },
      'embed-titan': { chain: ['titan'] },
      'embed-cohere': { chain: ['cohere'] },
    },
  } as ConfigInput;
}

describe('a Bedrock deployment behind the gateway (mock, wire: bedrock)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());
  beforeEach(() => {
    setFaults('bedrock', []);
    setFaults('backup', []);
  });

  function setFaults(provider: string, faults: FaultSpec[]): void {
    const control = gw.gateway.faults(provider);
    assert.ok(control, `${provider} is a mock`);
    control.set(faults);
  }

  function stats(provider: string): MockStats {
    return gw.gateway.faults(provider)?.stats() as MockStats;
  }

  async function post(body: object): Promise<{ status: number; text: string }> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  }

  test('the openai client gets a chat completion translated from Converse, its id the Bedrock request id', async () => {
    const { data, response } = await gw.client.chat.completions
      .create({ model: 'chat', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello from openai' }], max_tokens: 500, temperature: 0.3 })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'claude');
    assert.equal(data.object, 'chat.completion');
    assert.match(data.id, UUID);
    assert.equal(data.model, CLAUDE);
    assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from bedrock \(anthropic\.claude-3-5-sonnet-20240620-v1:0\): hello from openai/);
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    assert.ok((data.usage?.prompt_tokens ?? 0) > 0 && (data.usage?.completion_tokens ?? 0) > 0);
    assert.equal(stats('bedrock').unauthorized, 0, 'every request carried a signature the mock verified');
  });

  test('an inference-profile ARN as the model id reaches Converse as one path segment, signed as sent', async () => {
    const data = await gw.client.chat.completions.create({ model: 'profile', messages: [{ role: 'user', content: 'via a profile' }] });
    assert.match(data.choices[0]?.message.content ?? '', new RegExp(`^Mock answer from bedrock \\(${PROFILE_ARN.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): via a profile`));
  });

  test('a streamed answer arrives as chat.completion.chunk deltas decoded from the binary event stream, with usage when asked', async () => {
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'stream through bedrock' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let deltas = 0;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      const piece = chunk.choices[0]?.delta.content;
      if (piece) {
        text += piece;
        deltas++;
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.match(text, /^Mock answer from bedrock \(anthropic\.claude-3-5-sonnet-20240620-v1:0\): stream through bedrock/);
    assert.ok(deltas >= 3, `several text deltas (${deltas})`);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
  });

  test('tool calls come back as tool_calls, whole and streamed, and a tool result round-trips as toolUse/toolResult blocks', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'please call get_weather for Oslo' }];
    const completion = await gw.client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool] });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'mock' });

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool], tool_choice: 'required', stream: true });
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
    assert.ok(streamed.id.length > 0);
    assert.deepEqual(JSON.parse(streamed.arguments), { city: 'mock' });

    const followUp = await gw.client.chat.completions.create({
      model: 'chat',
      tools: [weatherTool],
      messages: [...messages, completion.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '4°C and snowing' }, { role: 'user', content: 'so, warm?' }],
    });
    assert.equal(followUp.choices[0]?.finish_reason, 'stop');
    assert.match(followUp.choices[0]?.message.content ?? '', /so, warm\?/);
  });

  test('embeddings through Titan v2 and Cohere embed come back in the canonical shape (the openai client asks for base64)', async () => {
    const titan = await gw.client.embeddings.create({ model: 'embed-titan', input: ['first text', 'second text'], dimensions: 256 });
    assert.equal(titan.object, 'list');
    assert.equal(titan.data.length, 2);
    assert.deepEqual(
      titan.data.map((item) => [item.index, item.embedding.length]),
      [
        [0, 256],
        [1, 256],
      ],
    );
    assert.ok((titan.usage?.prompt_tokens ?? 0) > 0);
    const norm = Math.sqrt(titan.data[0]!.embedding.reduce((sum, value) => sum + value * value, 0));
    assert.ok(Math.abs(norm - 1) < 1e-3, `unit length (${norm})`);

    const cohere = await gw.client.embeddings.create({ model: 'embed-cohere', input: ['a', 'b', 'c'], encoding_format: 'float' });
    assert.equal(cohere.data.length, 3);
    assert.ok(cohere.data.every((item, index) => item.index === index && item.embedding.length > 0));
    assert.ok((cohere.usage?.prompt_tokens ?? 0) > 0);
  });

  test('a ThrottlingException from the Bedrock deployment falls back to the next deployment', async () => {
    setFaults('bedrock', [{ kind: 'rate_limit', retry_after_s: 30 }]);
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'throttled?' }] }).withResponse();
    assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from backup \(mock-backup\)/);
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'rate_limit_429');
    const log = gw.gateway.recentRequest(response.headers.get('x-request-id') ?? '');
    const first = log?.served.attempts[0];
    assert.equal(first?.shape, 'rate_limit_429');
    assert.equal(first?.upstreamStatus, 429);
    assert.equal(first?.message, 'Too many requests, please wait before trying again.');
  });

  test('ServiceUnavailableException, "Input is too long" and ServiceQuotaExceededException each move the route on, with their shapes', async () => {
    for (const [fault, shape] of [
      [{ kind: 'error', status: 503 }, 'upstream_5xx'],
      [{ kind: 'context_overflow', max_context_tokens: 1000 }, 'context_overflow'],
      [{ kind: 'quota' }, 'quota_exhausted'],
    ] as Array<[FaultSpec, string]>) {
      setFaults('bedrock', [fault]);
      const { response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }).withResponse();
      assert.equal(response.headers.get('x-switchyard-deployment'), 'backup', fault.kind);
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), shape, fault.kind);
    }
  });

  test('a guardrail intervention (stopReason guardrail_intervened) on a whole answer falls back as guardrail_block', async () => {
    setFaults('bedrock', [{ kind: 'content_filter', mode: 'error' }]);
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'blocked?' }] }).withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'guardrail_block');
    assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from backup/);
  });

  test('a stream that fails before any content (an exception frame, or the connection cut between frames) falls back', async () => {
    for (const [fault, shape] of [
      [{ kind: 'stream_error', after_chunks: 1 }, 'upstream_5xx'],
      [{ kind: 'stream_cut', after_chunks: 1 }, 'connection_error'],
    ] as Array<[FaultSpec, string]>) {
      setFaults('bedrock', [fault]);
      const { data: stream, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'fall back' }], stream: true }).withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(response.headers.get('x-switchyard-deployment'), 'backup', fault.kind);
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), shape, fault.kind);
      assert.match(text, /^Mock answer from backup/, fault.kind);
    }
  });

  test('an https image URL is refused with a 400 that says to send bytes, before any call to Bedrock', async () => {
    const before = stats('bedrock').requests;
    const res = await post({
      model: 'solo',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }],
    });
    assert.equal(res.status, 400, res.text);
    const body = JSON.parse(res.text) as { error: { message: string; param: string } };
    assert.match(body.error.message, /base64 data URL/);
    assert.equal(body.error.param, 'messages[0].content[1].image_url.url');
    assert.equal(stats('bedrock').requests, before, 'nothing was sent upstream');
  });

  test('the signing secret never appears in an error a client sees, even when the upstream message echoes it', async () => {
    setFaults('bedrock', [{ kind: 'error', status: 500, message: `internal failure while checking ${BEDROCK_SECRET}` }]);
    const res = await post({ model: 'solo', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.status, 502);
    assert.ok(!res.text.includes(BEDROCK_SECRET), res.text);
    assert.match(res.text, /internal failure while checking \[redacted\]/);

    setFaults('bedrock', [{ kind: 'auth' }]);
    const auth = await post({ model: 'solo', messages: [{ role: 'user', content: 'x' }] });
    assert.ok(!auth.text.includes(BEDROCK_SECRET), auth.text);
    assert.match(auth.text, /rejected the gateway's credentials/);
  });
});
