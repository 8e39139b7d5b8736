/** Converse usage in the gateway's terms: cache reads and writes inside the input tokens, 1-hour writes apart. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapBedrockUsage } from '../../../src/providers/bedrock/map-bedrock-response.js';

test('cache reads and writes count as input; the 1-hour writes of cacheDetails are kept apart', () => {
  const usage = mapBedrockUsage({
    inputTokens: 10,
    outputTokens: 5,
    cacheReadInputTokens: 100,
    cacheWriteInputTokens: 3000,
    cacheDetails: [
      { ttl: '1h', inputTokens: 2000 },
      { ttl: '5m', inputTokens: 1000 },
    ],
  });
  assert.deepEqual(usage, { inputTokens: 3110, outputTokens: 5, cachedInputTokens: 100, cacheWriteInputTokens: 3000, cacheWrite1hInputTokens: 2000 });
});

test('without 1-hour details, or without writes, there are no 1-hour writes; more than were written count as all of them', () => {
  assert.equal(mapBedrockUsage({ inputTokens: 10, outputTokens: 5, cacheWriteInputTokens: 3000, cacheDetails: [{ ttl: '5m', inputTokens: 3000 }] })?.cacheWrite1hInputTokens, undefined);
  assert.equal(mapBedrockUsage({ inputTokens: 10, outputTokens: 5, cacheWriteInputTokens: 3000 })?.cacheWrite1hInputTokens, undefined);
  assert.equal(mapBedrockUsage({ inputTokens: 10, outputTokens: 5, cacheDetails: [{ ttl: '1h', inputTokens: 50 }] })?.cacheWrite1hInputTokens, undefined);
  assert.equal(mapBedrockUsage({ inputTokens: 10, outputTokens: 5, cacheWriteInputTokens: 40, cacheDetails: [{ ttl: '1h', inputTokens: 50 }] })?.cacheWrite1hInputTokens, 40);
});
