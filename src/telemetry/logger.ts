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
let stdout: LineBatches | undefined;

/**
 * Stdout for log lines: one stream per process that every logger here writes through (the
 * gateway's, the access log's), so their lines never interleave. Lines are held until 8 KB wait or
 * 200 ms pass, then go to sonic-boom (pino's own writer) as one string, which writes it off the
 * request's tick; what waits is flushed when the process exits (docs/request-log.md, "The access
 * log", for what each step saved).
 */
export function stdoutLines(): DestinationStream {
  stdout ??= new LineBatches(pino.destination({ dest: 1, sync: false }));
  return stdout;
}

/**
 * Joins lines into batches before they reach sonic-boom. Given line by line, sonic-boom measures
 * the UTF-8 length of everything it holds at each line (`Buffer.byteLength` of a string it keeps
 * growing with `+=`), which flattens that string again every time: up to 8 KB copied per line.
 */
class LineBatches implements DestinationStream {
  private lines: string[] = [];
  private length = 0;

  constructor(private readonly sink: DestinationStream & { flushSync(): void }) {
    setInterval(() => this.flush(), FLUSH_EVERY_MS).unref();
    // pino flushes the sink at exit too, but its listener was registered first and runs before
    // this one: what waits here is handed over and flushed now.
    process.once('exit', () => {
      this.flush();
      try {
        this.sink.flushSync();
      } catch {
        // stdout gone (EPIPE): nothing left to tell
      }
    });
  }

  write(line: string): void {
    this.lines.push(line);
    this.length += line.length;
    if (this.length >= BATCH_BYTES) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const batch = this.lines.length === 1 ? (this.lines[0] as string) : this.lines.join('');
    this.lines = [];
    this.length = 0;
    this.sink.write(batch);
  }
}

export function createLogger(level: string, destination: DestinationStream = stdoutLines()): Logger {
  return pino({ level, base: { service: 'switchyard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

/** Where a logger writes. */
export function streamOf(logger: Logger): DestinationStream {
  return (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream;
}
