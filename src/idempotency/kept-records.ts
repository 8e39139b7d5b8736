/**
 * The answers an idempotency store keeps for replay, held outside V8's heap.
 *
 * Kept as objects (the served record, its attempts, the answer's buffer), each answer lived long
 * enough to be copied into V8's old generation, and died there when it was evicted: with derived
 * keys that is every request, and V8 grew the old generation to several times what the store held
 * between major collections (docs/benchmarks.md: 80-100 MB of the defaults' peak RSS, and the major
 * GCs that made their tail). Here each record is written as bytes into large reused buffers
 * (chunks), and found through a map from key to slot whose other fields are typed arrays: what
 * stays on the heap per record is its key string and its map entry.
 *
 * Records are written in the order they are kept and evicted oldest first, so a chunk empties from
 * its start, and an emptied chunk is written again: the buffers are reused, not left to a major
 * collection to free.
 */
import { readStreamFraming, streamFramingRoom, writeStreamFraming, type CachedAnswer } from '../cache/response-cache.js';
import type { Served } from '../gateway/served.js';

/** A finished request as kept for replay: its answer and how it was served. */
export interface Recorded {
  answer: CachedAnswer;
  served: Served;
}

/** A kept record read back: a copy, valid after the record is evicted. */
export interface KeptRecord {
  bodyHash: string;
  recorded: Recorded;
}

export interface KeptLimits {
  maxEntries: number;
  /** Cap on the bytes of the kept records (answer, served record, body hash). */
  maxBytes: number;
}

/** Size of one chunk; a record bigger than that gets a buffer of its own. */
export const CHUNK_BYTES = 256 * 1024;
/** Emptied chunks held for reuse; more are let go. */
const SPARE_CHUNKS = 4;
/** Slots made at first; the ring doubles up to `maxEntries`. */
const FIRST_SLOTS = 256;
/** UTF-8 takes at most three bytes per UTF-16 code unit. */
const MAX_BYTES_PER_CODE_UNIT = 3;
/** `markCounts` of a completion (a stream's is its number of marks). */
const COMPLETION = -1;

class Chunk {
  /** Bytes written from the start. */
  used = 0;
  /** Records in it still kept. */
  live = 0;
  constructor(readonly buffer: Buffer) {}
}

export class KeptRecords {
  /** Key to slot. */
  private readonly index = new Map<string, number>();
  /**
   * A ring of slots in the order the records were kept, side by side in arrays (no object per
   * record). A slot whose key is undefined is empty: evicted, expired or never used.
   */
  private keys: (string | undefined)[] = [];
  private chunkOf: (Chunk | undefined)[] = [];
  private offsets = new Int32Array(0);
  private hashBytes = new Int32Array(0);
  private servedBytes = new Int32Array(0);
  private bodyBytes = new Int32Array(0);
  private markCounts = new Int32Array(0);
  /** Each record's bytes in its chunk (a stream's marks take a varying number). */
  private sizes = new Int32Array(0);
  private expiresAt = new Float64Array(0);
  /** The oldest slot; `span` slots from it are in use (empty ones included). */
  private head = 0;
  private span = 0;
  private bytes = 0;
  private current: Chunk | undefined;
  private readonly spare: Chunk[] = [];

  constructor(private limits: KeptLimits) {
    this.relayout(Math.min(FIRST_SLOTS, limits.maxEntries));
  }

  /** Records held (expired ones not yet noticed included). */
  get size(): number {
    return this.index.size;
  }

  /** Bytes the records held take in their chunks, counted against `maxBytes`. */
  get byteCount(): number {
    return this.bytes;
  }

  /** Applies new limits (a config reload), evicting the oldest records that no longer fit. */
  configure(limits: KeptLimits): void {
    this.limits = limits;
    while (!this.withinLimits()) this.dropOldest();
    const capacity = this.keys.length;
    if (capacity > limits.maxEntries || (capacity < FIRST_SLOTS && capacity < limits.maxEntries)) {
      this.relayout(Math.min(Math.max(this.index.size, FIRST_SLOTS), limits.maxEntries));
    }
  }

