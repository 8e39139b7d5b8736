/**
 * The request logs this process is writing, by location, so a reader in the same process (the
 * admin API) can flush what is queued and read through the open connection instead of opening
 * its own. A log leaves when its sink closes.
 */
import type { RequestLog } from './request-log.js';

export interface ActiveRequestLog {
  /** Writes every queued request now. */
  flush(): Promise<void>;
  /** The open log (undefined while it could not be opened). */
  log(): Promise<RequestLog | undefined>;
}

const ACTIVE = new Map<string, Set<ActiveRequestLog>>();

/** Registers a writer; the returned function removes it. */
export function registerActiveLog(key: string, entry: ActiveRequestLog): () => void {
  let set = ACTIVE.get(key);
  if (!set) ACTIVE.set(key, (set = new Set()));
  set.add(entry);
  return () => {
    set.delete(entry);
    if (set.size === 0 && ACTIVE.get(key) === set) ACTIVE.delete(key);
  };
}

/** Every writer of the log at `key` in this process. */
export function activeLogs(key: string): ActiveRequestLog[] {
  return [...(ACTIVE.get(key) ?? [])];
}
