/** `telemetry.request_log`: where finished requests are written. (Filled in by the request-log work.) */
import { z } from 'zod';

export const requestLogConfigSchema = z.strictObject({}).prefault({});
