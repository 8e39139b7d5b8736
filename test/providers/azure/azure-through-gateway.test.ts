/**
 * End to end: the `openai` client talks to the gateway, which serves the route through its real
 * Azure OpenAI adapter against the embedded mock's Azure dialect (`type: mock, wire: azure`:
 * deployments paths, `api-version`, `api-key`) over a real socket, and falls back to an
 * OpenAI-wire mock when Azure fails. A `type: azure` provider is also pointed at a stand-alone mock
 * for the v1 URL form, Entra ID tokens and a wrong key.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import { DEFAULT_AZURE_API_VERSION } from '../../../src/providers/azure/index.js';
import { startMockServer, type FaultSpec, type MockServer, type MockStats } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

/** 32 hex characters, like an Azure resource key, and made up. */
const AZURE_KEY = '7c0ffee0d15ea5e0badc0de0f00dfeed';
const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: {
      azure: { type: 'mock', wire: 'azure', api_key: AZURE_KEY },
      backup: { type: 'mock' },
    },
    deployments: {
      gpt: { provider: 'azure', model: 'my-gpt-4o' },
      embedder: { provider: 'azure', model: 'my-embedding-3-small' },
      backup: { provider: 'backup', model: 'mock-backup' },
    },
    routes: {
      chat: { chain: ['gpt', 'backup'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
      solo: { chain: ['gpt'], timeouts: TIMEOUTS, retry: { schedule_ms: [10], jitter: 0 } },
      embed: { chain: ['embedder'] },
    },
  } as ConfigInput;
}

