/**
 * The exact response cache behind cache-on-failure: successful answers are kept (bounded by count,
 * bytes and age, least recently used first out) so that when every live hop fails, the same request
 * can still be answered, marked stale. In memory now; the store interface lets Redis stand in later.
 */

/**
 * An answer kept for replay or cache-on-failure. A stream is kept packed: its chunk texts as one
 * string and where each ends. Thousands of kept streams of twenty-odd chunks each were otherwise
 * tens of thousands of small strings, which V8's heap carried at several times their size (a
 * stream load at c=64 peaked at 327 MB RSS with replay on, 218 MB with it off).
 */
export type CachedAnswer = { kind: 'completion'; text: string } | { kind: 'stream'; text: string; ends: number[] };

/** A stream's chunk texts, packed for keeping. */
export function packStream(chunks: readonly string[]): CachedAnswer {
  const ends: number[] = [];
  let end = 0;
  for (const chunk of chunks) ends.push((end += chunk.length));
  return { kind: 'stream', text: chunks.join(''), ends };
}

/** The chunk texts of a packed stream. */
export function streamChunks(answer: Extract<CachedAnswer, { kind: 'stream' }>): string[] {
  const chunks: string[] = [];
  let start = 0;
  for (const end of answer.ends) {
    chunks.push(answer.text.slice(start, end));
    start = end;
  }
  return chunks;
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
    const bytes = answer.text.length;
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
