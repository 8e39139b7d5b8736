/**
 * The drill's records: one per request as the client saw it, and one per shape run (a failure
 * shape driven through baseline, outage and recovery). Times are ms on one clock that starts when
 * the drill starts, so samples of different shapes line up in the report.
 */
import type { FaultSpec } from '../providers/mock/index.js';

export type Phase = 'baseline' | 'outage' | 'recovery';
export const PHASES: readonly Phase[] = ['baseline', 'outage', 'recovery'];

/** `json`: a non-streaming request (the answer is one JSON body); `stream`: `stream: true` (SSE). */
export type RequestMode = 'json' | 'stream';

/** One request, as the client saw it. */
export interface Sample {
  /** Scheduled send time, ms since the drill started (latency counts from here, so a late send is not hidden). */
  t: number;
  /** Scheduled send time relative to the moment the fault was set (negative: sent before). */
  sinceOutageMs: number;
  /** The phase in force when the request was sent. */
  phase: Phase;
  latencyMs: number;
  /** Time until the response headers; absent when none arrived. */
  headersMs?: number;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  /** 200 and a well-formed completion (a stream: ended with [DONE], no error event). */
  ok: boolean;
  /** Why it failed, short and stable enough to count (`502 upstream_503`, `stream error event`, ...). */
  error?: string;
  /** The gateway's x-switchyard-* headers, when it sent them. */
  hop?: number;
  attempts?: number;
  deployment?: string;
  fallbackReason?: string;
  /** Not a fresh upstream answer: `replay` (idempotent replay), `cache` (a cached answer), `manual <name>`. */
  servedFrom?: string;
}

/** The moments that cut a shape run into phases (ms since drill start). */
export interface RunMarks {
  /** Baseline began (load started). */
  startT: number;
  /** The fault was set (the set call had returned). */
  outageT: number;
  /** The fault was cleared (the clear call had returned). */
  recoveryT: number;
  /** The last request of the run had finished. */
  endT: number;
}

/** How long the gateway's breaker took over one outage of the primary (see docs/fallback.md, MTTR). */
export interface BreakerOutage {
  /** The breaker, e.g. `deployment:primary-large`. */
  breaker: string;
  /** First failure to circuit open. */
  detectMs: number;
  /** First success after it opened to circuit closed; absent while it is still open. */
  recoverMs?: number;
}

export interface ShapeRun {
  /** The primary's breaker outages that began during this run, when the target reports them. */
  outages?: BreakerOutage[];
  shape: string;
  mode: RequestMode;
  /** The provider the fault was set on. */
  primary: string;
  fault: FaultSpec;
  marks: RunMarks;
  samples: Sample[];
}
