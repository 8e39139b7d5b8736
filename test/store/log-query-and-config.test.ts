import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig, parseConfigText } from '../../src/config/load-config.js';
import { DEMO_CONFIG_YAML } from '../../src/config/demo-config.js';
import { LogQueryError, parseLogQuery } from '../../src/store/parse-log-query.js';
import { DEFAULT_REQUEST_LOG_PATH, parseMaxAge, pruneIntervalMs } from '../../src/store/request-log-config.js';

const NOW = Date.UTC(2025, 4, 1, 12, 0, 0);
const MINIMAL = { providers: { p: { type: 'mock' } }, deployments: { d: { provider: 'p', model: 'm' } }, routes: { chat: { chain: ['d'] } } };

function refused(filters: Record<string, string>, param: string, pattern: RegExp): void {
  assert.throws(
    () => parseLogQuery(filters, NOW),
    (err: unknown) => err instanceof LogQueryError && err.param === param && pattern.test(err.message),
  );
}

describe('log filters', () => {
  test('durations and ISO times become a start time; 5xx a class; 503 an exact status', () => {
    assert.deepEqual(parseLogQuery({}, NOW), { limit: 50 });
    assert.equal(parseLogQuery({ since: '15m' }, NOW).since, NOW - 15 * 60_000);
    assert.equal(parseLogQuery({ since: '2h' }, NOW).since, NOW - 2 * 3_600_000);
    assert.equal(parseLogQuery({ since: '2025-05-01T10:00:00Z' }, NOW).since, Date.UTC(2025, 4, 1, 10));
    assert.deepEqual(parseLogQuery({ status: '5xx' }, NOW).status, { class: 5 });
    assert.deepEqual(parseLogQuery({ status: '503' }, NOW).status, { exact: 503 });
    assert.equal(parseLogQuery({ reason: 'circuit_open', route: 'chat', limit: '7' }, NOW).limit, 7);
  });

  test('a bad filter is an error naming the filter and what it accepts', () => {
    refused({ since: 'yesterday' }, 'since', /duration .* or an ISO time/);
    refused({ since: '15 parsecs' }, 'since', /duration/);
    refused({ status: '5x' }, 'status', /HTTP status .* or a class/);
    refused({ status: '700' }, 'status', /HTTP status/);
    refused({ reason: 'server_error' }, 'reason', /upstream_5xx.*circuit_open/);
    refused({ limit: '0' }, 'limit', /1 to 1000/);
    refused({ limit: 'ten' }, 'limit', /whole number/);
    refused({ route: ' ' }, 'route', /empty/);
  });
});

describe('telemetry.request_log config', () => {
  test('the default is SQLite at .switchyard/requests.db, with retention bounded by age and rows; SWITCHYARD_REQUEST_LOG changes only the default', () => {
    const saved = process.env.SWITCHYARD_REQUEST_LOG;
    delete process.env.SWITCHYARD_REQUEST_LOG;
    let config;
    try {
      config = parseConfigText(DEMO_CONFIG_YAML, 'demo', { env: {} });
      process.env.SWITCHYARD_REQUEST_LOG = 'off';
      assert.equal(parseConfigText(DEMO_CONFIG_YAML, 'demo', { env: {} }).telemetry.request_log.store, 'off');
      const explicit = parseConfig({ ...MINIMAL, telemetry: { request_log: { store: 'sqlite' } } });
      assert.equal(explicit.telemetry.request_log.store, 'sqlite', 'a config that names its store keeps it');
    } finally {
      if (saved === undefined) delete process.env.SWITCHYARD_REQUEST_LOG;
      else process.env.SWITCHYARD_REQUEST_LOG = saved;
    }
    assert.equal(config.telemetry.request_log.store, 'sqlite');
    assert.equal(config.telemetry.request_log.path, DEFAULT_REQUEST_LOG_PATH);
    assert.equal(parseMaxAge(config.telemetry.request_log.retention.max_age), 7 * 86_400_000);
    assert.ok(config.telemetry.request_log.retention.max_rows > 0);
  });

  test('prunes every 15 s for SQLite and every 5 minutes for PostgreSQL unless prune_interval_ms says', () => {
    const logOf = (requestLog: Record<string, unknown>) => parseConfig({ ...MINIMAL, telemetry: { request_log: requestLog } }).telemetry.request_log;
    assert.equal(pruneIntervalMs(logOf({ store: 'sqlite' })), 15_000);
    assert.equal(pruneIntervalMs(logOf({ store: 'postgres', url: 'postgres://db/x' })), 300_000);
    assert.equal(pruneIntervalMs(logOf({ store: 'sqlite', retention: { prune_interval_ms: 60_000 } })), 60_000);
    assert.equal(pruneIntervalMs(logOf({ store: 'postgres', url: 'postgres://db/x', retention: { prune_interval_ms: 2_000 } })), 2_000);
    assert.throws(() => logOf({ retention: { prune_interval_ms: 10 } }), /prune_interval_ms/);
  });

  test('YAML `store: off` turns the log off (a string in YAML 1.2, not false)', () => {
    const config = parseConfigText('telemetry:\n  request_log:\n    store: off\nproviders: { p: { type: mock } }\ndeployments: { d: { provider: p, model: m } }\nroutes: { chat: { chain: [d] } }\n', 'inline', { env: {} });
    assert.equal(config.telemetry.request_log.store, 'off');
  });

  test('postgres without a url, an unreadable max_age and an unknown key are refused', () => {
    assert.throws(() => parseConfig({ ...MINIMAL, telemetry: { request_log: { store: 'postgres' } } }), /url/);
    assert.throws(() => parseConfig({ ...MINIMAL, telemetry: { request_log: { retention: { max_age: 'a week' } } } }), /max_age/);
    assert.throws(() => parseConfig({ ...MINIMAL, telemetry: { request_log: { flush_ms: 5 } } }), /flush_ms/);
    const config = parseConfig({ ...MINIMAL, telemetry: { request_log: { store: 'postgres', url: 'postgres://127.0.0.1/test', batch_size: '50' } } });
    assert.equal(config.telemetry.request_log.batch_size, 50);
  });
});