  /** Whether a live record is kept for `key` (an expired one is dropped). */
  has(key: string, now: number): boolean {
    return this.slotOf(key, now) !== undefined;
  }

  /** The record kept for `key`, copied out; undefined when none is, or it expired. */
  read(key: string, now: number): KeptRecord | undefined {
    const slot = this.slotOf(key, now);
    if (slot === undefined) return undefined;
    const buffer = (this.chunkOf[slot] as Chunk).buffer;
    let at = this.offsets[slot] as number;
    const bodyHash = buffer.toString('utf8', at, (at += this.hashBytes[slot] as number));
    // Written by `keep` from a Served record: JSON it made itself.
    const served = JSON.parse(buffer.toString('utf8', at, (at += this.servedBytes[slot] as number))) as Served;
    const body = Buffer.allocUnsafeSlow(this.bodyBytes[slot] as number);
    at += buffer.copy(body, 0, at, at + body.length);
    const markCount = this.markCounts[slot] as number;
    if (markCount === COMPLETION) return { bodyHash, recorded: { answer: { kind: 'completion', body }, served } };
    return { bodyHash, recorded: { answer: readStreamFraming(body, markCount, buffer, at), served } };
  }

  /**
   * Keeps `recorded` for `key` until `expiresAt`, evicting the oldest records to stay within the
   * limits. A record bigger than `maxBytes` on its own is not kept.
   */
  keep(key: string, bodyHash: string, recorded: Recorded, expiresAt: number, now: number): void {
    this.remove(key);
    this.dropExpired(now);
    const served = JSON.stringify(recorded.served);
    const body = recorded.answer.body;
    const stream = recorded.answer.kind === 'stream' ? recorded.answer : undefined;
    const room = (bodyHash.length + served.length) * MAX_BYTES_PER_CODE_UNIT + body.length + (stream ? streamFramingRoom(stream) : 0);
    // A slot first: making room in the ring may evict, and so empty the chunk about to be written.
    const slot = this.takeSlot();
    const chunk = this.chunkWithRoom(room);
    const buffer = chunk.buffer;
    const start = chunk.used;
    let at = start;
    const hashLength = buffer.write(bodyHash, at);
    at += hashLength;
    const servedLength = buffer.write(served, at);
    at += servedLength;
    at += body.copy(buffer, at);
    if (stream) at = writeStreamFraming(stream, buffer, at);
    const size = at - start;
    if (size > this.limits.maxBytes) {
      // Too big to keep: the slot goes back unused (making room for it may have evicted the oldest record).
      this.span--;
      return;
    }
    chunk.used = at;
    chunk.live++;
    this.keys[slot] = key;
    this.chunkOf[slot] = chunk;
    this.offsets[slot] = start;
    this.hashBytes[slot] = hashLength;
    this.servedBytes[slot] = servedLength;
    this.bodyBytes[slot] = body.length;
    this.markCounts[slot] = stream ? stream.marks.length : COMPLETION;
    this.sizes[slot] = size;
    this.expiresAt[slot] = expiresAt;
    this.index.set(key, slot);
    this.bytes += size;
    while (!this.withinLimits()) this.dropOldest();
  }

  /** Drops the record kept for `key`, if any. */
  remove(key: string): void {
    const slot = this.index.get(key);
    if (slot !== undefined) this.clear(slot);
  }

  private slotOf(key: string, now: number): number | undefined {
    const slot = this.index.get(key);
    if (slot === undefined) return undefined;
    if ((this.expiresAt[slot] as number) > now) return slot;
    this.clear(slot);
    return undefined;
  }

  private withinLimits(): boolean {
    return this.index.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes;
  }

  /**
   * The next free slot at the ring's tail. A full ring grows, up to `maxEntries` slots; at that
   * size, it is compacted when a quarter or more of its slots are empty (records removed out of
   * order: expired under a shorter TTL), so each compaction is paid for by as many records kept
   * after it; else the oldest record makes way.
   */
  private takeSlot(): number {
    this.skipEmpty();
    const capacity = this.keys.length;
    if (this.span === capacity) {
      if (capacity < this.limits.maxEntries) this.relayout(Math.min(capacity * 2, this.limits.maxEntries));
      else if ((this.span - this.index.size) * 4 >= capacity) this.relayout(capacity);
      else this.dropOldest();
    }
    const slot = (this.head + this.span) % this.keys.length;
    this.span++;
    return slot;
  }

