/** `switchyard drill --url`: a gateway running in its own process, faults set through its admin API. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startCli, type RunningGateway } from '../helpers/spawn-cli.js';

const TOKEN = 'drill-test-admin-token';

describe('switchyard drill --url (a running gateway)', () => {
  let gateway: RunningGateway;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-drill-remote-'));
    gateway = await startCli([], { SWITCHYARD_PORT: '0', SWITCHYARD_ADMIN_TOKEN: TOKEN });
  });
  after(async () => {
    await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function primaryFaults(): Promise<unknown> {
    const response = await fetch(`${gateway.url}/admin/mocks/mock-primary/faults`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { faults: unknown }).faults;
  }

  test('finds the route and primary itself, drills through the admin API, and puts the standing fault back', async () => {
    const standing = await primaryFaults();
    assert.deepEqual(standing, [{ kind: 'error', status: 503, rate: 0.25 }], 'the demo primary starts with its flaky 503');
    const report = join(dir, 'report.json');
    const run = await runCli(['drill', '--url', gateway.url, '--shapes', 'upstream_5xx', '--rps', '20', '--baseline-s', '0.5', '--outage-s', '0.5', '--recovery-s', '0.5', '--report', report], { SWITCHYARD_ADMIN_TOKEN: TOKEN });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /had 1 standing fault\(s\); cleared for the drill and restored at the end/);
    const written = JSON.parse(await readFile(report, 'utf8')) as { target: unknown; route: string; primary: string; runs: { summary: { phases: { baseline: { successRate: number }; outage: { successRate: number; hops: Record<string, number> } } } }[] };
    assert.deepEqual(written.target, { kind: 'remote', url: gateway.url });
    assert.equal(written.route, 'chat');
    assert.equal(written.primary, 'mock-primary');
    assert.equal(written.runs[0]?.summary.phases.baseline.successRate, 1);
    assert.equal(written.runs[0]?.summary.phases.outage.successRate, 1);
    assert.ok((written.runs[0]?.summary.phases.outage.hops['2'] ?? 0) > 0);
    assert.deepEqual(await primaryFaults(), standing);
  });

  test('names the primary from the attempt log when the probe request was served by a later hop', async () => {
    const standing = await primaryFaults();
    const down = await fetch(`${gateway.url}/admin/mocks/mock-primary/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [{ kind: 'error', status: 503, rate: 1 }] }),
    });
    assert.equal(down.status, 200);
    try {
      const report = join(dir, 'report-down.json');
      const run = await runCli(['drill', '--url', gateway.url, '--shapes', 'upstream_5xx', '--rps', '20', '--baseline-s', '0.3', '--outage-s', '0.3', '--recovery-s', '0.3', '--report', report], { SWITCHYARD_ADMIN_TOKEN: TOKEN });
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      const written = JSON.parse(await readFile(report, 'utf8')) as { primary: string };
      assert.equal(written.primary, 'mock-primary');
      assert.deepEqual(await primaryFaults(), [{ kind: 'error', status: 503, rate: 1 }], 'the standing outage is put back after the drill');
    } finally {
      await fetch(`${gateway.url}/admin/mocks/mock-primary/faults`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ faults: standing }),
      });
    }
  });

  test('a wrong admin token stops the drill before any load, with exit 2', async () => {
    const run = await runCli(['drill', '--url', gateway.url, '--admin-token', 'not-the-right-token', '--primary', 'mock-primary', '--report', join(dir, 'never.json')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /answered 401/);
  });
});
