/**
 * Prompt caching end to end: a client marks its prompt with `cache_control` (Claude Code through
 * `POST /v1/messages` with the real `@anthropic-ai/sdk`, or an OpenAI-format client with the marks
 * LiteLLM and OpenCode write), the gateway carries the marks to the mock's Anthropic dialect, which
 * checks them as Anthropic does and caches the marked prefix, and the second request reads what the
 * first wrote. An OpenAI-format upstream behind a Messages route gets no mark at all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { startRecordingUpstream, userRequests, type RecordingUpstream } from '../../helpers/recording-upstream.js';
import { parsePrometheus, valueOf } from '../../telemetry/metrics/parse-prometheus.js';

const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };
const MARK = { type: 'ephemeral' as const };
const HOUR_MARK = { type: 'ephemeral' as const, ttl: '1h' as const };
/** The mock's model, priced here (USD per million tokens) so that what each kind of token costs shows in the cost metric. */
const PRICE = { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3, cache_write_input_per_mtok: 3.75, cache_write_1h_input_per_mtok: 6 };

/** A system prompt long enough to be cached (over 1,024 tokens, at about four characters a token). */
const LONG_RULES = `You are a careful coding agent. ${'Read the code before you change it; keep every change small and tested. '.repeat(80)}`;

const TOOLS = [
  { name: 'read_file', description: 'Read a file.', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } },
  { name: 'edit_file', description: 'Edit a file.', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } }, cache_control: MARK },
];

/** Usage as the openai client sees it, with the gateway's count of cache writes. */
type CachedUsage = { prompt_tokens: number; prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } };

