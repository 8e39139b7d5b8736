/**
 * Reads the log a config names. In the gateway's own process (the admin API) what is queued is
 * written first and the open connection is used, so a request that just finished is there; from
 * the CLI the log is opened for the one read and closed.
 */
import { activeLogs } from './active-request-logs.js';
import { openRequestLog, requestLogKey } from './open-request-log.js';
import type { RequestLogConfig } from './request-log-config.js';
import { RequestLogUnavailable, type RequestLog } from './request-log.js';

export async function readRequestLog<T>(config: RequestLogConfig, read: (log: RequestLog) => Promise<T>): Promise<T> {
  const key = requestLogKey(config);
  if (key === undefined) throw new RequestLogUnavailable('The request log is off in this config (telemetry.request_log.store: off).');
  const writers = activeLogs(key);
  if (writers.length > 0) {
    await Promise.all(writers.map((writer) => writer.flush()));
    for (const writer of writers) {
      const log = await writer.log();
      if (log) return read(log);
    }
  }
  const log = await openRequestLog(config, { mustExist: true });
  if (!log) throw new RequestLogUnavailable('The request log is off in this config.');
  try {
    return await read(log);
  } finally {
    await log.close();
  }
}
