/** Reads and parses a JSON request body within the size limit, with the client's mistakes as 4xx errors. */
import type { IncomingMessage } from 'node:http';
import { GatewayError, invalidRequest } from '../errors.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export interface JsonBody {
  value: unknown;
  bytes: number;
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const type = req.headers['content-type'];
  // No content type at all is taken as JSON: many scripts omit it. A different one is refused.
  if (type !== undefined && !JSON_TYPE.test(type)) {
    const hint = /x-www-form-urlencoded/i.test(type) ? " (curl -d sends a form: add -H 'content-type: application/json')" : '';
    throw new GatewayError(`Send the body as JSON with 'content-type: application/json', not '${type}'${hint}.`, { status: 415, code: 'unsupported_media_type', shape: 'client_error' });
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);

  // Listeners, not `for await`: the async iterator costs a promise per chunk on the hot path. The
  // listeners are shared module functions, not closures made for every request.
  const { chunks, size } = await new Promise<Collected>((resolve, reject) => new BodyCollector(req, maxBytes, resolve, reject).listen());
  if (size === 0) throw invalidRequest('The request body is empty; send a JSON object.', null, 'invalid_body');
  const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, bytes: size };
  } catch (err) {
    throw invalidRequest(`We could not parse the JSON body of your request: ${(err as Error).message}`, null, 'invalid_json');
  }
}

interface Collected {
  chunks: Buffer[];
  size: number;
}

/** The collector reading a request's body, where its listeners (module functions, called with the request as `this`) find it. */
const COLLECTOR = Symbol('bodyCollector');
type CollectedRequest = IncomingMessage & { [COLLECTOR]?: BodyCollector };

/** Collects a request body up to `maxBytes`; settles once, and takes its listeners off when it does. */
class BodyCollector {
  readonly chunks: Buffer[] = [];
  size = 0;

  constructor(
    private readonly req: IncomingMessage,
    readonly maxBytes: number,
    private readonly resolve: (collected: Collected) => void,
    private readonly reject: (err: GatewayError) => void,
  ) {}

  listen(): void {
    (this.req as CollectedRequest)[COLLECTOR] = this;
    this.req.on('data', onData);
    this.req.on('end', onEnd);
    this.req.on('error', onError);
    this.req.on('aborted', onAborted);
  }

  done(): void {
    this.cleanup();
    this.resolve({ chunks: this.chunks, size: this.size });
  }

  fail(err: GatewayError): void {
    this.cleanup();
    this.reject(err);
  }

  private cleanup(): void {
    this.req.off('data', onData);
    this.req.off('end', onEnd);
    this.req.off('error', onError);
    this.req.off('aborted', onAborted);
    (this.req as CollectedRequest)[COLLECTOR] = undefined;
  }
}

function onData(this: CollectedRequest, chunk: Buffer): void {
  const collector = this[COLLECTOR];
  if (!collector) return;
  collector.size += chunk.length;
  if (collector.size > collector.maxBytes) collector.fail(tooLarge(collector.maxBytes));
  else collector.chunks.push(chunk);
}

function onEnd(this: CollectedRequest): void {
  this[COLLECTOR]?.done();
}

function onError(this: CollectedRequest, err: Error): void {
  this[COLLECTOR]?.fail(invalidRequest(`The request body could not be read: ${err.message}`, null, 'body_read_error'));
}

function onAborted(this: CollectedRequest): void {
  this[COLLECTOR]?.fail(new GatewayError('The client closed the request.', { status: 499, code: 'client_closed' }));
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(`The request body is larger than this gateway's limit of ${maxBytes} bytes.`, { status: 413, code: 'request_too_large', shape: 'client_error', headers: { connection: 'close' } });
}
