import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad } from '../../src/drill/run-load.js';

describe('runLoad (open loop)', () => {
  test('keeps sending on schedule while earlier requests are still waiting for an answer', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const due: number[] = [];
    const sent = await runLoad({
      rps: 100,
      durationMs: 200,
      fire: async (scheduledAt) => {
        due.push(scheduledAt);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(400);
        inFlight--;
      },
    });
    assert.equal(sent, 20);
    // A closed loop would never have more than one in flight; the open loop had them all.
    assert.equal(maxInFlight, 20);
    assert.equal(inFlight, 0, 'resolves only once every request settled');
    const gaps = due.slice(1).map((t, i) => t - (due[i] as number));
    for (const gap of gaps) assert.ok(Math.abs(gap - 10) < 1e-6, `scheduled 10 ms apart, got ${gap}`);
  });

  test('sends duration × rate requests even when the interval is not a whole number of ms', async () => {
    let fired = 0;
    const sent = await runLoad({ rps: 30, durationMs: 300, fire: async () => void fired++ });
    assert.equal(sent, 9);
    assert.equal(fired, 9);
  });

  test('stops sending when aborted and still waits for the requests in flight', async () => {
    const controller = new AbortController();
    let settled = 0;
    const run = runLoad({
      rps: 50,
      durationMs: 60_000,
      signal: controller.signal,
      fire: async () => {
        await sleep(50);
        settled++;
      },
    });
    await sleep(100);
    controller.abort();
    const sent = await run;
    assert.ok(sent >= 1 && sent < 100, `sent ${sent}`);
    assert.equal(settled, sent);
  });
});
