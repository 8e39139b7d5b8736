/** `telemetry.access_log`: one line per request on the gateway's log stream. */
import { z } from 'zod';
import { bool } from '../../config/fields.js';

export const accessLogConfigSchema = z
  .strictObject({
    /** Off by default: a line per request is a write per request, and the request log and metrics hold the same facts. */
    enabled: bool().default(false),
  })
  .prefault({});

export type AccessLogConfig = z.output<typeof accessLogConfigSchema>;
