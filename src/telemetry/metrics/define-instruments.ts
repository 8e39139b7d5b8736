/**
 * Every instrument `/metrics` exports, registered on the gateway's own registry (never prom-client's
 * global one, so two gateways in one process do not mix). The GenAI histograms follow the
 * OpenTelemetry semantic conventions (names, units, bucket boundaries, attributes); the names are
 * those OpenTelemetry's Prometheus exporter gives them (dots to underscores, `_seconds` for unit
 * `s`), so dashboards made for OTel-instrumented clients read them as they are. Label values come
 * from the config (routes, deployments, providers) or from closed sets (shapes, outcomes, states).
 * The instruments a request updates are keyed ones (keyed-instruments.ts): their label values are
 * given in `labelNames` order.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { KeyedCounter, KeyedHistogram } from './keyed-instruments.js';
import type { HealthState } from '../../health/circuit-breaker.js';
import type { ServerLoad } from '../../gateway/server-load.js';
import type { RequestLogCounts } from '../../store/request-log-counts.js';

/** `gen_ai.client.operation.duration` and `time_to_first_chunk` boundaries, in seconds (semconv). */
export const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** `gen_ai.client.token.usage` boundaries, in tokens (semconv). */
export const GEN_AI_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

const GEN_AI_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model'] as const;

export function defineInstruments(registry: Registry) {
  return {
    operationDuration: new KeyedHistogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'GenAI operation duration: one call to a provider (every hop, failed ones included).',
      labelNames: [...GEN_AI_LABELS, 'error_type'],
      buckets: GEN_AI_DURATION_BUCKETS,
      registry,
    }),
    tokenUsage: new KeyedHistogram({
      name: 'gen_ai_client_token_usage',
      help: 'Number of input and output tokens used, per call (input counts cached tokens in).',
      labelNames: [...GEN_AI_LABELS, 'gen_ai_token_type'],
      buckets: GEN_AI_TOKEN_BUCKETS,
      registry,
    }),
    timeToFirstChunk: new KeyedHistogram({
      name: 'gen_ai_client_operation_time_to_first_chunk_seconds',
      help: 'Streams: from the gateway receiving the request to the first content chunk (fallback hops included).',
      labelNames: GEN_AI_LABELS,
      buckets: GEN_AI_DURATION_BUCKETS,
      registry,
    }),
    requests: new KeyedCounter({
      name: 'switchyard_requests_total',
      help: 'Finished requests by route, status class (a stream broken after it started counts in error_type) and streaming.',
      labelNames: ['route', 'operation', 'status_class', 'stream', 'error_type'],
      registry,
    }),
    requestDuration: new KeyedHistogram({
      name: 'switchyard_request_duration_seconds',
      help: 'Whole requests as the client saw them, every hop included (streams: to the last chunk).',
      labelNames: ['route', 'operation', 'status_class', 'stream'],
      buckets: GEN_AI_DURATION_BUCKETS,
      registry,
    }),
    hops: new KeyedCounter({
      name: 'switchyard_hops_total',
      help: 'Chain steps by outcome: calls served, failed or aborted, and steps skipped (an open circuit, a small context window).',
      labelNames: ['route', 'deployment', 'step', 'outcome'],
      registry,
    }),
    fallbacks: new KeyedCounter({
      name: 'switchyard_fallbacks_total',
      help: 'Requests that left their first step, by the failure shape (or open circuit) that moved them.',
      labelNames: ['route', 'reason'],
      registry,
    }),
    retries: new KeyedCounter({
      name: 'switchyard_retries_total',
      help: 'Calls that retried a step after a failure.',
      labelNames: ['route', 'deployment'],
      registry,
    }),
    hedges: new KeyedCounter({
      name: 'switchyard_hedges_total',
      help: 'Calls started in parallel because the previous one was slow.',
      labelNames: ['route', 'deployment'],
      registry,
    }),
    cacheServes: new KeyedCounter({
      name: 'switchyard_cache_serves_total',
      help: 'Requests served from the response cache after every live hop failed.',
      labelNames: ['route'],
      registry,
    }),
    manualServes: new KeyedCounter({
      name: 'switchyard_manual_serves_total',
      help: 'Requests served by a manual handler.',
      labelNames: ['route', 'handler'],
      registry,
    }),
    replays: new KeyedCounter({
      name: 'switchyard_idempotent_replays_total',
      help: 'Requests answered with an earlier answer for the same idempotency key (no hop was called).',
      labelNames: ['route'],
      registry,
    }),
    cost: new KeyedCounter({
      name: 'switchyard_cost_usd_total',
      help: 'What calls cost in US dollars, by provider (its configured name), route, deployment and hop number.',
      labelNames: ['provider', 'route', 'deployment', 'hop'],
      registry,
    }),
    unpriced: new KeyedCounter({
      name: 'switchyard_unpriced_hops_total',
      help: 'Calls that used tokens for a model without a known price (add it to telemetry.pricing.models).',
      labelNames: ['provider', 'deployment'],
      registry,
    }),
    healthTransitions: new Counter({
      name: 'switchyard_health_transitions_total',
      help: 'Circuit breaker transitions, by breaker kind (deployment or key) and name.',
      labelNames: ['kind', 'name', 'from', 'to'],
      registers: [registry],
    }),
  };
}

