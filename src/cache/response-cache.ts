/**
 * The exact response cache behind cache-on-failure: successful answers are kept (bounded by count,
 * bytes and age, least recently used first out) so that when every live hop fails, the same request
 * can still be answered, marked stale. In memory now; the store interface lets Redis stand in later.
 */

/**
 * An answer kept for replay or cache-on-failure: its UTF-8 bytes in a buffer of its own, outside
 * V8's heap, and for a stream where each chunk's bytes end (KeptStream). Kept answers outlive many young-
 * generation collections; as strings they were copied into the old generation and died there
 * (a third of what a streaming load promoted), and V8 sized its heap at several times what they
 * held. Never a slice of Node's shared buffer pool, which would pin the pool's other 8 KB: a
 * buffer of its own, or the upstream's answer as read from its socket (a read of its own size).
 */
export type CachedAnswer = { kind: 'completion'; body: Buffer } | KeptStream;

/**
 * A kept stream. A stream's chunks repeat one JSON text around the few characters that change (the
 * token; in OpenAI's chunks 190-odd bytes of id, model, fingerprint and brackets around a word), so
 * a chunk that starts with the stream's head and ends with its tail (the text its second and third
 * chunks share) is kept as what lies between, and when that still holds a long run of text the two
 * chunks also shared (OpenAI's chunks end in a random `obfuscation` string, after the same 50-odd
 * characters), as what lies before and after that inner run. The bench's 20-chunk stream is kept
 * in a quarter of its bytes, a 500-token answer in a fortieth (a twenty-seventh with `obfuscation`),
 * besides the marks.
 *
 * `body` holds the chunks' kept bytes in order, then the head's (`headBytes` of them), the inner
 * run's (`innerBytes`), then the tail's. Each mark is four times where a part's bytes end, plus its
 * kind: WHOLE (a chunk kept as it came), FRAMED (a chunk's last part, between its head and tail,
 * or after the inner run when the mark before it is BEFORE_INNER).
 */
export interface KeptStream {
  kind: 'stream';
  body: Buffer;
  marks: number[];
  headBytes: number;
  innerBytes: number;
}

/** What a framed chunk shares with the stream's others; inner is '' when there is no inner run. */
interface Frame {
  head: string;
  inner: string;
  tail: string;
}

const WHOLE = 0;
const FRAMED = 1;
const BEFORE_INNER = 2;
/** What a stream without a frame reads back with: nothing is framed. */
const NO_FRAME: Frame = { head: '', inner: '', tail: '' };

/** A completion's text, kept: as `bytes` when the caller has its UTF-8 bytes already (which must then be this text's own), else encoded into a buffer of its own. */
export function keptCompletion(text: string, bytes?: Buffer): CachedAnswer {
  if (bytes) return { kind: 'completion', body: bytes };
  const body = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  body.write(text);
  return { kind: 'completion', body };
}

/** The text of a kept completion. */
export function completionText(answer: Extract<CachedAnswer, { kind: 'completion' }>): string {
  return answer.body.toString('utf8');
}

/** The chunk texts of a kept stream. */
export function streamChunks(answer: KeptStream): string[] {
  const { body, marks, headBytes, innerBytes } = answer;
  const innerAt = (marks.length === 0 ? 0 : (marks[marks.length - 1] as number) >>> 2) + headBytes;
  const tailAt = innerAt + innerBytes;
  return chunksOf(body, marks, { head: body.toString('utf8', innerAt - headBytes, innerAt), inner: body.toString('utf8', innerAt, tailAt), tail: body.toString('utf8', tailAt) });
}

