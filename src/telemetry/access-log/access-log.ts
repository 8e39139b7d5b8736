/**
 * The access log: one JSON line per request, `"msg":"request"`, on the gateway's own log stream
 * (pino's JSON lines on stdout, or the logger a library user passed) at `info` whatever
 * `log.level` says, for the log pipeline a platform already has.
 *
 * A request that reached a route gets its line from the request event (this sink): where it went,
 * how many calls it took, its tokens and cost. A request refused before that (bad JSON, an unknown
 * model or path, a body too large) gets a shorter line from the server (`logRefused`). Neither
 * line holds messages, keys or query strings.
 */
import { pino, type Logger } from 'pino';
import { streamOf } from '../logger.js';
import type { RequestEvent, Telemetry } from '../request-event.js';

/** The access log's logger per gateway logger. */
const ACCESS_LOGGERS = new WeakMap<Logger, Logger>();

/**
 * A logger on the gateway logger's own stream (on stdout, the batched one of logger.ts), so their
 * lines never interleave; at info even when the gateway logs only warnings; and without the
 * gateway logger's redaction: an access line is built from fields that hold no secret, and
 * redacting it took about 100 µs a line.
 */
export function accessLogger(logger: Logger): Logger {
  let access = ACCESS_LOGGERS.get(logger);
  if (!access) {
    access = pino({ level: 'info', base: logger.bindings() }, streamOf(logger));
    ACCESS_LOGGERS.set(logger, access);
  }
  return access;
}

export function createAccessLogSink(logger: Logger): Telemetry {
  const access = accessLogger(logger);
  return {
    requestFinished(event) {
      access.info(accessLine(event), 'request');
    },
    close: async () => {},
  };
}

/** A request refused before it reached a route: no event was made for it. */
export function logRefused(
  logger: Logger,
  refused: { requestId: string; method: string | undefined; url: string | undefined; status: number; code: string; clientCertificate: string | undefined },
): void {
  const url = refused.url ?? '';
  const query = url.indexOf('?');
  const line: Record<string, unknown> = { requestId: refused.requestId, method: refused.method, path: query === -1 ? url : url.slice(0, query), status: refused.status, error: refused.code };
  if (refused.clientCertificate !== undefined) line.clientCertificate = refused.clientCertificate;
  accessLogger(logger).info(line, 'request');
}

/** The line's fields, flat, for log queries (`route="chat" and fallbackReason!=""`). */
export function accessLine(event: RequestEvent): Record<string, unknown> {
  const { served, response, cost, error } = event;
  const line: Record<string, unknown> = {
    requestId: event.requestId,
    operation: event.operation,
    route: event.route,
    status: event.status,
    stream: event.stream,
    durationMs: round(event.durationMs),
    deployment: served.deployment,
    provider: served.provider,
    hop: served.hop,
    // Calls made, retries and hedges included; steps passed over (an open circuit) are not calls.
    calls: served.attempts.reduce((calls, attempt) => (attempt.outcome === 'skipped' ? calls : calls + 1), 0),
  };
  if (event.tenant !== '') line.tenant = event.tenant;
  if (event.clientCertificate !== undefined) line.clientCertificate = event.clientCertificate;
  if (served.fallbackReason !== undefined) line.fallbackReason = served.fallbackReason;
  if (served.cache) line.cacheAgeMs = Math.round(served.cache.ageMs);
  if (served.manual !== undefined) line.manual = served.manual;
  if (served.replayOf !== undefined) line.replayOf = served.replayOf;
  if (event.timeToFirstChunkMs !== undefined) line.ttftMs = round(event.timeToFirstChunkMs);
  if (response) {
    line.model = response.model;
    const finish = response.finishReasons[0];
    if (finish !== undefined) line.finishReason = finish.unified;
    if (response.usage) {
      line.inputTokens = response.usage.inputTokens;
      line.outputTokens = response.usage.outputTokens;
      if (response.usage.cachedInputTokens > 0) line.cachedInputTokens = response.usage.cachedInputTokens;
    }
  }
  if (cost) {
    // Calls whose model has no known price are counted, not guessed: a total is given when it is whole, or when what is known is not nothing.
    if (cost.unpriced === 0 || cost.totalUsd > 0) line.costUsd = cost.totalUsd;
    if (cost.unpriced > 0) line.unpricedCalls = cost.unpriced;
  }
  if (error) {
    line.error = error.code;
    if (error.shape !== undefined) line.errorShape = error.shape;
  }
  return line;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
