/**
 * The exact response cache behind cache-on-failure: successful answers are kept (bounded by count,
 * bytes and age, least recently used first out) so that when every live hop fails, the same request
 * can still be answered, marked stale. In memory now; the store interface lets Redis stand in later.
 */

/**
 * An answer kept for replay or cache-on-failure: its UTF-8 bytes in a buffer of its own, outside
 * V8's heap, and for a stream where each chunk's bytes end. Kept answers outlive many young-
 * generation collections; as strings they were copied into the old generation and died there
 * (a third of what a streaming load promoted), and V8 sized its heap at several times what they
 * held. Never a slice of Node's shared buffer pool, which would pin the pool's other 8 KB: a
 * buffer of its own, or the upstream's answer as read from its socket (a read of its own size).
 */
export type CachedAnswer = { kind: 'completion'; body: Buffer } | { kind: 'stream'; body: Buffer; ends: number[] };

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
export function streamChunks(answer: Extract<CachedAnswer, { kind: 'stream' }>): string[] {
  return chunksOf(answer.body, answer.ends);
}

/** The texts of `body` cut where `ends` says each chunk's bytes end. */
function chunksOf(body: Buffer, ends: readonly number[]): string[] {
  const chunks: string[] = [];
  let start = 0;
  for (const end of ends) {
    chunks.push(body.toString('utf8', start, end));
    start = end;
  }
  return chunks;
}

/** Room a chunk may need: UTF-8 takes at most three bytes per UTF-16 code unit. */
const MAX_BYTES_PER_CODE_UNIT = 3;
/** First size of a recorder's buffer; it doubles as needed. */
const INITIAL_RECORDING_BYTES = 4096;

/**
 * A stream's chunk texts copied into one growing buffer as they are handed on, so the chunk strings
 * die young instead of being held (and promoted) for the stream's whole life. Stops keeping, for
 * good, once the stream outgrows `maxBytes`.
 */
export class StreamRecorder {
  private buffer: Buffer | undefined;
  private length = 0;
  private ends: number[] | undefined = [];

  constructor(private readonly maxBytes: number) {}

  add(text: string): void {
    const ends = this.ends;
    if (ends === undefined) return;
    const room = text.length * MAX_BYTES_PER_CODE_UNIT;
    let buffer = this.buffer;
    if (buffer === undefined || this.length + room > buffer.length) {
      if (this.length + text.length > this.maxBytes) {
        this.drop();
        return;
      }
      buffer = this.grow(this.length + room);
    }
    this.length += buffer.write(text, this.length);
    if (this.length > this.maxBytes) {
      this.drop();
      return;
    }
    ends.push(this.length);
  }

  /** The stream kept whole, in a buffer of its exact size; undefined past the cap. */
  pack(): CachedAnswer | undefined {
    const ends = this.ends;
    if (ends === undefined) return undefined;
    const body = Buffer.allocUnsafeSlow(this.length);
    this.buffer?.copy(body, 0, 0, this.length);
    return { kind: 'stream', body, ends };
  }

  /** The chunk texts recorded so far (decoded again: for the rare stream that broke); undefined past the cap. */
  texts(): string[] | undefined {
    const ends = this.ends;
    if (ends === undefined) return undefined;
    return this.buffer === undefined ? [] : chunksOf(this.buffer, ends);
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
    this.ends = undefined;
    this.buffer = undefined;
    this.length = 0;
  }
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
