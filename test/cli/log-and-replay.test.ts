import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after, describe, test } from 'node:test';
import { loadConfigFile } from '../../src/config/load-config.js';
import type { ReplayReport } from '../../src/replay/replay-decision.js';
import type { LoggedRequest } from '../../src/store/request-log.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { ADMIN_TOKEN, postChat, setFaults, userBody } from '../helpers/mock-gateway.js';
import { runCli } from '../helpers/spawn-cli.js';
import { loggingConfig } from '../store/log-fixtures.js';

/** Writes a config (JSON is YAML) whose log is `db`, with the route's policy for upstream_5xx. */
function writeConfig(file: string, db: string, route: Record<string, unknown>): void {
  writeFileSync(file, JSON.stringify(loggingConfig(db, { mocks: ['primary', 'backup', 'spare'], route })));
}

const RETRY_THEN_NEXT = { chain: ['primary', 'backup'], policy: { upstream_5xx: { retry: 1, then: 'next' } }, retry: { schedule_ms: [10], jitter: 0 } };

describe('switchyard log, GET /admin/log, switchyard replay and GET /admin/replay', () => {
  let dir: string;
  let db: string;
  let file: string;
  let gw: GatewayFixture;
  let gatewayOpen = false;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-log-'));
    db = join(dir, 'requests.db');
    file = join(dir, 'switchyard.json');
    writeConfig(file, db, RETRY_THEN_NEXT);
    gw = await startGateway(await loadConfigFile(file));
    gatewayOpen = true;
    // A fallback: the primary fails twice (the call and its one retry), the backup serves.
    setFaults(gw, 'primary', [{ kind: 'error', status: 503, count: 2 }]);
    assert.equal((await postChat(gw, userBody('one'), { 'x-request-id': 'req-fallback' })).status, 200);
    assert.equal((await postChat(gw, userBody('two'), { 'x-request-id': 'req-plain' })).status, 200);
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    setFaults(gw, 'backup', [{ kind: 'error', status: 503 }]);
    assert.ok((await postChat(gw, userBody('three'), { 'x-request-id': 'req-failed' })).status >= 500);
  });

  after(async () => {
    if (gatewayOpen) await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function admin(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  test('GET /admin/log shows requests that just finished (the queue is written first), filtered', async () => {
    const all = await admin('/admin/log');
    assert.equal(all.status, 200);
    assert.deepEqual((all.json.data as LoggedRequest[]).map((r) => r.request.request_id), ['req-failed', 'req-plain', 'req-fallback']);
    const failed = await admin('/admin/log?status=5xx');
    assert.deepEqual((failed.json.data as LoggedRequest[]).map((r) => r.request.request_id), ['req-failed']);
    const fallback = await admin('/admin/log?reason=upstream_5xx&status=200&since=1h&route=chat&limit=5');
    const rows = fallback.json.data as LoggedRequest[];
    assert.deepEqual(rows.map((r) => r.request.request_id), ['req-fallback']);
    assert.deepEqual(rows[0]?.hops.map((h) => `${h.deployment}:${h.attempt}:${h.outcome}`), ['primary:1:failed', 'primary:2:failed', 'backup:1:served']);
  });

  test('GET /admin/log with a bad filter is a 400 naming the filter', async () => {
    const bad = await admin('/admin/log?since=yesterday');
    assert.equal(bad.status, 400);
    const error = bad.json.error as { code: string; param: string; message: string };
    assert.equal(error.code, 'invalid_log_filter');
    assert.equal(error.param, 'since');
  });

  test('GET /admin/replay/{id} replays a fallback against the config in force: the same walk, with the rule that decided', async () => {
    const { status, json } = await admin('/admin/replay/req-fallback');
    assert.equal(status, 200);
    const report = json as unknown as ReplayReport;
    assert.equal(report.changed, false);
    assert.deepEqual(report.now?.hops.map((h) => `${h.deployment}:${h.outcome}:${h.decision}`), [
      'primary:failed:retry after 10 ms',
      'primary:failed:next: backup',
      'backup:served:served',
    ]);
    assert.match(report.now?.hops[0]?.why ?? '', /route policy upstream_5xx: retry 1, then next; call 1 of 2/);
    assert.deepEqual(report.then.hops.map((h) => h.decision), ['retry after 10 ms', 'next: backup', 'served']);
    assert.deepEqual(report.now?.outcome, { servedBy: 'backup', status: 200, fallbackReason: 'upstream_5xx' });
    assert.equal((await admin('/admin/replay/nope')).status, 404);
  });

  describe('from the CLI, with the gateway stopped', () => {
    before(async () => {
      await gw.close();
      gatewayOpen = false;
    });

    test('switchyard log prints a table, newest first, with each walk', async () => {
      const run = await runCli(['log', '--config', file]);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n');
      assert.match(lines[0] ?? '', /^TIME\s+REQUEST ID\s+ROUTE\s+STATUS\s+SERVED BY\s+HOPS\s+REASON/);
      assert.deepEqual(lines.slice(1).map((line) => line.split(/\s+/)[1]), ['req-failed', 'req-plain', 'req-fallback']);
      assert.match(lines[3] ?? '', /backup .*upstream_5xx.*primary:failed:upstream_5xx > primary:failed:upstream_5xx > backup:served$/);
    });

    test('switchyard log --json with filters gives the matching rows with their hops', async () => {
      const run = await runCli(['log', '--config', file, '--json', '--reason', 'upstream_5xx', '--status', '2xx', '--since', '1h']);
      assert.equal(run.code, 0, run.stderr);
      const { data } = JSON.parse(run.stdout) as { data: LoggedRequest[] };
      assert.deepEqual(data.map((r) => r.request.request_id), ['req-fallback']);
      assert.equal(data[0]?.hops.length, 3);
    });

    test('switchyard log with a bad filter exits 2 with a message, not a stack', async () => {
      const run = await runCli(['log', '--config', file, '--status', '6xx']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--status: status must be an HTTP status/);
      assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/);
      const missing = await runCli(['log', '--config', file.replace('switchyard.json', 'missing.json')]);
      assert.equal(missing.code, 1);
    });

    test('switchyard replay against the same config: the decision is unchanged, hop by hop', async () => {
      const run = await runCli(['replay', 'req-fallback', '--config', file]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Then \(as recorded\):\n {2}hop 1 {2}primary {2}call 1 {2}failed upstream_5xx +-> retry after 10 ms/);
      assert.match(run.stdout, /Now \(.*switchyard\.json\):/);
      assert.match(run.stdout, /why: route policy upstream_5xx: retry 1, then next; call 2 of 2/);
      assert.match(run.stdout, /Decision unchanged/);
    });

    test('switchyard replay --against a config whose policy now stops on upstream_5xx: the walk changes, and says why', async () => {
      const changed = join(dir, 'changed.json');
      writeConfig(changed, db, { chain: ['primary', 'backup'], policy: { upstream_5xx: 'stop' } });
      const run = await runCli(['replay', 'req-fallback', '--config', file, '--against', changed, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as ReplayReport;
      assert.equal(report.changed, true);
      assert.deepEqual(report.now?.hops.map((h) => `${h.deployment}:${h.outcome}:${h.decision}`), ['primary:failed:stop: the request failed']);
      assert.equal(report.now?.hops[0]?.why, 'route policy upstream_5xx: stop');
      assert.equal(report.now?.outcome.servedBy, undefined);
      assert.equal(report.now?.outcome.code, report.then.hops[0]?.code);
      const text = await runCli(['replay', 'req-fallback', '--config', file, '--against', changed]);
      assert.match(text.stdout, /Decision CHANGED/);
    });

    test('a deployment not tried then is assumed to answer, and the replay says so', async () => {
      const spareFirst = join(dir, 'spare-first.json');
      writeConfig(spareFirst, db, { ...RETRY_THEN_NEXT, chain: ['spare', 'primary', 'backup'], order: 'fixed' });
      const run = await runCli(['replay', 'req-fallback', '--config', spareFirst, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as ReplayReport;
      assert.deepEqual(report.now?.hops.map((h) => `${h.deployment}:${h.outcome}:${h.source}`), ['spare:served:assumed']);
      assert.ok(report.notes.includes('spare was not tried then: it is assumed to answer.'));
      assert.equal(report.changed, true);
    });

    test('switchyard replay of an id that is not logged exits 1', async () => {
      const run = await runCli(['replay', 'no-such-request', '--config', file]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /no request 'no-such-request'/);
    });
  });
});
