/**
 * `telemetry:` in the config: traces, metrics, the request log, prices and the access log. Each part's schema
 * lives beside the code that uses it; this file only puts them together.
 */
import { z } from 'zod';
import { pricingConfigSchema } from '../cost/pricing-config.js';
import { accessLogConfigSchema } from '../telemetry/access-log/access-log-config.js';
import { requestLogConfigSchema } from '../store/request-log-config.js';
import { metricsConfigSchema } from '../telemetry/metrics/metrics-config.js';
import { tracesConfigSchema } from '../telemetry/traces/traces-config.js';

export const telemetrySchema = z
  .strictObject({
    traces: tracesConfigSchema,
    metrics: metricsConfigSchema,
    request_log: requestLogConfigSchema,
    pricing: pricingConfigSchema,
    access_log: accessLogConfigSchema,
  })
  .prefault({});
