/**
 * The failure shapes a drill can inflict, each as the mock fault that produces it on the primary.
 * The names are the gateway's failure shapes (src/errors.ts), so a drill row reads as the shape
 * the fallback engine is meant to handle.
 */
import type { FaultSpec } from '../providers/mock/index.js';

export interface DrillShape {
  /** The fault set on the primary during the outage (at rate 1: every request). */
  fault: FaultSpec;
  /** What the shape looks like from the gateway's side, for the docs and the report. */
  description: string;
}

export const SHAPES = {
  upstream_5xx: { fault: { kind: 'error', status: 503 }, description: 'every call answers 503' },
  rate_limit_429: { fault: { kind: 'rate_limit', retry_after_s: 1 }, description: 'every call answers 429 with retry-after: 1' },
  timeout: { fault: { kind: 'hang' }, description: 'every call hangs with the connection open (the hop timeout ends it)' },
  connection_error: { fault: { kind: 'reset' }, description: 'every connection is reset (TCP RST)' },
  slow: { fault: { kind: 'slow', latency_ms: { p50: 1500, p99: 3000 } }, description: 'every call answers, late (p50 1.5 s, p99 3 s extra)' },
  stream_cut: { fault: { kind: 'stream_cut' }, description: 'the connection closes mid-answer (streams: after 2 chunks, one of them content)' },
  stream_error: { fault: { kind: 'stream_error' }, description: 'streams: an in-band error event before any content; non-streaming: a 500' },
  context_overflow: { fault: { kind: 'context_overflow' }, description: "every call answers 400 context_length_exceeded (the primary's window is 'too small')" },
  guardrail_block: { fault: { kind: 'content_filter', mode: 'error' }, description: 'every call answers 400 content_filter' },
  quota_exhausted: { fault: { kind: 'quota' }, description: 'every call answers 429 insufficient_quota' },
  auth_error: { fault: { kind: 'auth' }, description: "every call answers 401 (the provider rejects the gateway's key)" },
} as const satisfies Record<string, DrillShape>;

export type ShapeName = keyof typeof SHAPES;

export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

export function isShapeName(name: string): name is ShapeName {
  return Object.hasOwn(SHAPES, name);
}

/** The fault a shape sets, as a fresh object (the caller may send or store it). */
export function faultFor(shape: ShapeName): FaultSpec {
  return structuredClone(SHAPES[shape].fault) as FaultSpec;
}
