/**
 * The Prometheus sink: a prom-client registry of its own, fed by finished requests. An event is
 * queued on the request's tick and recorded on the next turn of the event loop (or before a
 * scrape), so the request pays only for an array push.
 */
import { Registry } from 'prom-client';
import type { Config } from '../../config/schema.js';
import type { TransitionEvent } from '../../health/health-registry.js';
import type { RequestEvent } from '../request-event.js';
import { boundedValues } from './bounded-values.js';
import { defineHealthGauges, defineInstruments, defineLoadGauges, defineRequestLogGauges, type BreakerReading } from './define-instruments.js';
import { genAiProviderName } from './gen-ai-provider-name.js';
import { METRICS_SINK_KIND, type HealthSource, type MetricsSink, type WatchedState } from './metrics-sink.js';
import { processMetrics } from './process-metrics.js';
import { recordRequest, type LabelSources } from './record-request.js';

/** Events queued before they are recorded at once, whatever the event loop is doing. */
export const MAX_QUEUED_EVENTS = 1_000;

export interface MetricsSinkOptions {
  /** The config the gateway starts with: it names the providers (`gen_ai.provider.name`). */
  config: Config;
  onError?: (err: unknown) => void;
}

export function createMetricsSink(options: MetricsSinkOptions): MetricsSink {
  const registry = new Registry();
  const instruments = defineInstruments(registry);
  const processes = options.config.telemetry.metrics.process ? processMetrics() : undefined;
  const providerNames = new Map<string, string>();
  const labels: LabelSources = {
    providerName(configuredName) {
      let name = providerNames.get(configuredName);
      if (name === undefined) {
        name = genAiProviderName(options.config.providers[configuredName], configuredName);
        providerNames.set(configuredName, name);
      }
      return name;
    },
    responseModel: boundedValues(),
  };
  let queue: RequestEvent[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let unwatch: (() => void) | undefined;

  function flush(): void {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const events = queue;
    queue = [];
    for (const event of events) {
      try {
        recordRequest(event, instruments, labels);
      } catch (err) {
        options.onError?.(err);
      }
    }
  }

  return {
    kind: METRICS_SINK_KIND,
    contentType: registry.contentType,
    requestFinished(event) {
      queue.push(event);
      if (queue.length >= MAX_QUEUED_EVENTS) flush();
      else scheduled ??= setImmediate(flush);
    },
    watch({ health, load, requestLog }: WatchedState) {
      if (unwatch) return;
      defineHealthGauges(registry, () => readBreakers(health));
      defineLoadGauges(registry, load);
      defineRequestLogGauges(registry, requestLog);
      const onTransition = ({ breaker, transition }: TransitionEvent) => {
        const { kind, name } = splitBreakerName(breaker);
        instruments.healthTransitions.inc({ kind, name, from: transition.from, to: transition.to });
      };
      health.events.on('transition', onTransition);
      unwatch = () => health.events.off('transition', onTransition);
    },
    async render() {
      flush();
      return (processes ? Registry.merge([registry, processes]) : registry).metrics();
    },
    async close() {
      flush();
      unwatch?.();
    },
  };
}

function readBreakers(health: HealthSource): BreakerReading[] {
  return health.snapshot().map((snapshot) => ({ ...splitBreakerName(snapshot.name), state: snapshot.state, drained: snapshot.drained }));
}

/** Breakers are named `deployment:<name>` or `key:<provider>` in the registry. */
function splitBreakerName(breaker: string): { kind: 'deployment' | 'key'; name: string } {
  const colon = breaker.indexOf(':');
  const kind = breaker.slice(0, colon) === 'key' ? 'key' : 'deployment';
  return { kind, name: breaker.slice(colon + 1) };
}
