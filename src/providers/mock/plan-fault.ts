/**
 * Turns a fault that fired into what the server does about it: a canned error response, a hang, a
 * reset, a delay before the normal answer, or a change to how the normal answer is delivered.
 * Pure, so each fault's wire shape is easy to read in one place.
 */
import type { JsonObject } from '../types.js';
import type { Fault } from './mock-faults.js';
import { mockErrors, type MockErrorSet } from './mock-errors.js';
import { sampleLatency } from './sample-latency.js';

/** How the normal answer is delivered once any fault-related waiting is over. */
export type AnswerMode =
  | { type: 'normal' }
  /** Send this many stream chunks (or part of the JSON body), then close the connection mid-answer. */
  | { type: 'cut'; afterChunks: number }
  /** Send this many stream chunks, then an in-band error event, then end without [DONE]. */
  | { type: 'stream_error'; afterChunks: number; payload: JsonObject }
  /** Send this many stream chunks (or part of the JSON body), then go silent with the connection open. */
  | { type: 'stall'; afterChunks: number }
  /** Answer with `finish_reason: "content_filter"` and no content. */
  | { type: 'content_filter' };

export type FaultAction =
  | { type: 'respond'; status: number; body: JsonObject; headers?: Record<string, string> }
  | { type: 'hang' }
  | { type: 'reset' }
  | { type: 'answer'; delayMs: number; mode: AnswerMode };

export interface FaultRequest {
  stream: boolean;
  model: string;
  /** Estimated prompt tokens, for the context-overflow message. */
  promptTokens: number;
  /** The request field a context overflow blames (`messages` for chat, `input` for embeddings). */
  inputParam: string;
  /** The bearer token the caller sent, echoed masked in an `auth` fault's message. */
  presentedKey: string | undefined;
}

const NORMAL: AnswerMode = { type: 'normal' };

export function planFault(fault: Fault, request: FaultRequest, errors: MockErrorSet = mockErrors, now = Date.now()): FaultAction {
  switch (fault.kind) {
    case 'error':
      return respond(errors.server(fault.status, fault.message));
    case 'rate_limit': {
      const error = errors.rateLimit(request.model, fault.retry_after_ms === undefined ? fault.retry_after_s : fault.retry_after_ms / 1000);
      return respond(error, { ...errors.rateLimitHeaders(), ...error.headers, ...retryAfterHeaders(fault, now) });
    }
    case 'quota':
      return respond(errors.quota());
    case 'auth':
      return respond(errors.invalidKey(request.presentedKey));
    case 'hang':
      if (fault.after_chunks === undefined) return { type: 'hang' };
      return { type: 'answer', delayMs: 0, mode: { type: 'stall', afterChunks: fault.after_chunks } };
    case 'reset':
      return { type: 'reset' };
    case 'slow':
      return { type: 'answer', delayMs: sampleLatency(fault.latency_ms), mode: NORMAL };
    case 'stream_cut':
      return { type: 'answer', delayMs: 0, mode: { type: 'cut', afterChunks: fault.after_chunks } };
    case 'stream_error':
      // A non-streaming request has no stream to break: it gets the plain 500 the upstream would send.
      if (!request.stream) return respond(errors.server(500, fault.message));
      return { type: 'answer', delayMs: 0, mode: { type: 'stream_error', afterChunks: fault.after_chunks, payload: errors.streamError(fault.message) } };
    case 'context_overflow': {
      const requested = Math.max(request.promptTokens, Math.round(fault.max_context_tokens * 1.1));
      return respond(errors.contextOverflow(fault.max_context_tokens, requested, request.inputParam));
    }
    case 'content_filter':
      if (fault.mode === 'error') return respond(errors.contentFilter());
      return { type: 'answer', delayMs: 0, mode: { type: 'content_filter' } };
  }
}

function respond(error: { status: number; body: JsonObject; headers?: Record<string, string> }, headers = error.headers): FaultAction {
  return { type: 'respond', status: error.status, body: error.body, headers };
}

function retryAfterHeaders(fault: Extract<Fault, { kind: 'rate_limit' }>, now: number): Record<string, string> {
  if (fault.retry_after_ms !== undefined) return { 'retry-after-ms': String(fault.retry_after_ms) };
  // An HTTP date has whole seconds: round up so the wait it names is never shorter than asked.
  if (fault.retry_after_date) return { 'retry-after': new Date(Math.ceil((now + fault.retry_after_s * 1000) / 1000) * 1000).toUTCString() };
  return { 'retry-after': String(fault.retry_after_s) };
}

