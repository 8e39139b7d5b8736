/** `telemetry.metrics`: the Prometheus endpoint (`GET /metrics`). */
import { z } from 'zod';
import { bool } from '../../config/fields.js';

/** Default: `/metrics` is served (counters cost next to nothing; the endpoint holds no request data). */
export const DEFAULT_METRICS_ENABLED = true;
/** Default: `/metrics` also carries the process's own metrics (read at scrape). */
export const DEFAULT_PROCESS_METRICS = true;

export const metricsConfigSchema = z
  .strictObject({
    enabled: bool().default(DEFAULT_METRICS_ENABLED),
    /** A Bearer token a scraper must send; without one, `/metrics` is open (bind the gateway accordingly). */
    token: z.string().min(12, 'make the metrics token at least 12 characters').optional(),
    /** The process's own metrics (CPU, memory, heap, event-loop lag, GC) beside the gateway's; off where a sidecar exporter has them already. */
    process: bool().default(DEFAULT_PROCESS_METRICS),
  })
  .prefault({});

export type MetricsConfig = z.output<typeof metricsConfigSchema>;
