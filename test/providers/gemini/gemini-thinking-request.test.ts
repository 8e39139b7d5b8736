/**
 * `reasoning_effort` as Gemini's `thinkingConfig`: a level for Gemini 3 (the next one up where the
 * model lacks it), a budget clipped to the model's range for Gemini 2.5, the nearest to off where
 * a model cannot stop thinking, nothing without an effort or for a model that does not think.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import { THINKING_BUDGET, type ReasoningBody } from '../../../src/providers/canonical/reasoning.js';
import { convertToGeminiRequest } from '../../../src/providers/gemini/convert-to-gemini-request.js';
import type { JsonObject } from '../../../src/providers/types.js';

function thinkingConfig(model: string, effort: unknown, budget?: number): unknown {
  const body: ReasoningBody = { model: 'route', messages: [{ role: 'user', content: 'think' }] };
  if (effort !== undefined) body.reasoning_effort = effort as string;
  if (budget !== undefined) body[THINKING_BUDGET] = budget;
  const request = convertToGeminiRequest(body, { stream: false, model });
  return (request.generationConfig as JsonObject | undefined)?.thinkingConfig;
}

const EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;

/** What each effort becomes, per model: a level (Gemini 3) or a budget (the rest), with thought summaries asked for. */
const ON: Array<{ model: string; expect: Record<(typeof EFFORTS)[number], JsonObject> }> = [
  {
    model: 'gemini-2.5-flash',
    expect: { minimal: { thinkingBudget: 1024 }, low: { thinkingBudget: 4096 }, medium: { thinkingBudget: 10240 }, high: { thinkingBudget: 24576 }, xhigh: { thinkingBudget: 24576 } },
  },
  {
    model: 'gemini-2.5-pro',
    expect: { minimal: { thinkingBudget: 1024 }, low: { thinkingBudget: 4096 }, medium: { thinkingBudget: 10240 }, high: { thinkingBudget: 24576 }, xhigh: { thinkingBudget: 32768 } },
  },
  {
    model: 'gemini-2.5-flash-lite',
    expect: { minimal: { thinkingBudget: 1024 }, low: { thinkingBudget: 4096 }, medium: { thinkingBudget: 10240 }, high: { thinkingBudget: 24576 }, xhigh: { thinkingBudget: 24576 } },
  },
  {
    model: 'gemini-3-pro-preview',
    expect: { minimal: { thinkingLevel: 'low' }, low: { thinkingLevel: 'low' }, medium: { thinkingLevel: 'high' }, high: { thinkingLevel: 'high' }, xhigh: { thinkingLevel: 'high' } },
  },
  {
    model: 'gemini-3.1-pro-preview',
    expect: { minimal: { thinkingLevel: 'low' }, low: { thinkingLevel: 'low' }, medium: { thinkingLevel: 'medium' }, high: { thinkingLevel: 'high' }, xhigh: { thinkingLevel: 'high' } },
  },
  {
    model: 'gemini-3-flash-preview',
    expect: { minimal: { thinkingLevel: 'minimal' }, low: { thinkingLevel: 'low' }, medium: { thinkingLevel: 'medium' }, high: { thinkingLevel: 'high' }, xhigh: { thinkingLevel: 'high' } },
  },
  {
    model: 'gemini-3.1-flash-lite-preview',
    expect: { minimal: { thinkingLevel: 'minimal' }, low: { thinkingLevel: 'low' }, medium: { thinkingLevel: 'medium' }, high: { thinkingLevel: 'high' }, xhigh: { thinkingLevel: 'high' } },
  },
];

