import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { startGateway } from '../../helpers/gateway-fixture.js';
import { mockGatewayConfig, postChat, setFaults, userBody } from '../../helpers/mock-gateway.js';
import { parsePrometheus } from './parse-prometheus.js';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

const DASHBOARD = new URL('../../../dashboards/switchyard.json', import.meta.url);
/** Label lists and matchers name labels, not metrics: removed before metric names are read. */
const LABEL_LISTS = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)|\{[^}]*\}/g;
const OUR_METRIC = /\b(?:gen_ai|switchyard|process|nodejs)_[a-z0-9_]+\b/g;
const SERIES_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The metric names a PromQL expression reads. */
function metricsIn(expr: string): string[] {
  return [...expr.replace(LABEL_LISTS, ' ').matchAll(OUR_METRIC)].map((match) => match[0]);
}

it('every query of the Grafana dashboard reads metrics that a /metrics scrape exports', async (t) => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { query?: unknown; definition?: string }[] } };
  const queries = dashboard.panels.filter((panel) => panel.type !== 'row').map((panel) => ({ title: panel.title, exprs: (panel.targets ?? []).map((target) => target.expr) }));
  for (const variable of dashboard.templating.list) if (variable.definition) queries.push({ title: 'variable', exprs: [variable.definition] });
  assert.ok(queries.length >= 10);

  const gw = await startGateway(mockGatewayConfig({ mocks: ['primary', 'secondary'], health: { enabled: true } }));
  t.after(() => gw.close());
  setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
  await postChat(gw, userBody('traffic'));
  await postChat(gw, userBody('stream', { stream: true }));
  const exported = parsePrometheus(await (await fetch(`${gw.url}/metrics`)).text());
  const exists = (name: string) => {
    if (exported.has(name)) return true;
    const suffix = SERIES_SUFFIXES.find((end) => name.endsWith(end));
    return suffix !== undefined && exported.get(name.slice(0, -suffix.length))?.type === 'histogram';
  };

  const required = ['switchyard_requests_total', 'switchyard_requests_in_flight', 'switchyard_fallbacks_total', 'switchyard_request_duration_seconds_bucket', 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket', 'gen_ai_client_token_usage_sum', 'switchyard_cost_usd_total', 'switchyard_deployment_health_state'];
  const read = new Set<string>();
  for (const { title, exprs } of queries) {
    assert.ok(exprs.length > 0, `panel "${title}" has a query`);
    for (const expr of exprs) {
      const names = metricsIn(expr);
      assert.ok(names.length > 0, `panel "${title}" reads one of our metrics: ${expr}`);
      for (const name of names) {
        assert.ok(exists(name), `panel "${title}" reads ${name}, which /metrics does not export`);
        read.add(name);
      }
    }
  }
  for (const name of required) assert.ok(read.has(name), `the dashboard shows ${name}`);
});

it('the metric-name reader skips label names in by() and matchers', () => {
  assert.deepEqual(metricsIn('sum by (gen_ai_provider_name) (rate(gen_ai_client_token_usage_sum{gen_ai_token_type="input"}[5m]))'), ['gen_ai_client_token_usage_sum']);
});
