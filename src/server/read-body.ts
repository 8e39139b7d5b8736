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
  const value = parsed(body.toString('utf8'));
  // Valid JSON nested d deep is at least 2d bytes long: a short body needs no look.
  if (body.length > 2 * MAX_JSON_DEPTH && nestedDeeperThan(body, MAX_JSON_DEPTH)) {
    throw invalidRequest(`The JSON body of your request is nested more than ${MAX_JSON_DEPTH} levels deep.`, null, 'invalid_json');
  }
  return { value, bytes: body.length };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // A byte order mark, which JSON parsers may ignore (RFC 8259 §8.1): looked for only when the text does not parse.
    if (text.charCodeAt(0) === BYTE_ORDER_MARK) {
      try {
        return JSON.parse(text.slice(1)) as unknown;
      } catch {
        // Reported below, as the text was sent.
      }
    }
    throw invalidRequest(`We could not parse the JSON body of your request: ${(err as Error).message}`, null, 'invalid_json');
  }
}

const BYTE_ORDER_MARK = 0xfeff;

/**
 * How deep a request's JSON may nest. The gateway's own walks of a body (its cache and idempotency
 * key, the JSON it sends upstream) recurse, and about 5,000 levels overflowed the stack: a client's
 * mistake answered 500. Real requests nest a few tens deep (OpenAI's structured outputs allow 10).
 */
export const MAX_JSON_DEPTH = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Whether valid JSON (as UTF-8, whose multi-byte characters hold no ASCII byte) nests deeper than
 * `limit`: one pass, each string skipped with a native search for its closing quote (most of a
 * prompt's bytes are in strings).
 */
function nestedDeeperThan(json: Buffer, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const byte = json[i] as number;
    if (byte === QUOTE) i = closingQuote(json, i);
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
  }
  return false;
}

/** Where the string opened at `open` ends: the next quote that an odd run of backslashes does not escape. */
function closingQuote(json: Buffer, open: number): number {
  let at = open;
  for (;;) {
    at = json.indexOf(QUOTE, at + 1);
    if (at === -1) return json.length;
    let backslashes = 0;
    while (json[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

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
