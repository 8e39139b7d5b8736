/** `telemetry.traces`: OpenTelemetry export. (Filled in by the tracing work.) */
import { z } from 'zod';

export const tracesConfigSchema = z.strictObject({}).prefault({});