describe('an Azure OpenAI deployment behind the gateway (mock, wire: azure)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());
  beforeEach(() => {
    setFaults('azure', []);
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

  test('the openai client gets a chat completion from the Azure deployment (deployment name as the model), with its filter annotations', async () => {
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello azure' }] }).withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'gpt');
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'my-gpt-4o');
    assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from azure \(my-gpt-4o\): hello azure/);
    assert.ok('prompt_filter_results' in data, 'Azure fields pass through');
    assert.equal(stats('azure').unauthorized, 0, 'the key went in api-key, as the mock demands');
  });

  test("a stream reaches the client without Azure's choice-less prompt-filter chunk: every chunk is a chat.completion.chunk", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'stream through azure' }], stream: true, stream_options: { include_usage: true } }),
    });
    const events = (await res.text())
      .split('\n\n')
      .map((block) => block.replace(/^data: /, '').trim())
      .filter((data) => data !== '' && data !== '[DONE]')
      .map((data) => JSON.parse(data) as { object: string; id: string; choices: Array<{ delta: { content?: string } }>; prompt_filter_results?: unknown });
    assert.ok(events.length >= 4);
    for (const event of events) {
      assert.equal(event.object, 'chat.completion.chunk');
      assert.notEqual(event.id, '');
      assert.equal(event.prompt_filter_results, undefined);
    }
    const text = events.map((event) => event.choices[0]?.delta.content ?? '').join('');
    assert.match(text, /^Mock answer from azure \(my-gpt-4o\): stream through azure/);

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'via the sdk' }], stream: true, stream_options: { include_usage: true } });
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.prompt_tokens > 0);
  });

  test("legacy completions go to the deployment's /completions path, whole and streamed, without the prompt-filter chunk", async () => {
    const completion = await gw.client.completions.create({ model: 'solo', prompt: 'complete me', max_tokens: 100 });
    assert.equal(completion.object, 'text_completion');
    assert.match(completion.choices[0]?.text ?? '', /^Mock answer from azure \(my-gpt-4o\): complete me/);
    const res = await fetch(`${gw.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo', prompt: 'stream me', max_tokens: 100, stream: true }),
    });
    const events = (await res.text())
      .split('\n\n')
      .map((block) => block.replace(/^data: /, '').trim())
      .filter((data) => data !== '' && data !== '[DONE]')
      .map((data) => JSON.parse(data) as { object: string; choices: Array<{ text: string }> });
    for (const event of events) assert.equal(event.object, 'text_completion');
    assert.match(events.map((event) => event.choices[0]?.text ?? '').join(''), /^Mock answer from azure \(my-gpt-4o\): stream me/);
    assert.equal(stats('azure').unauthorized, 0);
  });

  test('tool calls come back as tool_calls, whole and streamed', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'please call get_weather for Oslo' }];
    const completion = await gw.client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool] });
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages, tools: [weatherTool], stream: true });
    let name = '';
    let args = '';
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        args += delta.function?.arguments ?? '';
      }
    }
    assert.equal(name, 'get_weather');
    assert.deepEqual(JSON.parse(args), { city: 'mock' });
  });

  test('embeddings come from the embedding deployment', async () => {
    const data = await gw.client.embeddings.create({ model: 'embed', input: ['one', 'two'] });
    assert.equal(data.data.length, 2);
    assert.equal(data.model, 'my-embedding-3-small');
    assert.ok(data.data.every((item) => item.embedding.length > 0));
  });

  test("a 429 from Azure falls back to the next deployment as rate_limit_429, its message in Azure's words", async () => {
    setFaults('azure', [{ kind: 'rate_limit', retry_after_s: 30 }]);
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'throttled?' }] }).withResponse();
    assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from backup/);
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'rate_limit_429');
    const first = gw.gateway.recentRequest(response.headers.get('x-request-id') ?? '')?.served.attempts[0];
    assert.equal(first?.upstreamStatus, 429);
    assert.match(first?.message ?? '', /exceeded token rate limit/);
  });

  test("Azure's content filter, as a 400 on the prompt or as a filtered answer, falls back as guardrail_block", async () => {
    for (const mode of ['error', 'finish_reason'] as const) {
      setFaults('azure', [{ kind: 'content_filter', mode }]);
      const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'filtered?' }] }).withResponse();
      assert.equal(response.headers.get('x-switchyard-deployment'), 'backup', mode);
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'guardrail_block', mode);
      assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from backup/, mode);
    }
  });

  test('a resource out of call volume (403) is quota_exhausted, not a rejected key, and moves on', async () => {
    setFaults('azure', [{ kind: 'quota' }]);
    const { response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'quota_exhausted');
  });

  test('the Azure key never appears in an error a client sees', async () => {
    setFaults('azure', [{ kind: 'error', status: 500, message: `backend failed for key ${AZURE_KEY}` }]);
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'solo', messages: [{ role: 'user', content: 'x' }] }) });
    const text = await res.text();
    assert.equal(res.status, 502);
    assert.ok(!text.includes(AZURE_KEY), text);
    assert.match(text, /backend failed for key \[redacted\]/);
  });
});

describe('a type: azure provider against a stand-alone mock', () => {
  let mock: MockServer;
  let gw: GatewayFixture;
  before(async () => {
    mock = await startMockServer({ name: 'azure-resource', apiKey: AZURE_KEY });
    const azure = (extra: Record<string, unknown>) => ({ type: 'azure', base_url: mock.origin, ...extra });
    const providers = {
      deployments: azure({ api_key: AZURE_KEY }),
      v1: azure({ api_key: AZURE_KEY, url_form: 'v1' }),
      entra: azure({ entra_token: AZURE_KEY, url_form: 'v1' }),
      wrong: azure({ api_key: '00000000000000000000000000000000' }),
    };
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      providers,
      deployments: Object.fromEntries(Object.keys(providers).map((name) => [name, { provider: name, model: 'my-gpt-4o' }])),
      routes: Object.fromEntries(Object.keys(providers).map((name) => [name, { chain: [name], timeouts: TIMEOUTS }])),
    } as ConfigInput);
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  test('both URL forms and both credentials are served: deployments with api-version, v1 without (the mock rejects a dated version there)', async () => {
    for (const route of ['deployments', 'v1', 'entra']) {
      const data = await gw.client.chat.completions.create({ model: route, messages: [{ role: 'user', content: `via ${route}` }] });
      assert.match(data.choices[0]?.message.content ?? '', new RegExp(`^Mock answer from azure-resource \\(my-gpt-4o\\): via ${route}`), route);
    }
    assert.equal(mock.stats().notFound, 0);
  });

  test('the mock answers 404 to a deployments path without an api-version, and to a v1 path with a dated one', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'x' }] });
    const headers = { 'content-type': 'application/json', 'api-key': AZURE_KEY };
    const missing = await fetch(`${mock.origin}/openai/deployments/my-gpt-4o/chat/completions`, { method: 'POST', headers, body });
    assert.equal(missing.status, 404);
    const dated = await fetch(`${mock.origin}/openai/v1/chat/completions?api-version=${DEFAULT_AZURE_API_VERSION}`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal(dated.status, 404);
  });

  test('a wrong key is a 401 from the mock and an auth_error in the gateway, naming neither key', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'wrong', messages: [{ role: 'user', content: 'x' }] }) });
    const text = await res.text();
    assert.equal(res.status, 502);
    assert.match(text, /rejected the gateway's credentials/);
    assert.ok(!text.includes(AZURE_KEY) && !text.includes('00000000000000000000000000000000'), text);
    const attempt = gw.gateway.recentRequest(res.headers.get('x-request-id') ?? '')?.served.attempts[0];
    assert.equal(attempt?.shape, 'auth_error');
    assert.equal(attempt?.upstreamStatus, 401);
  });
});
