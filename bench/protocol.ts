/**
 * The shapes the orchestrator (run.ts) and the driver process (driver.ts) exchange over the IPC
 * channel, and the scenario and result records the report is built from.
 */

export type Mode = 'nonstream' | 'stream';

/** One load shape: a closed loop of `concurrency` back-to-back workers, or an open loop at a fixed rate. */
export interface Scenario {
  /** Stable key, e.g. `nonstream-c16`, `nonstream-rate5000`. */
  id: string;
  mode: Mode;
  kind: 'closed' | 'rate';
  concurrency: number;
  /** Requests per second, for `kind: 'rate'`. */
  rate?: number;
}

export interface LoadSpec {
  scenario: Scenario;
  /** Origin of the target, e.g. `http://127.0.0.1:8080`. */
  origin: string;
  path: string;
  /** The request body for this mode. */
  body: string;
  /**
   * A run of zeros in `body` that each request overwrites with its own sequence number, so no two
   * bodies are equal: a gateway may replay or cache an identical request instead of forwarding it.
   */
  sequenceMarker?: string;
  warmupMs: number;
  durationMs: number;
  /** Connections the fixed-rate mode may open. */
  rateConnections: number;
}

/** Distribution of one quantity, in milliseconds. */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  scenarioId: string;
  /** Responses completed inside the measured window (after warm-up). */
  requests: number;
  windowMs: number;
  rps: number;
  /** Failed requests in or after the window: non-200, transport errors, streams without `[DONE]`. */
  errors: number;
  /** Failures during warm-up (not in the stats, reported anyway). */
  warmupErrors: number;
  /** Up to a few distinct error descriptions, for the log. */
  errorSamples: string[];
  /** Request latency (closed loop: from send; fixed rate: from the scheduled send time). */
  latency: Summary;
  /** Fixed rate only: how late the loadgen sent relative to the schedule. */
  sendLag?: Summary;
  /** Streams only: time to the first body chunk. */
  ttfb?: Summary;
  /** Streams only: time to the first body chunk carrying text (the upstream's first event has only the role). */
  ttft?: Summary;
  /** Streams only: time from the first to the last body chunk. */
  span?: Summary;
  /** Streams only: median socket reads per response (≈ one per upstream event if forwarded as they arrive). */
  readsPerStream?: number;
  /** Requests sent during the whole run (warm-up, priming and drain included), to compare with what the upstream saw. */
  dispatched: number;
  /** Mean body bytes per successful response. */
  bytesPerResponse: number;
}

export type ToDriver =
  | { type: 'start-upstream'; streamChunks: number; chunkDelayMs: number }
  | { type: 'run'; id: number; spec: LoadSpec }
  | { type: 'ping'; id: number; port: number; count: number }
  | { type: 'upstream-stats'; id: number }
  | { type: 'exit' };

export type FromDriver =
  | { type: 'upstream'; port: number }
  | { type: 'window'; id: number; phase: 'start' | 'end' }
  | { type: 'result'; id: number; result: LoadResult }
  | { type: 'pong'; id: number; rtt: Summary }
  | { type: 'upstream-stats'; id: number; requests: number }
  | { type: 'error'; id?: number; message: string };
