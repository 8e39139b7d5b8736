/**
 * The effort a Messages request's thinking asked for reaches an OpenAI-format reasoning model as
 * `reasoning_effort`, and no other model: gpt-4o and its like answer the field with a 400.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { ConfigInput } from '../../../src/config/schema.js';
import { THINKING_EFFORT, type ReasoningBody } from '../../../src/providers/canonical/reasoning.js';
import { withAskedEffort } from '../../../src/providers/openai/asked-effort.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { startRecordingUpstream, userRequests, type RecordingUpstream } from '../../helpers/recording-upstream.js';
import { completeWith } from '../../helpers/scripted-answers.js';

function asked(effort: ReasoningBody[typeof THINKING_EFFORT], extra: Record<string, unknown> = {}): ReasoningBody {
  const body: ReasoningBody = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra };
  body[THINKING_EFFORT] = effort;
  return body;
}

describe('the asked effort, for an OpenAI-format model', () => {
  test('a reasoning model gets it as reasoning_effort, in the efforts every such model takes', () => {
    assert.equal(withAskedEffort(asked('medium'), 'gpt-5-mini').reasoning_effort, 'medium');
    assert.equal(withAskedEffort(asked('xhigh'), 'o3').reasoning_effort, 'high');
    assert.equal(withAskedEffort(asked('minimal'), 'o4-mini').reasoning_effort, 'low');
    assert.equal(withAskedEffort(asked('low'), 'openai/gpt-oss-120b').reasoning_effort, 'low');
    assert.equal(withAskedEffort(asked('high'), 'gpt-5.1').reasoning_effort, 'high');
  });

  test('another model, "none", a request that names its own effort, or a body without the symbol are left as they are', () => {
    for (const model of ['gpt-4o', 'gpt-4.1-mini', 'gpt-5-chat-latest', 'gpt-5.1-chat-latest', 'deepseek-reasoner', 'llama-3.1-8b-instant', 'o1-mini']) {
      const body = asked('high');
      assert.equal(withAskedEffort(body, model), body, model);
    }
    const off = asked('none');
    assert.equal(withAskedEffort(off, 'gpt-5'), off);
    assert.equal(withAskedEffort(asked('high', { reasoning_effort: 'minimal' }), 'gpt-5').reasoning_effort, 'minimal');
    const plain = { model: 'chat', messages: [] };
    assert.equal(withAskedEffort(plain, 'gpt-5'), plain);
  });
});

describe('thinking through /v1/messages to OpenAI-format deployments', () => {
  let upstream: RecordingUpstream;
  let gw: GatewayFixture;
  let anthropic: Anthropic;
  before(async () => {
    upstream = await startRecordingUpstream(completeWith('Thought about it.'));
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' } },
      providers: { compatible: { type: 'openai-compatible', base_url: upstream.url } },
      deployments: {
        reasoner: { provider: 'compatible', model: 'gpt-5-mini' },
        aliased: { provider: 'compatible', model: 'house-reasoner', model_family: 'o4-mini' },
        plain: { provider: 'compatible', model: 'gpt-4o' },
      },
      routes: { reasoner: { chain: ['reasoner'] }, aliased: { chain: ['aliased'] }, plain: { chain: ['plain'] } },
    } as ConfigInput);
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('a reasoning model (by name, or by model_family) gets the asked effort; gpt-4o gets none', async () => {
    const sent = async (model: string) => {
      await anthropic.messages.create({ model, max_tokens: 20000, thinking: { type: 'enabled', budget_tokens: 16000 }, messages: [{ role: 'user', content: 'think' }] });
      return userRequests(upstream).at(-1)?.body;
    };
    assert.equal((await sent('reasoner'))?.reasoning_effort, 'high');
    assert.equal((await sent('aliased'))?.reasoning_effort, 'high');
    assert.equal('reasoning_effort' in ((await sent('plain')) ?? {}), false);
  });
});
