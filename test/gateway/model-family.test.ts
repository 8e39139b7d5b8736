/**
 * A deployment's `model_family`: the public model name its `model` stands for, when the name does
 * not say (a Bedrock application inference profile ARN, an alias, a fine-tune). The adapters read
 * a model's rules (which thinking it takes, whether it reasons) from it instead of from `model`,
 * which still names the model to the upstream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConfigInput } from '../../src/config/schema.js';
import { convertToAnthropicRequest } from '../../src/providers/anthropic/convert-to-anthropic-request.js';
import { DEFAULT_MAX_TOKENS } from '../../src/providers/anthropic/index.js';
import { convertToBedrockRequest } from '../../src/providers/bedrock/convert-to-bedrock-request.js';
import { convertToCohereRequest } from '../../src/providers/cohere/convert-to-cohere-request.js';
import { convertToGeminiRequest } from '../../src/providers/gemini/convert-to-gemini-request.js';
import type { ChatBody, JsonObject } from '../../src/providers/types.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';

const ASK = { model: 'chat', messages: [{ role: 'user', content: 'think it through' }], reasoning_effort: 'high' } as ChatBody;
const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456';

describe("the adapters read a model's rules from model_family when it is given", () => {
  test('Anthropic: an alias that stands for Opus 4.6 gets adaptive thinking; the alias alone, a budget', () => {
    const convert = (modelFamily?: string) => convertToAnthropicRequest(ASK, { model: 'claude-house-alias', modelFamily, defaultMaxTokens: DEFAULT_MAX_TOKENS, stream: false }).body;
    assert.deepEqual(convert('claude-opus-4-6').thinking, { type: 'adaptive' });
    assert.equal(convert('claude-opus-4-6').model, 'claude-house-alias', 'the upstream still gets the deployment model');
    assert.equal((convert(undefined).thinking as JsonObject).type, 'enabled');
  });

  test('Bedrock: an application inference profile ARN that stands for Claude is asked to think; the ARN alone says nothing, so no thinking', () => {
    const convert = (modelFamily?: string) => convertToBedrockRequest(ASK, { model: PROFILE_ARN, modelFamily }).body;
    assert.deepEqual((convert('claude-sonnet-4-5').additionalModelRequestFields as JsonObject).thinking, { type: 'enabled', budget_tokens: 24576 });
    assert.deepEqual((convert('us.anthropic.claude-opus-4-6-v1').additionalModelRequestFields as JsonObject).thinking, { type: 'adaptive' });
    assert.equal(convert(undefined).additionalModelRequestFields, undefined);
  });

  test('Gemini: a tuned model that stands for Gemini 3 Pro gets a thinking level; the tuned name alone, a budget', () => {
    const thinking = (modelFamily?: string) => (convertToGeminiRequest(ASK, { stream: false, model: 'tunedModels/weather-7f3a', modelFamily }).generationConfig as JsonObject).thinkingConfig as JsonObject;
    assert.equal(thinking('gemini-3-pro-preview').thinkingLevel, 'high');
    assert.equal(thinking(undefined).thinkingLevel, undefined);
    assert.equal(typeof thinking(undefined).thinkingBudget, 'number');
  });

  test('Cohere: a fine-tune of Command A Reasoning is asked to think; the fine-tune alone is not', () => {
    assert.deepEqual(convertToCohereRequest(ASK, 'my-command-finetune', { stream: false, modelFamily: 'command-a-reasoning-08-2025' }).thinking, { type: 'enabled', token_budget: 24576 });
    assert.equal(convertToCohereRequest(ASK, 'my-command-finetune', { stream: false }).thinking, undefined);
  });
});

describe('model_family from the config reaches the adapter (a Bedrock profile ARN, mock wire: bedrock)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' } },
      providers: { bedrock: { type: 'mock', wire: 'bedrock', api_key: 'bedrock-mock-secret-model-family' } },
      deployments: {
        named: { provider: 'bedrock', model: PROFILE_ARN, model_family: 'claude-sonnet-4-5' },
        unnamed: { provider: 'bedrock', model: PROFILE_ARN },
      },
      routes: { named: { chain: ['named'] }, unnamed: { chain: ['unnamed'] } },
    } as ConfigInput);
  });
  after(() => gw.close());

  test('the deployment with model_family thinks; the same ARN without it answers without reasoning', async () => {
    const ask = (model: string) => gw.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'why is the sky blue' }], reasoning_effort: 'low' });
    const named = (await ask('named')).choices[0]?.message as { reasoning_content?: string; content: string | null };
    assert.ok(named.reasoning_content, 'reasoning came back');
    const unnamed = (await ask('unnamed')).choices[0]?.message as { reasoning_content?: string; content: string | null };
    assert.equal(unnamed.reasoning_content, undefined);
    assert.ok(unnamed.content);
  });
});
