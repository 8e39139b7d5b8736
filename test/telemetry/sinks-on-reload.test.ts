import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigInput } from '../../src/config/schema.js';
import { openSqliteRequestLog } from '../../src/store/sqlite-request-log.js';
import { startGateway } from '../helpers/gateway-fixture.js';
import { mockGatewayConfig, postChat, userBody } from '../helpers/mock-gateway.js';
import { tempDir } from '../store/log-fixtures.js';
import { parsePrometheus } from './metrics/parse-prometheus.js';
import { SPAN_KIND, startOtlpReceiver } from './traces/otlp-receiver.js';

function withTelemetry(telemetry: Record<string, unknown>): ConfigInput {
  return { ...mockGatewayConfig({ mocks: ['primary'] }), telemetry } as ConfigInput;
}

async function requestIdsIn(path: string): Promise<string[]> {
  const log = openSqliteRequestLog({ path, mustExist: true });
  try {
    return (await log.query({ limit: 100 })).map((logged) => logged.request.request_id).sort();
  } finally {
    await log.close();
  }
}

function requestsCounted(text: string): number {
  return (parsePrometheus(text).get('switchyard_requests_total')?.samples ?? []).reduce((sum, sample) => sum + sample.value, 0);
}

test('a reload remakes the sinks whose telemetry section changed: the log moves, tracing and metrics turn on', async (t) => {
  const dir = tempDir(t);
  const before = join(dir, 'before.db');
  const after = join(dir, 'after.db');
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const gw = await startGateway(withTelemetry({ request_log: { store: 'sqlite', path: before }, metrics: { enabled: false } }));
  t.after(() => gw.close());

  const metricsNow = () => gw.gateway.metrics;
  assert.equal(metricsNow(), undefined, 'metrics are off at start');
  assert.equal((await postChat(gw, userBody('one'), { 'x-request-id': 'req-before' })).status, 200);

  await gw.gateway.reload(
    withTelemetry({
      request_log: { store: 'sqlite', path: after },
      metrics: { enabled: true },
      traces: { enabled: true, endpoint: receiver.url, sampling: 1 },
    }),
  );
  // The replaced log was closed, and so flushed: the first request is in the old file already.
  assert.deepEqual(await requestIdsIn(before), ['req-before']);

  assert.equal((await postChat(gw, userBody('two'), { 'x-request-id': 'req-after' })).status, 200);
  const metrics = metricsNow();
  assert.ok(metrics, 'metrics are on after the reload');
  assert.equal(requestsCounted(await metrics.render()), 1, 'the request after the reload is counted');

  // A reload that changes only the log keeps the metrics sink, and so its counters.
  await gw.gateway.reload(withTelemetry({ request_log: { store: 'sqlite', path: before }, metrics: { enabled: true }, traces: { enabled: true, endpoint: receiver.url, sampling: 1 } }));
  assert.equal(metricsNow(), metrics, 'an unchanged metrics section keeps its sink');
  assert.equal(requestsCounted(await metrics.render()), 1);
  assert.deepEqual(await requestIdsIn(after), ['req-after']);
  await gw.close(); // closing flushes the trace exporter
  const served = receiver.spans.filter((span) => span.kind === SPAN_KIND.server);
  assert.equal(served.length, 1, 'only the request after the reload is traced');
});