export type Instruments = ReturnType<typeof defineInstruments>;

/** A breaker as the gauges read it: its kind, its name without the kind prefix, its state. */
export interface BreakerReading {
  kind: 'deployment' | 'key';
  name: string;
  state: HealthState;
  drained: boolean;
}

const HEALTH_STATES = ['healthy', 'degraded', 'failed', 'recovering'] as const satisfies readonly HealthState[];

/** The health gauges, read from the registry at scrape time (`read` gives the breakers then). */
export function defineHealthGauges(registry: Registry, read: () => BreakerReading[]): void {
  new Gauge({
    name: 'switchyard_deployment_health_state',
    help: 'Circuit breaker state per deployment: 1 for the current state, 0 for the others.',
    labelNames: ['deployment', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const breaker of read()) {
        if (breaker.kind !== 'deployment') continue;
        for (const state of HEALTH_STATES) this.set({ deployment: breaker.name, state }, breaker.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'switchyard_key_health_state',
    help: 'Circuit breaker state per provider key: 1 for the current state, 0 for the others.',
    labelNames: ['provider', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const breaker of read()) {
        if (breaker.kind !== 'key') continue;
        for (const state of HEALTH_STATES) this.set({ provider: breaker.name, state }, breaker.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'switchyard_deployment_drained',
    help: '1 when an operator holds the deployment failed (drain), else 0.',
    labelNames: ['deployment'],
    registers: [registry],
    collect() {
      this.reset();
      for (const breaker of read()) if (breaker.kind === 'deployment') this.set({ deployment: breaker.name }, breaker.drained ? 1 : 0);
    },
  });
}

/** The HTTP server's load, read at scrape time (src/server/admission.ts). */
export function defineLoadGauges(registry: Registry, load: ServerLoad): void {
  new Gauge({
    name: 'switchyard_requests_in_flight',
    help: 'Model requests (chat completions, responses, messages, embeddings) the HTTP server holds now, streams until they end.',
    registers: [registry],
    collect() {
      this.set(load.inFlight);
    },
  });
  new Counter({
    name: 'switchyard_requests_shed_total',
    help: 'Model requests refused with a 503 because server.max_in_flight requests were in flight.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(load.shed);
    },
  });
}

/** The request log's backlog and losses, read at scrape time (src/store/request-log-counts.ts). */
export function defineRequestLogGauges(registry: Registry, counts: RequestLogCounts): void {
  new Gauge({
    name: 'switchyard_request_log_pending_requests',
    help: 'Finished requests the request log holds in memory, not yet in the database (queued, being written, or waiting behind a checkpoint).',
    registers: [registry],
    collect() {
      this.set(counts.pending);
    },
  });
  new Counter({
    name: 'switchyard_request_log_lost_requests_total',
    help: 'Finished requests never logged: the queue was full (the oldest went), or their write failed.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'queue_full' }, counts.queueFull);
      this.inc({ reason: 'write_failed' }, counts.writeFailed);
    },
  });
}
