/**
 * The order a bounded map's entries were added in, for evicting the oldest first. A Map's own
 * iterator is no good for this on a hot path: V8 keeps a deleted entry's slot until the table is
 * rebuilt, so iterating from the front of a map whose oldest entries keep being deleted steps over
 * every deleted slot, each time (in a profile, evicting one of 5,000 idempotency entries did).
 * Each key is kept with its entry, so a key deleted and added again is not taken for its old self.
 */
export class OldestFirst<K, V> {
  /** Pairs in order added; those before `head` were walked past and are cleared, so they hold nothing alive. */
  private items: ([K, V] | undefined)[] = [];
  private head = 0;

  add(key: K, entry: V): void {
    this.items.push([key, entry]);
  }

  /**
   * Walks the oldest pairs from the front while `take` says so: 'taken' (the caller removed it),
   * 'keep' (not now: it goes to the back, e.g. a flight still in progress) or 'stop'. Pairs whose
   * entry is no longer `current(key)` (deleted since) are dropped on the way. `size`: how many
   * entries the map holds now, to know when stale pairs are worth sweeping.
   */
  evict(current: (key: K) => V | undefined, take: (key: K, entry: V) => 'taken' | 'keep' | 'stop', size: number): void {
    // Each pair is looked at once per call: kept ones go to the back, past this bound.
    const end = this.items.length;
    while (this.head < end) {
      const pair = this.items[this.head] as [K, V];
      if (current(pair[0]) === pair[1]) {
        const verdict = take(pair[0], pair[1]);
        if (verdict === 'stop') break;
        if (verdict === 'keep') this.items.push(pair);
      }
      // Cleared, not just stepped over: an evicted entry (a request's whole attempt log, a kept
      // answer) must not stay reachable from here until the next compaction.
      this.items[this.head] = undefined;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    // Entries removed by other means (expired, failed) leave stale pairs behind: sweep them once
    // they outnumber the live ones (so a sweep's cost is spread over as many additions).
    if (this.items.length - this.head > 2 * size + 1024) {
      this.items = this.items.slice(this.head).filter((pair) => pair !== undefined && current(pair[0]) === pair[1]);
      this.head = 0;
    }
  }
}