/** The texts of the chunks whose parts `marks` places in `body`, a framed one put back together with `frame`. */
function chunksOf(body: Buffer, marks: readonly number[], frame: Frame): string[] {
  const chunks: string[] = [];
  let start = 0;
  let before: string | undefined;
  for (const mark of marks) {
    const end = mark >>> 2;
    const kept = body.toString('utf8', start, end);
    start = end;
    const kind = mark & 3;
    if (kind === BEFORE_INNER) {
      before = kept;
      continue;
    }
    if (kind === WHOLE) chunks.push(kept);
    else if (before === undefined) chunks.push(frame.head + kept + frame.tail);
    else chunks.push(frame.head + before + frame.inner + kept + frame.tail);
    before = undefined;
  }
  return chunks;
}

/** Most bytes `writeStreamFraming` takes for `stream`: a varint of at most 5 bytes per mark (a mark is below 2^32), and the frame's two sizes. */
export function streamFramingRoom(stream: KeptStream): number {
  return 5 * stream.marks.length + 8;
}

/**
 * Writes a kept stream's marks and frame sizes into `buffer` at `at` (for a store that keeps the
 * body beside them); returns where it ended. Each mark goes as a varint of its part's length and
 * kind: a byte for a token, two for a whole chunk, where the offset took four.
 */
