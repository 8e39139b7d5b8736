/**
 * The canonical provider-rotation chain, end to end: Anthropic answering 529, then Bedrock
 * throttling, then OpenAI serving, each a built-in mock speaking its provider's real wire format to
 * the gateway's real adapter. Both client APIs see a normal answer, streamed and not, with tools.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { ConfigInput } from '../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';

const WEATHER_TOOL = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

describe('a chain across providers: Anthropic 529 -> Bedrock throttled -> OpenAI', () => {
  let gw: GatewayFixture;
  let anthropic: Anthropic;
  before(async () => {
    const config: ConfigInput = {
      log: { level: 'silent' },
      server: { admin_token: 'cross-provider-admin' },
      health: { enabled: false },
      providers: {
        anthropic: { type: 'mock', wire: 'anthropic', faults: [{ kind: 'error', status: 529 }] },
        bedrock: { type: 'mock', wire: 'bedrock', api_key: 'bedrock-mock-secret-0123456789', faults: [{ kind: 'rate_limit', retry_after_s: 30 }] },
        openai: { type: 'mock' },
        anthropic_up: { type: 'mock', wire: 'anthropic' },
      },
      deployments: {
        claude: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
        nova: { provider: 'bedrock', model: 'us.amazon.nova-pro-v1:0' },
        gpt: { provider: 'openai', model: 'gpt-4o-mini' },
        claude_up: { provider: 'anthropic_up', model: 'claude-sonnet-4-6' },
      },
      routes: {
        chat: { chain: ['claude', 'nova', 'gpt'], policy: { upstream_5xx: 'next', rate_limit_429: 'next' } },
        // Served by a translated provider: Responses in, Anthropic Messages upstream, Responses out.
        claude: { chain: ['claude_up'] },
      },
    } as ConfigInput;
    gw = await startGateway(config);
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
  });
  after(() => gw.close());

  async function walkOf(requestId: string | null): Promise<string[]> {
    const res = await fetch(`${gw.url}/admin/requests/${requestId}`, { headers: { authorization: 'Bearer cross-provider-admin' } });
    const log = (await res.json()) as { attempts: Array<{ deployment: string; outcome: string; shape?: string }> };
    return log.attempts.map((a) => `${a.deployment}:${a.outcome}${a.shape ? `:${a.shape}` : ''}`);
  }

  const EXPECTED_WALK = ['claude:failed:upstream_5xx', 'nova:failed:rate_limit_429', 'gpt:served'];

  test('the openai client gets a completion and a stream with a tool call, served by the third provider', async () => {
    const { data, response } = await gw.client.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: 'Call get_weather for Oslo' }], tools: [WEATHER_TOOL] })
      .withResponse();
    assert.equal(data.choices[0]?.message.tool_calls?.[0]?.type === 'function' && data.choices[0].message.tool_calls[0].function.name, 'get_weather');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'gpt');
    assert.deepEqual(await walkOf(response.headers.get('x-request-id')), EXPECTED_WALK);

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Call get_weather please' }], tools: [WEATHER_TOOL], stream: true });
    let name = '';
    let args = '';
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.name) name += call.function.name;
      if (call?.function?.arguments) args += call.function.arguments;
    }
    assert.equal(name, 'get_weather');
    assert.deepEqual(JSON.parse(args), { city: 'mock' });
  });

  test('the @anthropic-ai/sdk client on /v1/messages gets a message and a stream with tool use, whatever served it', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } }];
    const { data: message, response } = await anthropic.messages
      .create({ model: 'chat', max_tokens: 200, messages: [{ role: 'user', content: 'Call get_weather for Oslo' }], tools })
      .withResponse();
    assert.equal(message.type, 'message');
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.equal(use?.type === 'tool_use' && use.name, 'get_weather');
    assert.deepEqual(await walkOf(response.headers.get('x-request-id')), EXPECTED_WALK);

    const streamed = await anthropic.messages.stream({ model: 'chat', max_tokens: 200, messages: [{ role: 'user', content: 'Just say hello' }] }).finalMessage();
    assert.equal(streamed.stop_reason, 'end_turn');
    const text = streamed.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    assert.match(text, /Mock answer from openai/);
  });

  test('the openai client on /v1/responses gets a function call, whole and streamed, served by the third provider', async () => {
    const tools = [{ type: 'function' as const, name: 'get_weather', description: 'Weather in a city', parameters: WEATHER_TOOL.function.parameters, strict: false }];
    const { data, response } = await gw.client.responses.create({ model: 'chat', input: 'Call get_weather for Oslo', tools }).withResponse();
    const call = data.output.find((item) => item.type === 'function_call');
    assert.equal(call?.type === 'function_call' && call.name, 'get_weather');
    assert.deepEqual(await walkOf(response.headers.get('x-request-id')), EXPECTED_WALK);

    const final = await gw.client.responses.stream({ model: 'chat', input: 'Call get_weather please', tools }).finalResponse();
    const streamedCall = final.output.find((item) => item.type === 'function_call');
    assert.ok(streamedCall?.type === 'function_call');
    assert.equal(streamedCall.name, 'get_weather');
    assert.deepEqual(JSON.parse(streamedCall.arguments), { city: 'mock' });
  });

  test('/v1/responses served by the Anthropic wire: text and usage, whole and streamed, translated both ways', async () => {
    const whole = await gw.client.responses.create({ model: 'claude', input: 'Just say hello', instructions: 'Be brief.' });
    assert.equal(whole.status, 'completed');
    assert.match(whole.output_text, /Mock answer from anthropic_up/);
    assert.ok((whole.usage?.input_tokens ?? 0) > 0 && (whole.usage?.output_tokens ?? 0) > 0, JSON.stringify(whole.usage));

    const final = await gw.client.responses.stream({ model: 'claude', input: 'Just say hello' }).finalResponse();
    assert.equal(final.status, 'completed');
    assert.match(final.output_text, /Mock answer from anthropic_up/);
    assert.ok((final.usage?.output_tokens ?? 0) > 0, JSON.stringify(final.usage));
  });
});
