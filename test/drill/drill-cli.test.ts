/** The `switchyard drill` command as a user runs it: exit codes, the table, the files it writes. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/spawn-cli.js';

const SINGLE_HOP = new URL('./fixtures/single-hop.yaml', import.meta.url).pathname;

describe('switchyard drill (CLI)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-drill-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a bad argument exits 2 and says which', async () => {
    const run = await runCli(['drill', '--shapes', 'meteor_strike']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown shape 'meteor_strike'/);
  });

  test('a primary that is not in the route exits 2 before any load', async () => {
    const run = await runCli(['drill', '--config', SINGLE_HOP, '--primary', 'nobody']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /'nobody' serves no deployment of route 'solo'/);
  });

  test('--help prints the usage and exits 0', async () => {
    const run = await runCli(['drill', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--min-success/);
  });

  test('a route without a fallback breaks the chain: exit 1, the shape named, report and chart written', async () => {
    const report = join(dir, 'report.json');
    const charts = join(dir, 'charts');
    const run = await runCli(['drill', '--config', SINGLE_HOP, '--shapes', 'upstream_5xx', '--rps', '20', '--baseline-s', '0.4', '--outage-s', '1', '--recovery-s', '0.4', '--report', report, '--chart', charts]);
    assert.equal(run.code, 1, run.stderr);
    // Not 0%: the last outage requests' retries (after backoff) may land after the fault is cleared.
    assert.match(run.stdout, /^upstream_5xx\s+json\s+BROKE\s+[\d.]+% \/ \d{1,2}\.\d% \/ [\d.]+%/m);
    assert.match(run.stdout, /upstream_5xx \(json\) broke the chain: \d{1,2}\.\d% of outage requests succeeded \(floor 100%\); failures: \d+ × (502 upstream_503|503 circuit_open)/);
    assert.match(run.stderr, /=> outage success [\d.]+%, BROKE the chain/, 'progress goes to stderr');

    const written = JSON.parse(await readFile(report, 'utf8')) as { passed: boolean; broke: string[]; route: string; runs: { samples: unknown[] }[] };
    assert.equal(written.passed, false);
    assert.deepEqual(written.broke, ['upstream_5xx/json']);
    assert.equal(written.route, 'solo');
    assert.ok((written.runs[0]?.samples.length ?? 0) > 0);
    assert.deepEqual(await readdir(charts), ['upstream_5xx.svg']);
    assert.match(await readFile(join(charts, 'upstream_5xx.svg'), 'utf8'), /^<svg /);
  });
});
