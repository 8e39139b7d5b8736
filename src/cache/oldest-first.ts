/**
 * The order a bounded map's entries were added in, for evicting the oldest first. A Map's own
 * iterator is no good for this on a hot path: V8 keeps a deleted entry's slot until the table is
 * rebuilt, so iterating from the front of a map whose oldest entries keep being deleted steps over
 * every deleted slot, each time (in a profile, evicting one of 5,000 idempotency entries did).
 * Each key is kept with its entry, so a key deleted and added again is not taken for its old self.
 */
export class OldestFirst<K, V> {
  /**
   * Keys and entries in order added, side by side (no pair object per addition: each would live as
   * long as its entry and be copied into the old generation with it). Slots before `head` were
   * walked past and are cleared, so they hold nothing alive.
   */
  private keys: (K | undefined)[] = [];
  private entries: (V | undefined)[] = [];
  private head = 0;

  /** Pairs held, the stale ones (entries removed since) included. */
  get length(): number {
    return this.keys.length - this.head;
  }

  add(key: K, entry: V): void {
    this.keys.push(key);
    this.entries.push(entry);
  }

  /**
   * Walks the oldest pairs from the front while `take` says so: 'taken' (the caller removed it),
   * 'keep' (not now: it goes to the back, e.g. a flight still in progress) or 'stop'. Pairs whose
   * entry is no longer `current(key)` (deleted since) are dropped on the way. `size`: how many
   * entries the map holds now, to know when stale pairs are worth sweeping.
   */
  evict(current: (key: K) => V | undefined, take: (key: K, entry: V) => 'taken' | 'keep' | 'stop', size: number): void {
    // Each pair is looked at once per call: kept ones go to the back, past this bound.
    const end = this.keys.length;
    while (this.head < end) {
      const key = this.keys[this.head] as K;
      const entry = this.entries[this.head] as V;
      if (current(key) === entry) {
        const verdict = take(key, entry);
        if (verdict === 'stop') break;
        if (verdict === 'keep') this.add(key, entry);
      }
      // Cleared, not just stepped over: an evicted entry (a request's whole attempt log, a kept
      // answer) must not stay reachable from here until the next compaction.
      this.keys[this.head] = undefined;
      this.entries[this.head] = undefined;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.keys.length) this.compact(() => true);
    this.tidy(current, size);
  }

  /**
   * Entries removed by other means (expired, failed) leave stale pairs behind: they
   * are swept once they outnumber the live ones (so a sweep's cost is spread over as many
   * additions). `evict` does it; a caller with nothing to evict calls this, or the stale pairs
   * (and what their entries hold) would pile up for as long as the map stays under its bound.
   */
  tidy(current: (key: K) => V | undefined, size: number): void {
    if (this.keys.length - this.head > 2 * size + 1024) this.compact((key, entry) => current(key) === entry);
  }

  /** Drops the walked-past slots, and the pairs `keep` refuses. */
  private compact(keep: (key: K, entry: V) => boolean): void {
    const keys: (K | undefined)[] = [];
    const entries: (V | undefined)[] = [];
    for (let at = this.head; at < this.keys.length; at++) {
      const key = this.keys[at] as K;
      const entry = this.entries[at] as V;
      if (!keep(key, entry)) continue;
      keys.push(key);
      entries.push(entry);
    }
    this.keys = keys;
    this.entries = entries;
    this.head = 0;
  }
}