describe('reasoning_effort to thinkingConfig', () => {
  for (const { model, expect } of ON) {
    test(`${model}: each effort becomes ${'thinkingLevel' in expect.high ? 'a level it takes' : 'a budget within its range'}, with includeThoughts`, () => {
      for (const effort of EFFORTS) assert.deepEqual(thinkingConfig(model, effort), { ...expect[effort], includeThoughts: true }, `${model} ${effort}`);
    });
  }

  test('"none" turns thinking off where the model can (budget 0), else asks for the least it takes, and no thought summaries', () => {
    assert.deepEqual(thinkingConfig('gemini-2.5-flash', 'none'), { thinkingBudget: 0 });
    assert.deepEqual(thinkingConfig('gemini-2.5-flash-lite', 'none'), { thinkingBudget: 0 });
    assert.deepEqual(thinkingConfig('gemini-2.5-pro', 'none'), { thinkingBudget: 128 });
    assert.deepEqual(thinkingConfig('gemini-3-pro-preview', 'none'), { thinkingLevel: 'low' });
    assert.deepEqual(thinkingConfig('gemini-3.1-pro-preview', 'none'), { thinkingLevel: 'low' });
    assert.deepEqual(thinkingConfig('gemini-3-flash-preview', 'none'), { thinkingLevel: 'minimal' });
  });

  test('without reasoning_effort nothing is sent: the model thinks as its default has it, and the request is as before', () => {
    for (const { model } of ON) assert.equal(thinkingConfig(model, undefined), undefined);
    const request = convertToGeminiRequest({ model: 'route', messages: [{ role: 'user', content: 'x' }] }, { stream: false, model: 'gemini-3-pro-preview' });
    assert.equal(request.generationConfig, undefined);
    assert.equal(thinkingConfig('gemini-2.5-flash', null), undefined);
  });

  test('an exact budget (from a Messages request) is used as asked, clipped to the model’s range', () => {
    assert.deepEqual(thinkingConfig('gemini-2.5-flash', 'medium', 2000), { thinkingBudget: 2000, includeThoughts: true });
    assert.deepEqual(thinkingConfig('gemini-2.5-pro', 'xhigh', 50000), { thinkingBudget: 32768, includeThoughts: true });
    assert.deepEqual(thinkingConfig('gemini-2.5-flash-lite', 'minimal', 100), { thinkingBudget: 512, includeThoughts: true });
    assert.deepEqual(thinkingConfig('gemini-2.5-pro', 'minimal', 64), { thinkingBudget: 128, includeThoughts: true });
    // Gemini 3 takes a level: the effort the budget was read as.
    assert.deepEqual(thinkingConfig('gemini-3-flash-preview', 'low', 3000), { thinkingLevel: 'low', includeThoughts: true });
  });

  test('a model that does not think (Gemini 2.0 and earlier, Gemma) gets no thinkingConfig, whatever the effort', () => {
    for (const model of ['gemini-2.0-flash', 'gemini-2.0-flash-lite', 'gemini-1.5-pro', 'gemma-3-27b-it']) {
      for (const effort of ['none', 'minimal', 'high']) assert.equal(thinkingConfig(model, effort), undefined, `${model} ${effort}`);
    }
  });

  test('a name without a generation gets a budget (every thinking generation takes one), by tier where it names one', () => {
    assert.deepEqual(thinkingConfig('gemini-flash-latest', 'xhigh'), { thinkingBudget: 24576, includeThoughts: true });
    assert.deepEqual(thinkingConfig('gemini-pro-latest', 'none'), { thinkingBudget: 128 });
    assert.deepEqual(thinkingConfig('tunedModels/my-model-123', 'xhigh'), { thinkingBudget: 24576, includeThoughts: true });
    // Vertex resource paths are read for the model they name.
    assert.deepEqual(thinkingConfig('projects/p/locations/global/publishers/google/models/gemini-3-pro-preview', 'medium'), { thinkingLevel: 'high', includeThoughts: true });
    assert.deepEqual(thinkingConfig('projects/p/locations/global/publishers/google/models/gemini-3-flash-preview', 'minimal'), { thinkingLevel: 'minimal', includeThoughts: true });
    assert.deepEqual(thinkingConfig('models/gemini-2.5-flash-lite', 'none'), { thinkingBudget: 0 });
  });

  test('an unknown reasoning_effort is the client’s 400, naming the parameter', () => {
    for (const effort of ['max', 'HIGH', 3, true]) {
      assert.throws(
        () => thinkingConfig('gemini-2.5-flash', effort),
        (err: unknown) => err instanceof GatewayError && err.status === 400 && err.shape === 'client_error' && err.param === 'reasoning_effort',
        String(effort),
      );
    }
  });

  test('thinkingConfig sits beside the other generation settings', () => {
    const request = convertToGeminiRequest({ model: 'route', messages: [{ role: 'user', content: 'x' }], temperature: 0.2, max_tokens: 500, reasoning_effort: 'low' }, { stream: true, model: 'gemini-2.5-flash' });
    assert.deepEqual(request.generationConfig, { temperature: 0.2, maxOutputTokens: 500, thinkingConfig: { thinkingBudget: 4096, includeThoughts: true } });
  });
});
