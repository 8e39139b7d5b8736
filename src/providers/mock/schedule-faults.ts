/**
 * Picks the fault (if any) that applies to one request. Faults are tried in list order; the first
 * one that matches the request, is inside its time window, is not spent, and wins its dice roll
 * applies. Schedules are relative to the moment the list was set, so a drill reads as a timeline.
 */
import type { Fault } from './mock-faults.js';

/** What a fault's filters look at. */
export interface FaultTarget {
  endpoint: 'chat' | 'completions' | 'embeddings';
  stream: boolean;
  model: string;
}

export interface FaultSchedule {
  readonly faults: readonly Fault[];
  /** When the list was set (ms since epoch); `after_ms` and `for_ms` count from here. */
  readonly startedAt: number;
  /** The fault for this request, counted as fired; undefined for a normal answer. */
  pick(target: FaultTarget, now?: number, random?: () => number): Fault | undefined;
}

export function scheduleFaults(faults: readonly Fault[], startedAt = Date.now()): FaultSchedule {
  // `count` counts firings, not matches: `{ rate: 0.5, count: 3 }` means three failures in all.
  const fired = new Array<number>(faults.length).fill(0);
  return {
    faults,
    startedAt,
    pick(target, now = Date.now(), random = Math.random) {
      const elapsed = now - startedAt;
      for (let index = 0; index < faults.length; index++) {
        const fault = faults[index] as Fault;
        if (!matches(fault, target) || !inWindow(fault, elapsed)) continue;
        if (fault.count !== undefined && (fired[index] ?? 0) >= fault.count) continue;
        // rate 1 never consults the dice, so a certain fault stays certain under any `random`.
        if (fault.rate < 1 && !(random() < fault.rate)) continue;
        fired[index] = (fired[index] ?? 0) + 1;
        return fault;
      }
      return undefined;
    },
  };
}

function matches(fault: Fault, target: FaultTarget): boolean {
  if (fault.stream !== undefined && fault.stream !== target.stream) return false;
  if (fault.model !== undefined && fault.model !== target.model) return false;
  if (fault.endpoint !== undefined && fault.endpoint !== target.endpoint) return false;
  // A finish reason only exists on a chat or text completion; embeddings have nothing to filter.
  if (fault.kind === 'content_filter' && fault.mode === 'finish_reason' && target.endpoint === 'embeddings') return false;
  return true;
}

function inWindow(fault: Fault, elapsed: number): boolean {
  const from = fault.after_ms ?? 0;
  if (elapsed < from) return false;
  return fault.for_ms === undefined || elapsed < from + fault.for_ms;
}
