/** `telemetry.metrics`: the Prometheus endpoint. (Filled in by the metrics work.) */
import { z } from 'zod';

export const metricsConfigSchema = z.strictObject({}).prefault({});
