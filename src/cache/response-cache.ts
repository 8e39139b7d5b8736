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
 * chunks share) is kept as what lies between: the bench's 20-chunk stream in a quarter of its
 * bytes, a 500-token answer in a fortieth (a quarter when each chunk carries OpenAI's random
 * `obfuscation` padding, which leaves little tail to share). `body` holds the chunks' kept bytes in order, then the head's (`headBytes` of
 * them), then the tail's; `marks[i]` is twice where chunk i's bytes end, plus 1 when the chunk is
 * framed (kept without its head and tail).
 */
export interface KeptStream {
  kind: 'stream';
  body: Buffer;
  marks: number[];
  headBytes: number;
}

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
  const { body, marks, headBytes } = answer;
  const chunksEnd = marks.length === 0 ? 0 : (marks[marks.length - 1] as number) >>> 1;
  return chunksOf(body, marks, body.toString('utf8', chunksEnd, chunksEnd + headBytes), body.toString('utf8', chunksEnd + headBytes));
}

/** The texts of the chunks whose bytes `marks` places in `body`, a framed one put back between `head` and `tail`. */
function chunksOf(body: Buffer, marks: readonly number[], head: string, tail: string): string[] {
  const chunks: string[] = [];
  let start = 0;
  for (const mark of marks) {
    const end = mark >>> 1;
    const kept = body.toString('utf8', start, end);
    chunks.push((mark & 1) === 1 ? head + kept + tail : kept);
    start = end;
  }
  return chunks;
}

/** Room a chunk may need: UTF-8 takes at most three bytes per UTF-16 code unit. */
const MAX_BYTES_PER_CODE_UNIT = 3;
/** First size of a recorder's buffer; it doubles as needed. The bench's framed 20-chunk stream fits. */
const INITIAL_RECORDING_BYTES = 2048;
/** Shortest head and tail (together, in UTF-16 code units) worth framing a stream's chunks with. */
const MIN_FRAME_CHARS = 32;

/**
 * A stream's chunk texts copied into one growing buffer as they are handed on, so the chunk strings
 * die young instead of being held (and promoted) for the stream's whole life, and framed by the
 * text its chunks share (KeptStream). Stops keeping, for good, once the stream outgrows `maxBytes`.
 */
export class StreamRecorder {
  private buffer: Buffer | undefined;
  private length = 0;
  private marks: number[] | undefined = [];
  /** The second chunk's text, until the third comes to find the frame with. */
  private second: string | undefined;
  /** The frame, once found; '' and '' frame nothing. */
  private head = '';
  private tail = '';
  private framing = false;
  /** The frame's UTF-8 bytes, which `pack` writes once: counted against the cap. */
  private frameBytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(text: string): void {
    const marks = this.marks;
    if (marks === undefined) return;
    if (marks.length === 1) this.second = text;
    else if (marks.length === 2) this.findFrame(this.second as string, text);
    let kept = text;
    let framed = 0;
    const head = this.head;
    const tail = this.tail;
    // Compared as slices, not with startsWith/endsWith: a third of the time in node 20.
    if (this.framing && text.length >= head.length + tail.length && text.slice(0, head.length) === head && text.slice(text.length - tail.length) === tail) {
      kept = text.slice(head.length, text.length - tail.length);
      framed = 1;
    }
    const room = kept.length * MAX_BYTES_PER_CODE_UNIT;
    let buffer = this.buffer;
    if (buffer === undefined || this.length + room > buffer.length) {
      if (this.length + this.frameBytes + kept.length > this.maxBytes) {
        this.drop();
        return;
      }
      buffer = this.grow(this.length + room);
    }
    this.length += buffer.write(kept, this.length);
    if (this.length + this.frameBytes > this.maxBytes) {
      this.drop();
      return;
    }
    marks.push(this.length * 2 + framed);
  }

  /** The stream kept whole, in a buffer of its exact size; undefined past the cap. */
  pack(): KeptStream | undefined {
    const marks = this.marks;
    if (marks === undefined) return undefined;
    const headBytes = Buffer.byteLength(this.head);
    const body = Buffer.allocUnsafeSlow(this.length + this.frameBytes);
    this.buffer?.copy(body, 0, 0, this.length);
    body.write(this.head, this.length);
    body.write(this.tail, this.length + headBytes);
    return { kind: 'stream', body, marks, headBytes };
  }

  /** The chunk texts recorded so far (decoded again: for the rare stream that broke); undefined past the cap. */
  texts(): string[] | undefined {
    const marks = this.marks;
    if (marks === undefined) return undefined;
    return this.buffer === undefined ? [] : chunksOf(this.buffer, marks, this.head, this.tail);
  }

  /**
   * The frame: the longest head and tail that the second and third chunks share (the first, the
   * role's, differs from the rest), if long enough to be worth it. Never cuts a surrogate pair, so
   * that a framed chunk's kept part is well-formed UTF-16 when its whole text is.
   */
  private findFrame(a: string, b: string): void {
    this.second = undefined;
    const shorter = Math.min(a.length, b.length);
    let head = 0;
    while (head < shorter && a.charCodeAt(head) === b.charCodeAt(head)) head++;
    let tail = 0;
    while (tail < shorter - head && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
    if (head > 0 && isHighSurrogate(a.charCodeAt(head - 1))) head--;
    if (tail > 0 && isLowSurrogate(a.charCodeAt(a.length - tail))) tail--;
    if (head + tail < MIN_FRAME_CHARS) return;
    this.head = a.slice(0, head);
    this.tail = a.slice(a.length - tail);
    this.framing = true;
    this.frameBytes = Buffer.byteLength(this.head) + Buffer.byteLength(this.tail);
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
    const bytes = answer.body.length;
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
