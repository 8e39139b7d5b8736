/**
 * The gateway's logger: pino, JSON lines. Credentials are censored by path, so a provider key or a
 * client's Authorization header never reaches a log line even when an object holding one is logged.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Config and option keys that hold a credential, under any of the nestings a logged object may have. */
const SECRET_KEYS = ['api_key', 'apiKey', 'secret_access_key', 'secretAccessKey', 'session_token', 'sessionToken', 'access_token', 'accessToken', 'entra_token', 'entraToken', 'admin_token'];

export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  'headers["x-goog-api-key"]',
  'headers["x-amz-security-token"]',
  '*.headers.authorization',
];

/** Lines are held until this many bytes wait... */
const BATCH_BYTES = 8192;
/** ... or for this long at most. */
const FLUSH_EVERY_MS = 200;
let stdout: DestinationStream | undefined;

/**
 * Stdout for log lines: one stream per process that every logger here writes through (the
 * gateway's, the access log's), so their lines never interleave. Lines are held until 8 KB wait or
 * 200 ms pass and written off the request's tick: each line written as it came cost the access log
 * about a tenth more CPU per request than batches do (docs/request-log.md, "The access log"). pino
 * flushes what waits when the process exits.
 */
export function stdoutLines(): DestinationStream {
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES, periodicFlush: FLUSH_EVERY_MS });
  return stdout;
}

export function createLogger(level: string, destination: DestinationStream = stdoutLines()): Logger {
  return pino({ level, base: { service: 'switchyard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

/** Where a logger writes. */
export function streamOf(logger: Logger): DestinationStream {
  return (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream;
}
