/**
 * What one mock server remembers between requests: its fault list (with schedules counted from when
 * it was set), how many requests it served per outcome, and the prompts it cached (the dialects
 * whose providers cache what they are told to). Shared by the HTTP routes, the control
 * API and the in-process `MockServer` handle.
 */
import { parseFaults, type Fault, type FaultKind } from './mock-faults.js';
import { scheduleFaults, type FaultSchedule, type FaultTarget } from './schedule-faults.js';
import type { LatencySpec } from './sample-latency.js';

/** Counts of requests by outcome. Control-API calls (`/_mock/...`) are not counted. */
export interface MockStats {
  /** Every request to the API, whatever became of it. */
  requests: number;
  /** Answered normally: no fault fired. */
  ok: number;
  /** Rejected as malformed (400, 413). */
  invalid: number;
  /** Rejected for a missing or wrong API key (the server's own `apiKey`, not an `auth` fault). */
  unauthorized: number;
  /** Unknown path or method (404). */
  notFound: number;
  /** Requests each fault kind was applied to. */
  faults: Partial<Record<FaultKind, number>>;
}

export type Outcome = 'ok' | 'invalid' | 'unauthorized' | 'notFound' | { fault: FaultKind };

export interface MockStateOptions {
  name: string;
  latency: LatencySpec | undefined;
  chunkDelayMs: number;
  faults: unknown;
}

export interface MockState {
  readonly name: string;
  readonly latency: LatencySpec | undefined;
  readonly chunkDelayMs: number;
  /** The fault for this request (counted as fired), or undefined. */
  pickFault(target: FaultTarget): Fault | undefined;
  /** Counts one API request. */
  countRequest(): void;
  record(outcome: Outcome): void;
  /** Validates and replaces the fault list; schedules and counts restart now. */
  setFaults(input: unknown): Fault[];
  getFaults(): Fault[];
  stats(): MockStats;
  resetStats(): void;
  /** Prompt prefixes cached by prompt-caching marks and Bedrock's cache points: a hash of the prefix, and its tokens (dialects/anthropic/mock-prompt-cache.ts). */
  readonly promptCache: Map<string, number>;
}

export function createMockState(options: MockStateOptions): MockState {
  let schedule: FaultSchedule = scheduleFaults(parseFaults(options.faults));
  let counts = emptyStats();
  return {
    name: options.name,
    latency: options.latency,
    chunkDelayMs: options.chunkDelayMs,
    pickFault: (target) => (schedule.faults.length === 0 ? undefined : schedule.pick(target)),
    countRequest() {
      counts.requests++;
    },
    record(outcome) {
      if (typeof outcome === 'string') counts[outcome]++;
      else counts.faults[outcome.fault] = (counts.faults[outcome.fault] ?? 0) + 1;
    },
    setFaults(input) {
      schedule = scheduleFaults(parseFaults(input));
      return [...schedule.faults];
    },
    getFaults: () => [...schedule.faults],
    stats: () => ({ ...counts, faults: { ...counts.faults } }),
    resetStats() {
      counts = emptyStats();
    },
    promptCache: new Map(),
  };
}

function emptyStats(): MockStats {
  return { requests: 0, ok: 0, invalid: 0, unauthorized: 0, notFound: 0, faults: {} };
}