export function writeStreamFraming(stream: KeptStream, buffer: Buffer, at: number): number {
  let end = 0;
  for (const mark of stream.marks) {
    const kind = mark % 4;
    let value = (mark - kind) / 4 - end;
    end += value;
    value = value * 4 + kind;
    while (value >= 0x80) {
      buffer[at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buffer[at++] = value;
  }
  at = buffer.writeUInt32LE(stream.headBytes, at);
  return buffer.writeUInt32LE(stream.innerBytes, at);
}

/** The kept stream of `body` whose `markCount` marks and frame sizes `writeStreamFraming` wrote at `at`. */
export function readStreamFraming(body: Buffer, markCount: number, buffer: Buffer, at: number): KeptStream {
  const marks: number[] = [];
  let end = 0;
  for (let i = 0; i < markCount; i++) {
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = buffer[at++] as number;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    const kind = value % 4;
    end += (value - kind) / 4;
    marks.push(end * 4 + kind);
  }
  return { kind: 'stream', body, marks, headBytes: buffer.readUInt32LE(at), innerBytes: buffer.readUInt32LE(at + 4) };
}

/** Room a chunk may need: UTF-8 takes at most three bytes per UTF-16 code unit. */
const MAX_BYTES_PER_CODE_UNIT = 3;
/** First size of a recorder's buffer; it doubles as needed. The bench's framed 20-chunk stream fits. */
const INITIAL_RECORDING_BYTES = 2048;
/** Most bytes a recorder keeps, whatever its cap: a mark is four times an offset, in 32 bits. */
const MAX_STREAM_BYTES = 2 ** 30 - 1;
/** Shortest head and tail (together, in UTF-16 code units) worth framing a stream's chunks with. */
const MIN_FRAME_CHARS = 32;
/** Shortest inner run worth a second cut, and how many places of a middle are tried as its start. */
const MIN_INNER_CHARS = 16;
const INNER_STARTS = 32;

/**
 * A stream's chunk texts copied into one growing buffer as they are handed on, so the chunk strings
 * die young instead of being held (and promoted) for the stream's whole life, and framed by the
 * text its chunks share (KeptStream). Stops keeping, for good, once the stream outgrows `maxBytes`.
 */
export class StreamRecorder {
  private buffer: Buffer | undefined;
  private length = 0;
  private marks: number[] | undefined = [];
  private chunks = 0;
  /** The second chunk's text, until the third comes to find the frame with. */
  private second: string | undefined;
  /** Found at the third chunk, if its text and the second's share enough. */
  private frame: Frame | undefined;
  /** The frame's UTF-8 bytes, which `pack` writes once: counted against the cap. */
  private frameBytes = 0;

  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    // A mark (four times an offset, plus its kind) must fit the idempotency store's 32 bits.
    this.maxBytes = Math.min(maxBytes, MAX_STREAM_BYTES);
  }

  add(text: string): void {
    if (this.marks === undefined) return;
    const nth = this.chunks++;
    if (nth === 1) this.second = text;
    else if (nth === 2) this.findFrame(this.second as string, text);
    const frame = this.frame;
    const head = frame?.head.length ?? 0;
    const tail = frame?.tail.length ?? 0;
    // Compared as slices, not with startsWith/endsWith: a third of the time in node 20.
    if (frame === undefined || text.length < head + tail || text.slice(0, head) !== frame.head || text.slice(text.length - tail) !== frame.tail) {
      this.keep(text, WHOLE);
      return;
    }
    const middle = text.slice(head, text.length - tail);
    const inner = frame.inner === '' ? -1 : middle.indexOf(frame.inner);
    if (inner < 0) this.keep(middle, FRAMED);
    else if (this.keep(middle.slice(0, inner), BEFORE_INNER)) this.keep(middle.slice(inner + frame.inner.length), FRAMED);
  }

  /** The stream kept whole, in a buffer of its exact size; undefined past the cap. */
  pack(): KeptStream | undefined {
    const marks = this.marks;
    if (marks === undefined) return undefined;
    const body = Buffer.allocUnsafeSlow(this.length + this.frameBytes);
    this.buffer?.copy(body, 0, 0, this.length);
    const frame = this.frame;
    if (frame === undefined) return { kind: 'stream', body, marks, headBytes: 0, innerBytes: 0 };
    const headBytes = body.write(frame.head, this.length);
    const innerBytes = body.write(frame.inner, this.length + headBytes);
    body.write(frame.tail, this.length + headBytes + innerBytes);
    return { kind: 'stream', body, marks, headBytes, innerBytes };
  }

  /** The chunk texts recorded so far (decoded again: for the rare stream that broke); undefined past the cap. */
  texts(): string[] | undefined {
    const marks = this.marks;
    if (marks === undefined) return undefined;
    return this.buffer === undefined ? [] : chunksOf(this.buffer, marks, this.frame ?? NO_FRAME);
  }

  /** Writes one part of a chunk and its mark; false when that took the stream past the cap (it is dropped). */
  private keep(kept: string, kind: number): boolean {
    const marks = this.marks as number[];
    const room = kept.length * MAX_BYTES_PER_CODE_UNIT;
    let buffer = this.buffer;
    if (buffer === undefined || this.length + room > buffer.length) {
      if (this.length + this.frameBytes + kept.length > this.maxBytes) {
        this.drop();
        return false;
      }
      buffer = this.grow(this.length + room);
    }
    this.length += buffer.write(kept, this.length);
    if (this.length + this.frameBytes > this.maxBytes) {
      this.drop();
      return false;
    }
    marks.push(this.length * 4 + kind);
    return true;
  }

  /**
   * The frame: the head and tail that the second and third chunks share (the first, the role's,
   * differs from the rest), if long enough to be worth it, and the inner run their middles share.
   * In JSON what varies is a string's content, so the head is made to end, and the tail to start,
   * at an unescaped quote: two tokens that happen to begin (or end) alike must not make a frame
   * the other chunks miss. Never cuts a surrogate pair, so that each kept part is well-formed
   * UTF-16 when the chunk's whole text is.
   */
  private findFrame(a: string, b: string): void {
    this.second = undefined;
    const shorter = Math.min(a.length, b.length);
    let head = 0;
    while (head < shorter && a.charCodeAt(head) === b.charCodeAt(head)) head++;
    let tail = 0;
    while (tail < shorter - head && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
    const lastQuote = head > 0 ? lastQuoteAt(a, head - 1) : -1;
    if (lastQuote >= 0) head = lastQuote + 1;
    const firstQuote = firstQuoteAt(a, a.length - tail);
    if (firstQuote >= 0) tail = a.length - firstQuote;
    if (head > 0 && isHighSurrogate(a.charCodeAt(head - 1))) head--;
    if (tail > 0 && isLowSurrogate(a.charCodeAt(a.length - tail))) tail--;
    if (head + tail < MIN_FRAME_CHARS) return;
    const frame: Frame = {
      head: a.slice(0, head),
      inner: sharedRun(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
      tail: a.slice(a.length - tail),
    };
    this.frame = frame;
    this.frameBytes = Buffer.byteLength(frame.head) + Buffer.byteLength(frame.inner) + Buffer.byteLength(frame.tail);
  }

  private grow(needed: number): Buffer {
    let size = Math.max(INITIAL_RECORDING_BYTES, (this.buffer?.length ?? 0) * 2);
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.buffer?.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    return grown;
  }

  private drop(): void {
    this.marks = undefined;
    this.buffer = undefined;
    this.second = undefined;
    this.length = 0;
  }
}

/**
 * The run of text two middles share: found from the first piece of `a` (MIN_INNER_CHARS long,
 * starting in its first INNER_STARTS places) that `b` holds too, stretched as far as both go on,
 * then cut from its first quote to its last (as the head and tail are, for JSON). '' when there
 * is none worth a cut.
 */
function sharedRun(a: string, b: string): string {
  for (let i = 0; i < INNER_STARTS && i + MIN_INNER_CHARS <= a.length; i++) {
    const j = b.indexOf(a.slice(i, i + MIN_INNER_CHARS));
    if (j < 0) continue;
    let end = i + MIN_INNER_CHARS;
    for (let k = j + MIN_INNER_CHARS; end < a.length && k < b.length && a.charCodeAt(end) === b.charCodeAt(k); k++) end++;
    let start = i;
    const firstQuote = firstQuoteAt(a, start);
    const lastQuote = lastQuoteAt(a, end - 1);
    if (firstQuote >= 0 && lastQuote > firstQuote && lastQuote < end) {
      start = firstQuote;
      end = lastQuote + 1;
    }
    if (isLowSurrogate(a.charCodeAt(start))) start++;
    if (isHighSurrogate(a.charCodeAt(end - 1))) end--;
    return end - start >= MIN_INNER_CHARS ? a.slice(start, end) : '';
  }
  return '';
}

/** The first quote at or after `from` that no backslash escapes; -1 when there is none. */
function firstQuoteAt(text: string, from: number): number {
  let at = text.indexOf('"', from);
  while (at > 0 && text.charCodeAt(at - 1) === BACKSLASH) at = text.indexOf('"', at + 1);
  return at;
}

/** The last quote at or before `from` (which is not negative) that no backslash escapes; -1 when there is none. */
function lastQuoteAt(text: string, from: number): number {
  let at = text.lastIndexOf('"', from);
  while (at > 0 && text.charCodeAt(at - 1) === BACKSLASH) at = text.lastIndexOf('"', at - 1);
  return at;
}

const BACKSLASH = 0x5c;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export interface CacheEntry {
  answer: CachedAnswer;
  storedAt: number;
  bytes: number;
}

export interface ResponseCacheOptions {
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;

  constructor(private options: ResponseCacheOptions) {}

  /** Applies new limits (a config reload), evicting what no longer fits. */
  configure(options: ResponseCacheOptions): void {
    this.options = options;
    this.evict();
  }

  get(key: string, now = Date.now()): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.storedAt > this.options.ttlMs) {
      this.delete(key, entry);
      return undefined;
    }
    // Refresh its place in the LRU order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, answer: CachedAnswer, now = Date.now()): void {
    // A stream's marks are an array on the heap: 8 bytes each.
    const bytes = answer.body.length + (answer.kind === 'stream' ? 8 * answer.marks.length : 0);
    if (bytes > this.options.maxBytes / 4) return; // one answer may not crowd out the rest
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    this.entries.set(key, { answer, storedAt: now, bytes });
    this.bytes += bytes;
    this.evict();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) return;
      this.delete(key, entry);
    }
  }

  private delete(key: string, entry: CacheEntry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