describe('prompt caching through the gateway (mock, wire: anthropic)', () => {
  let gw: GatewayFixture;
  let anthropic: Anthropic;
  let gpt: RecordingUpstream;

  before(async () => {
    gpt = await startRecordingUpstream();
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' }, pricing: { models: { 'claude-sonnet-4-5': PRICE } } },
      providers: {
        claude: { type: 'mock', wire: 'anthropic', api_key: 'claude-mock-key-prompt-cache' },
        gpt: { type: 'openai', api_key: 'sk-upstream-gpt-prompt-cache-0123', base_url: gpt.url },
      },
      deployments: {
        claude: { provider: 'claude', model: 'claude-sonnet-4-5' },
        gpt: { provider: 'gpt', model: 'gpt-4o' },
      },
      routes: {
        claude: { chain: ['claude'], timeouts: TIMEOUTS },
        gpt: { chain: ['gpt'], timeouts: TIMEOUTS },
      },
    } as ConfigInput);
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await gpt.close();
  });

  /** A request as Claude Code makes one: the system prompt and the tools marked, and the last user block. */
  function claudeCodeRequest(question: string, model = 'claude'): Anthropic.MessageCreateParamsNonStreaming {
    return {
      model,
      max_tokens: 1024,
      system: [
        { type: 'text', text: 'You are Claude Code.' },
        { type: 'text', text: LONG_RULES, cache_control: MARK },
      ],
      tools: TOOLS,
      messages: [{ role: 'user', content: [{ type: 'text', text: question, cache_control: MARK }] }],
    };
  }

  test('Claude Code: the first request writes the marked prompt to the cache, the next reads it, whole and streamed', async () => {
    const first = await anthropic.messages.create(claudeCodeRequest('What does main.ts do?'));
    assert.ok(first.usage.cache_creation_input_tokens && first.usage.cache_creation_input_tokens > 1024, JSON.stringify(first.usage));
    assert.equal(first.usage.cache_read_input_tokens, 0);

    const second = await anthropic.messages.create(claudeCodeRequest('What does main.ts do?'));
    assert.equal(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens, 'all of it read back');
    assert.equal(second.usage.cache_creation_input_tokens, 0);
    assert.ok(second.usage.input_tokens < first.usage.input_tokens + (first.usage.cache_creation_input_tokens ?? 0));

    // A new question after the same system prompt and tools: that prefix is read, the new turn written.
    const streamed = await anthropic.messages.stream({ ...claudeCodeRequest('And what does util.ts do?') }).finalMessage();
    assert.ok((streamed.usage.cache_read_input_tokens ?? 0) > 1024, JSON.stringify(streamed.usage));
    assert.ok((streamed.usage.cache_read_input_tokens ?? 0) < (first.usage.cache_creation_input_tokens ?? 0));
    assert.ok((streamed.usage.cache_creation_input_tokens ?? 0) > 0);
  });

  test('1-hour marks: the writes up to the last one are 1-hour writes, counted apart and priced at their own rate, whole and streamed', async () => {
    const costSoFar = async (): Promise<number> => valueOf(parsePrometheus(await fetch(`${gw.url}/metrics`).then((res) => res.text())), 'switchyard_cost_usd_total', { deployment: 'claude' });
    const request = (question: string): Anthropic.MessageCreateParamsNonStreaming => ({
      model: 'claude',
      max_tokens: 1024,
      system: [{ type: 'text', text: `An hour's rules. ${LONG_RULES}`, cache_control: HOUR_MARK }],
      messages: [{ role: 'user', content: [{ type: 'text', text: `${question} ${'Some context for this question only. '.repeat(40)}`, cache_control: MARK }] }],
    });
    const before = await costSoFar();
    const first = await anthropic.messages.create(request('What do the rules say?'));
    const written = first.usage.cache_creation_input_tokens ?? 0;
    const hour = first.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    const fiveMinutes = first.usage.cache_creation?.ephemeral_5m_input_tokens ?? 0;
    assert.ok(hour > 1024, `the system prompt went to the 1-hour cache: ${JSON.stringify(first.usage)}`);
    assert.ok(fiveMinutes > 0, `the question went to the 5-minute one: ${JSON.stringify(first.usage)}`);
    assert.equal(hour + fiveMinutes, written);
    const cost = (await costSoFar()) - before;
    const expected = (first.usage.input_tokens * PRICE.input_per_mtok + fiveMinutes * PRICE.cache_write_input_per_mtok + hour * PRICE.cache_write_1h_input_per_mtok + first.usage.output_tokens * PRICE.output_per_mtok) / 1e6;
    assert.ok(Math.abs(cost - expected) < 1e-12, `cost ${cost}, expected ${expected}`);

    // Streamed, a new question: the hour's prefix is read, the new question written for five minutes.
    // The split comes in message_delta: the gateway's message_start cannot know it (null there), and
    // the SDK keeps message_start's, so it is read off the event.
    const stream = anthropic.messages.stream(request('And what do they leave out?'));
    const deltas: Anthropic.MessageDeltaUsage[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') assert.equal(event.message.usage.cache_creation, null);
      if (event.type === 'message_delta') deltas.push(event.usage);
    });
    const streamed = await stream.finalMessage();
    assert.equal(streamed.usage.cache_read_input_tokens, hour, JSON.stringify(streamed.usage));
    const split = (deltas[0] as { cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } } | undefined)?.cache_creation;
    assert.deepEqual(split, { ephemeral_5m_input_tokens: streamed.usage.cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 }, JSON.stringify(deltas));
    assert.ok((streamed.usage.cache_creation_input_tokens ?? 0) > 0, JSON.stringify(streamed.usage));
  });

  test('an OpenAI-format client with LiteLLM\'s part marks and OpenCode\'s message marks caches the same way, and sees the counts', async () => {
    const params = {
      model: 'claude',
      messages: [
        { role: 'system' as const, content: [{ type: 'text' as const, text: LONG_RULES, cache_control: MARK }] },
        { role: 'user' as const, content: 'Summarise the rules.', cache_control: MARK },
      ],
    };
    const first = await gw.client.chat.completions.create(params as never);
    const written = (first.usage as CachedUsage).prompt_tokens_details?.cache_write_tokens ?? 0;
    assert.ok(written > 1024, JSON.stringify(first.usage));
    const second = await gw.client.chat.completions.create(params as never);
    const usage = second.usage as CachedUsage;
    assert.equal(usage.prompt_tokens_details?.cached_tokens, written);
    assert.equal(usage.prompt_tokens_details?.cache_write_tokens, undefined, 'nothing written: no such field');
  });

  test('marks Anthropic refuses are its 400, passed on: five of them', async () => {
    const five = claudeCodeRequest('Too many marks?');
    five.tools = TOOLS.map((tool) => ({ ...tool, cache_control: MARK }));
    five.messages = [{ role: 'user', content: [{ type: 'text', text: 'a', cache_control: MARK }, { type: 'text', text: 'b', cache_control: MARK }] }];
    const err = await anthropic.messages.create(five).catch((error: unknown) => error);
    assert.ok(err instanceof Anthropic.BadRequestError, String(err));
    assert.match(err.message, /A maximum of 4 blocks with cache_control may be provided\. Found 5\./);
  });

  test('a Messages route served by an OpenAI-format upstream: no mark reaches it, and the system prompt is one text as before', async () => {
    await anthropic.messages.create(claudeCodeRequest('Hello?', 'gpt'));
    const sent = userRequests(gpt).at(-1)?.body;
    assert.ok(sent);
    assert.doesNotMatch(JSON.stringify(sent), /cache_control/);
    const messages = sent.messages as { role: string; content: unknown }[];
    assert.equal(messages[0]?.content, `You are Claude Code.\n\n${LONG_RULES}`);
    assert.equal(messages[1]?.content, 'Hello?');
  });
});
