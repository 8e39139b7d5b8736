import assert from 'node:assert/strict';
import { it } from 'node:test';
import { boundedValues, OTHER_VALUE } from '../../../src/telemetry/metrics/bounded-values.js';

it('passes the first distinct values and folds later new ones into _OTHER, so an upstream cannot grow the series', () => {
  const label = boundedValues(2);
  assert.equal(label('gpt-a'), 'gpt-a');
  assert.equal(label('gpt-b'), 'gpt-b');
  assert.equal(label('gpt-c'), OTHER_VALUE);
  assert.equal(label('gpt-a'), 'gpt-a', 'a value seen before keeps its own label');
});
