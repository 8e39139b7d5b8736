/**
 * A policy is a plain function: given a classified failure and where the request stands, it says
 * what to do next. Routes may carry their own; `nextOnFailure` is the default.
 */
import type { Failure } from './classify-failure.js';

export type Decision =
  | { action: 'next' }
  | { action: 'retry'; inMs: number }
  | { action: 'stop' };

export interface AttemptState {
  /** 0-based index of the hop that failed. */
  hop: number;
  /** Calls made so far on this hop. */
  attemptsOnHop: number;
}

export type Policy = (failure: Failure, state: AttemptState) => Decision;

/** Moves to the next deployment on any upstream failure; returns the client's own mistakes as they are. */
export const nextOnFailure: Policy = (failure) => (failure.shape === 'client_error' ? { action: 'stop' } : { action: 'next' });
