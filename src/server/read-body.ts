/** Reads and parses a JSON request body within the size limit, with the client's mistakes as 4xx errors. */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { GatewayError, invalidRequest } from '../errors.js';

type Decode = (compressed: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;

/** A content coding the gateway reads: its name, and how to decode it. */
interface Decoder {
  coding: string;
  decode: Decode;
}

/**
 * The content codings a request body may come in (RFC 9110 §8.4), each decoded on libuv's thread
 * pool with its output capped at the body limit, so that a small compressed body cannot expand past
 * it. `deflate` is the zlib format, as HTTP defines it.
 */
const DECODERS = new Map<string, Decode>([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
  ['br', promisify(brotliDecompress)],
]);

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
  const coding = req.headers['content-encoding'];
  const decoder = coding === undefined ? undefined : decoderFor(coding);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(req, maxBytes);

  // Listeners, not `for await`: the async iterator costs a promise per chunk on the hot path. The
  // listeners are shared module functions, not closures made for every request.
  const { chunks, size } = await new Promise<Collected>((resolve, reject) => new BodyCollector(req, maxBytes, resolve, reject).listen());
  if (size === 0) throw invalidRequest('The request body is empty; send a JSON object.', null, 'invalid_body');
  const received = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  const body = decoder === undefined ? received : await decoded(req, decoder, received, maxBytes);
  const text = body.toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, bytes: body.length };
  } catch (err) {
    // A byte order mark, which JSON parsers may ignore (RFC 8259 §8.1): looked for only when the text does not parse.
    if (text.charCodeAt(0) === BYTE_ORDER_MARK) {
      try {
        return { value: JSON.parse(text.slice(1)) as unknown, bytes: body.length };
      } catch {
        // Reported below, as the text was sent.
      }
    }
    throw invalidRequest(`We could not parse the JSON body of your request: ${(err as Error).message}`, null, 'invalid_json');
  }
}

const BYTE_ORDER_MARK = 0xfeff;

/** The decoder for a `content-encoding`, undefined for none (`identity`); a 415 for a coding this gateway does not read. */
function decoderFor(header: string): Decoder | undefined {
  const codings = header
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0) return undefined;
  const coding = codings[0] as string;
  const decode = codings.length === 1 ? DECODERS.get(coding) : undefined;
  if (decode) return { coding, decode };
  const what = codings.length === 1 ? `Content-Encoding '${header}' is not supported` : `Content-Encoding '${header}' applies ${codings.length} codings; this gateway reads one`;
  throw new GatewayError(`${what}: send the body uncompressed, or compressed with one of gzip, deflate or br.`, {
    status: 415,
    code: 'unsupported_content_encoding',
    param: 'content-encoding',
    shape: 'client_error',
    headers: { 'accept-encoding': 'gzip, deflate, br' },
  });
}

/** A compressed body, decoded within the body limit. */
async function decoded(req: IncomingMessage, { coding, decode }: Decoder, compressed: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await decode(compressed, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(req, maxBytes, 'decompressed ');
    throw invalidRequest(`The request body is not valid ${coding} data (${(err as Error).message}); send it uncompressed, or check how it was compressed.`, null, 'invalid_body_encoding');
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
  if (collector.size > collector.maxBytes) collector.fail(tooLarge(this, collector.maxBytes));
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

/**
 * A body over the limit. On HTTP/1.1 the connection closes after the answer, rather than read the
 * rest of the body; HTTP/2 has no such header (node would drop it with a warning), and its
 * stream ends with the answer.
 */
function tooLarge(req: IncomingMessage, maxBytes: number, what = ''): GatewayError {
  const headers: Record<string, string> = req.httpVersionMajor === 1 ? { connection: 'close' } : {};
  return new GatewayError(`The ${what}request body is larger than this gateway's limit of ${maxBytes} bytes.`, { status: 413, code: 'request_too_large', shape: 'client_error', headers });
}
