/**
 * A real (very short) drill against the in-process demo gateway: real sockets, real mock providers,
 * real faults. Asserts the report's shape and what the demo's chain must do with a 503ing primary.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDrillArgs, type DrillOptions } from '../../src/drill/drill-options.js';
import { executeDrill } from '../../src/drill/run-drill.js';

function drillOptions(args: string[]): DrillOptions {
  const parsed = parseDrillArgs(args, {});
  assert.equal(parsed.help, false);
  return (parsed as { options: DrillOptions }).options;
}

describe('switchyard drill against the in-process demo', () => {
  test('a 503ing primary is absorbed by the backup: every outage request succeeds, through hop 2', async () => {
    const progress: string[] = [];
    const options = drillOptions(['--shapes', 'upstream_5xx,auth_error', '--rps', '20', '--baseline-s', '0.5', '--outage-s', '0.5', '--recovery-s', '0.5']);
    const report = await executeDrill(options, { progress: (line) => progress.push(line), signal: new AbortController().signal });

    assert.equal(report.tool, 'switchyard drill');
    assert.deepEqual(report.target, { kind: 'in-process', config: 'built-in demo config (primary fault removed)' });
    assert.equal(report.route, 'chat');
    assert.equal(report.primary, 'mock-primary');
    assert.equal(report.interrupted, false);
    assert.deepEqual(report.runs.map((run) => `${run.shape}/${run.mode}`), ['upstream_5xx/json', 'auth_error/json']);

    for (const run of report.runs) {
      const { startT, outageT, recoveryT, endT } = run.marks;
      assert.ok(startT < outageT && outageT < recoveryT && recoveryT <= endT, `marks in order: ${JSON.stringify(run.marks)}`);
      for (const phase of ['baseline', 'outage', 'recovery'] as const) {
        const summary = run.summary.phases[phase];
        assert.ok(summary.sent > 0, `${run.shape} ${phase} sent requests`);
        assert.equal(summary.sent, run.samples.filter((s) => s.phase === phase).length);
      }
      assert.equal(run.summary.phases.baseline.successRate, 1, `${run.shape}: a clean baseline`);
      for (const s of run.samples) {
        assert.equal(typeof s.t, 'number');
        assert.equal(typeof s.latencyMs, 'number');
        assert.ok(Math.abs(s.sinceOutageMs - (s.t - outageT)) <= 0.0101 && !Object.is(s.sinceOutageMs, -0), `sinceOutageMs ${s.sinceOutageMs} for t ${s.t}, outage at ${outageT}`);
        assert.ok(s.latencyMs >= 0);
      }
      assert.ok(progress.some((line) => line.includes(run.shape)), 'progress names the shape');
    }

    const [fiveXx] = report.runs;
    assert.ok(fiveXx);
    const outage = fiveXx.summary.phases.outage;
    assert.equal(outage.successRate, 1);
    assert.equal(fiveXx.summary.brokeChain, false);
    assert.equal(fiveXx.summary.absorb.absorbedMs, 0);
    assert.ok(fiveXx.summary.absorb.firstFallback, 'a fallback hop served during the outage');
    // A request that began and ended while the fault was on can only have been served by the backup.
    const wholeOutage = fiveXx.samples.filter((s) => s.phase === 'outage' && s.t + s.latencyMs < fiveXx.marks.recoveryT);
    assert.ok(wholeOutage.length > 0);
    for (const s of wholeOutage) {
      assert.equal(s.hop, 2);
      assert.equal(s.deployment, 'backup-small');
      // The first few meet the 503s; once the primary's circuit opens, the rest skip it.
      assert.ok(s.fallbackReason === 'upstream_5xx' || s.fallbackReason === 'circuit_open', String(s.fallbackReason));
    }
    assert.ok((outage.hops['2'] ?? 0) > 0);
    // Before the fault, the primary serves (a request still in flight when it is set may meet it).
    const beforeFault = fiveXx.samples.filter((s) => s.phase === 'baseline' && s.t + s.latencyMs < fiveXx.marks.outageT);
    assert.ok(beforeFault.length > 0);
    for (const s of beforeFault) assert.equal(s.hop, 1);
    assert.equal(report.passed, report.runs.every((run) => !run.summary.brokeChain));
  });
});
