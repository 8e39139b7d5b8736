/**
 * The telemetry sinks the config asks for, made once per gateway. Each sink lives in its own
 * folder; adding one is a line here. The core sees them only as `Telemetry` (request-event.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Telemetry } from './request-event.js';

export interface SinkContext {
  config: Config;
  logger: Logger;
}

export async function createTelemetrySinks(context: SinkContext): Promise<Telemetry[]> {
  const sinks: Telemetry[] = [];
  void context;
  return sinks;
}
