import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_RPS, DrillUsageError, parseDrillArgs, type DrillOptions } from '../../src/drill/drill-options.js';
import { SHAPE_NAMES } from '../../src/drill/shapes.js';

function options(args: string[], env: NodeJS.ProcessEnv = {}): DrillOptions {
  const parsed = parseDrillArgs(args, env);
  assert.equal(parsed.help, false);
  return (parsed as { options: DrillOptions }).options;
}

function refused(args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): void {
  assert.throws(() => parseDrillArgs(args, env), (err: unknown) => err instanceof DrillUsageError && pattern.test(err.message));
}

describe('parseDrillArgs', () => {
  test('without arguments: every shape, non-streaming, the documented defaults, in process', () => {
    const o = options([]);
    assert.deepEqual(o.shapes, SHAPE_NAMES);
    assert.deepEqual(o.modes, ['json']);
    assert.equal(o.rps, DEFAULT_RPS);
    assert.deepEqual([o.baselineMs, o.outageMs, o.recoveryMs], [3000, 5000, 2000]);
    assert.equal(o.report, 'drill-report.json');
    assert.equal(o.minSuccess, 1);
    assert.equal(o.url, undefined);
    assert.equal(o.chartDir, undefined);
  });

  test('reads shapes, rates, phase lengths in seconds, and output paths', () => {
    const o = options(['--shapes', 'timeout, upstream_5xx,timeout', '--rps', '20', '--baseline-s', '0.5', '--outage-s', '1.25', '--recovery-s', '2', '--report', 'out/r.json', '--chart', 'out/charts', '--min-success', '0.95', '--route', 'chat', '--primary', 'mock-primary']);
    assert.deepEqual(o.shapes, ['timeout', 'upstream_5xx']);
    assert.equal(o.rps, 20);
    assert.deepEqual([o.baselineMs, o.outageMs, o.recoveryMs], [500, 1250, 2000]);
    assert.equal(o.report, 'out/r.json');
    assert.equal(o.chartDir, 'out/charts');
    assert.equal(o.minSuccess, 0.95);
    assert.equal(o.route, 'chat');
    assert.equal(o.primary, 'mock-primary');
  });

  test('--stream streams; --mode both runs each shape both ways', () => {
    assert.deepEqual(options(['--stream']).modes, ['stream']);
    assert.deepEqual(options(['--mode', 'both']).modes, ['json', 'stream']);
    assert.deepEqual(options(['--mode', 'stream', '--stream']).modes, ['stream']);
    refused(['--mode', 'json', '--stream'], /contradicts/);
    refused(['--mode', 'sideways'], /json, stream or both/);
  });

  test('a running gateway needs its admin token, from the flag or the environment', () => {
    refused(['--url', 'http://127.0.0.1:8080'], /admin-token/);
    assert.equal(options(['--url', 'http://127.0.0.1:8080/', '--admin-token', 'abcdefghijkl']).url, 'http://127.0.0.1:8080');
    assert.equal(options(['--url', 'http://127.0.0.1:8080'], { SWITCHYARD_ADMIN_TOKEN: 'from-the-env-1' }).adminToken, 'from-the-env-1');
    refused(['--url', 'http://127.0.0.1:8080', '--config', 'x.yaml', '--admin-token', 't'], /exclude/);
    refused(['--admin-token', 'abcdefghijkl'], /only with --url/);
    refused(['--url', 'ftp://host', '--admin-token', 't'], /http/);
    refused(['--url', 'http://127.0.0.1:8080/v1', '--admin-token', 't'], /without a path/);
  });

  test('refuses bad values by name', () => {
    refused(['--shapes', 'upstream_5xx,meteor_strike'], /unknown shape 'meteor_strike'/);
    refused(['--shapes', ','], /no shape/);
    refused(['--rps', '0'], /--rps/);
    refused(['--rps', 'fast'], /--rps/);
    refused(['--rps', ''], /--rps/);
    refused(['--outage-s', '-1'], /--outage-s/);
    refused(['--min-success', '1.5'], /--min-success/);
    refused(['--report', ' '], /--report is empty/);
    refused(['--bogus'], /bogus/);
    refused(['extra'], /extra/);
  });

  test('--min-success 0 is allowed (a drill that only measures)', () => {
    assert.equal(options(['--min-success', '0']).minSuccess, 0);
  });

  test('--help asks for the usage', () => {
    assert.equal(parseDrillArgs(['--help']).help, true);
  });
});