  private dropExpired(now: number): void {
    for (;;) {
      this.skipEmpty();
      if (this.span === 0 || (this.expiresAt[this.head] as number) > now) return;
      this.dropOldest();
    }
  }

  /** Evicts the oldest record. */
  private dropOldest(): void {
    this.skipEmpty();
    if (this.span === 0) return;
    this.clear(this.head);
    this.advanceHead();
  }

  /** Moves the head past empty slots. */
  private skipEmpty(): void {
    while (this.span > 0 && this.keys[this.head] === undefined) this.advanceHead();
  }

  private advanceHead(): void {
    this.head = (this.head + 1) % this.keys.length;
    this.span--;
  }

  private clear(slot: number): void {
    const key = this.keys[slot] as string;
    const chunk = this.chunkOf[slot] as Chunk;
    this.index.delete(key);
    this.keys[slot] = undefined;
    this.chunkOf[slot] = undefined;
    this.bytes -= this.sizes[slot] as number;
    chunk.live--;
    if (chunk.live > 0) return;
    if (chunk === this.current) chunk.used = 0;
    else this.recycle(chunk);
  }

  /** The chunk being written, or a fresh one when `room` bytes do not fit in it. */
  private chunkWithRoom(room: number): Chunk {
    const current = this.current;
    if (current && current.used + room <= current.buffer.length) return current;
    if (current && current.live === 0) this.recycle(current);
    const chunk = room > CHUNK_BYTES ? new Chunk(Buffer.allocUnsafeSlow(room)) : (this.spare.pop() ?? new Chunk(Buffer.allocUnsafeSlow(CHUNK_BYTES)));
    this.current = chunk;
    return chunk;
  }

  /** An emptied chunk: kept for reuse (a few of the standard size), else let go. */
  private recycle(chunk: Chunk): void {
    chunk.used = 0;
    if (chunk.buffer.length === CHUNK_BYTES && this.spare.length < SPARE_CHUNKS) this.spare.push(chunk);
  }

  /** Remakes the ring with `capacity` slots, the live records first, oldest first. */
  private relayout(capacity: number): void {
    const old = { keys: this.keys, chunkOf: this.chunkOf, offsets: this.offsets, hashBytes: this.hashBytes, servedBytes: this.servedBytes, bodyBytes: this.bodyBytes, markCounts: this.markCounts, sizes: this.sizes, expiresAt: this.expiresAt };
    const oldCapacity = this.keys.length;
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.chunkOf = new Array<Chunk | undefined>(capacity).fill(undefined);
    this.offsets = new Int32Array(capacity);
    this.hashBytes = new Int32Array(capacity);
    this.servedBytes = new Int32Array(capacity);
    this.bodyBytes = new Int32Array(capacity);
    this.markCounts = new Int32Array(capacity);
    this.sizes = new Int32Array(capacity);
    this.expiresAt = new Float64Array(capacity);
    let to = 0;
    for (let i = 0; i < this.span; i++) {
      const from = (this.head + i) % oldCapacity;
      const key = old.keys[from];
      if (key === undefined) continue;
      this.keys[to] = key;
      this.chunkOf[to] = old.chunkOf[from];
      this.offsets[to] = old.offsets[from] as number;
      this.hashBytes[to] = old.hashBytes[from] as number;
      this.servedBytes[to] = old.servedBytes[from] as number;
      this.bodyBytes[to] = old.bodyBytes[from] as number;
      this.markCounts[to] = old.markCounts[from] as number;
      this.sizes[to] = old.sizes[from] as number;
      this.expiresAt[to] = old.expiresAt[from] as number;
      this.index.set(key, to);
      to++;
    }
    this.head = 0;
    this.span = to;
  }
}
