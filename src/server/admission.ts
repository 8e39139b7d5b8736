/**
 * `server.max_in_flight`: how many model requests (chat completions, responses, messages,
 * embeddings) the server holds at once. Past it, a request is refused at once with a 503 and
 * `retry-after: 1` (Anthropic's endpoint answers its 529 `overloaded_error`), which OpenAI's and
 * Anthropic's clients retry after a pause, rather than taken on: in a surge, a gateway that takes
 * every request holds every body and stream in memory and answers all of them late. A request
 * counts from when it is routed until its response closes (a stream's last chunk, or the client
 * leaving). Health, metrics, the model list, token counts and admin are never refused, so a load
 * balancer's probe still learns the gateway is alive. 0 (the default): no limit, counted all the same.
 *
 * Refusals are logged as a warning at the first and then as one line per interval with their
 * count, not a line each, which would add to the surge.
 */
import type { ServerResponse } from 'node:http';
import { GatewayError } from '../errors.js';
import type { ServerLoad } from '../gateway/server-load.js';
import type { Handler, HttpContext } from './context.js';

/** How often, at most, refusals are logged while they go on. */
export const SHED_LOG_INTERVAL_MS = 10_000;
/** The error code of a refusal. */
export const OVERLOADED = 'overloaded';
/** What a refused client is told to wait before it retries. */
const RETRY_AFTER_MS = 1000;

const ADMITTED = Symbol('admitted');
type Admitted = ServerResponse & { [ADMITTED]?: ServerLoad };

/** The handler of a model endpoint, behind the limit. */
export function admitted(handler: Handler): Handler {
  return (ctx) => {
    admit(ctx);
    return handler(ctx);
  };
}

function admit({ res, gateway }: HttpContext): void {
  const load = gateway.load;
  const limit = gateway.config.server.max_in_flight;
  if (limit > 0 && load.inFlight >= limit) {
    load.shed++;
    noteShed(gateway, load, limit);
    throw new GatewayError(`The gateway is at its limit of ${limit} requests in flight (server.max_in_flight); retry shortly.`, {
      status: 503,
      code: OVERLOADED,
      // The gateway's own state, not an upstream's (OpenAI's own overload is a server_error too).
      type: 'server_error',
      retryAfterMs: RETRY_AFTER_MS,
    });
  }
  load.inFlight++;
  (res as Admitted)[ADMITTED] = load;
}

/** From the server's one 'close' listener: an admitted request's response has closed. */
export function releaseAdmitted(res: ServerResponse): void {
  const load = (res as Admitted)[ADMITTED];
  if (load === undefined) return;
  (res as Admitted)[ADMITTED] = undefined;
  load.inFlight--;
}

interface ShedLog {
  /** Refusals since the last line. */
  since: number;
  /** The next line's timer, while refusals go on; undefined when the next refusal is logged at once. */
  timer: NodeJS.Timeout | undefined;
}

/** Per gateway. */
const SHED_LOGS = new WeakMap<ServerLoad, ShedLog>();

function noteShed(gateway: HttpContext['gateway'], load: ServerLoad, limit: number): void {
  const log = SHED_LOGS.get(load) ?? { since: 0, timer: undefined };
  SHED_LOGS.set(load, log);
  if (log.timer !== undefined) {
    log.since++;
    return;
  }
  gateway.logger.warn({ inFlight: load.inFlight, limit }, `refusing requests: ${limit} in flight, the limit of server.max_in_flight (503, retry-after 1 s)`);
  const next = (): void => {
    if (log.since === 0) {
      log.timer = undefined;
      return;
    }
    gateway.logger.warn({ refused: log.since, inFlight: load.inFlight, limit }, `refused ${log.since} more requests in ${SHED_LOG_INTERVAL_MS / 1000} s at server.max_in_flight`);
    log.since = 0;
    log.timer = setTimeout(next, SHED_LOG_INTERVAL_MS).unref();
  };
  log.timer = setTimeout(next, SHED_LOG_INTERVAL_MS).unref();
}
