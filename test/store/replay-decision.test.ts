import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load-config.js';
import { replayDecision } from '../../src/replay/replay-decision.js';
import { rowsOfEvent } from '../../src/store/rows-of-event.js';
import { attempt, eventOf } from './log-fixtures.js';

function config(route: Record<string, unknown>) {
  return parseConfig({
    log: { level: 'silent' },
    telemetry: { request_log: { store: 'off' } },
    providers: { p: { type: 'mock' } },
    deployments: { primary: { provider: 'p', model: 'a' }, backup: { provider: 'p', model: 'b' }, spare: { provider: 'p', model: 'c' } },
    routes: { chat: { chain: ['primary', 'backup'], ...route } },
  });
}

describe('decision replay (engine level)', () => {
  test('a walk the breakers reordered then is replayed in that order, not as a change', async () => {
    // Then: primary was degraded, so health ordering tried backup first and it served.
    const logged = rowsOfEvent(eventOf({ requestId: 'r', served: { attempts: [attempt({ deployment: 'backup', outcome: 'served' })] } }));
    const report = await replayDecision(logged, config({ order: 'health' }));
    assert.equal(report.changed, false);
    assert.deepEqual(report.now?.hops.map((h) => `${h.deployment}:${h.outcome}:${h.source}`), ['backup:served:recorded']);
    assert.ok(report.notes.some((note) => /order they were tried then \(backup, primary\)/.test(note)));
    const fixed = await replayDecision(logged, config({ order: 'fixed' }));
    assert.equal(fixed.changed, true, 'with a fixed order the primary, not tried then, now comes first');
    assert.deepEqual(fixed.now?.hops.map((h) => `${h.deployment}:${h.source}`), ['primary:assumed']);
  });

  test('a step skipped for an open circuit is skipped again, and a downgrade rule now jumps to its target', async () => {
    const logged = rowsOfEvent(
      eventOf({
        requestId: 'r',
        served: {
          fallbackReason: 'circuit_open',
          attempts: [attempt({ deployment: 'primary', outcome: 'skipped', message: 'circuit open' }), attempt({ deployment: 'backup', outcome: 'failed', shape: 'rate_limit_429', status: 429, code: 'rate_limited', hop: 2 })],
        },
      }),
    );
    const report = await replayDecision(logged, config({ order: 'fixed', chain: ['primary', 'backup'], policy: { rate_limit_429: { downgrade: 'spare' } } }));
    assert.deepEqual(report.now?.hops.map((h) => `${h.deployment}:${h.outcome}:${h.decision}`), ['primary:skipped:skip: next backup', 'backup:failed:downgrade: spare', 'spare:served:served']);
    assert.equal(report.now?.hops[1]?.why, 'route policy rate_limit_429: downgrade to spare');
    assert.deepEqual(report.now?.outcome, { servedBy: 'spare', status: 200, fallbackReason: 'circuit_open' });
    assert.equal(report.changed, true);
  });

  test('a route that is gone from the config is reported, not replayed', async () => {
    const logged = rowsOfEvent(eventOf({ requestId: 'r', route: 'old-route' }));
    const report = await replayDecision(logged, config({}));
    assert.equal(report.now, undefined);
    assert.match(report.notes[0] ?? '', /'old-route' is not in this config/);
  });
});
