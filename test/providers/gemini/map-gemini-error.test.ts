/** Google's error bodies as failure shapes: the content-filter wording read from the head of a message, however long the message. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapGeminiError, mapGeminiStreamError } from '../../../src/providers/gemini/map-gemini-error.js';

const answer = (message: string) => ({ status: 400, bodyText: JSON.stringify({ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }), headers: {}, secrets: [] });

test("a request Google refuses for what it says is a guardrail_block; the wording is read from the message's head, and a long message costs no more than its head", () => {
  assert.equal(mapGeminiError(answer('The prompt violates our usage policies.')).shape, 'guardrail_block');
  assert.equal(mapGeminiError(answer(`The input violated the acceptable use policy. ${'Details follow. '.repeat(20_000)}`)).shape, 'guardrail_block');
  assert.equal(mapGeminiStreamError({ error: { code: 400, message: 'Response was blocked: it violates the content policy', status: 'INVALID_ARGUMENT' } }, []).shape, 'guardrail_block');
  // 160 KB of "violates " with no "polic" anywhere: the content-filter pattern once searched all of it, from every start.
  const wordy = answer('violates '.repeat(18_000));
  const error = mapGeminiError(wordy);
  assert.equal(error.shape, 'client_error');
  assert.equal(error.status, 400);
  // Wording past the head is not read.
  assert.equal(mapGeminiError(answer(`${'x'.repeat(3_000)} violates policy`)).shape, 'client_error');
});
