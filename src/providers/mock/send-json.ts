/** Writes JSON answers, whole or (for `stream_cut` and stalling `hang` faults) only in part. */
import type { ServerResponse } from 'node:http';
import type { MockError } from './mock-errors.js';
import type { MockExchange } from './mock-exchange.js';
import type { MockState } from './mock-state.js';
import type { AnswerMode } from './plan-fault.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Promises the whole body (content-length) and sends half. Then `cut` closes the connection (the
 * client sees a body broken mid-way) and `stall` goes silent with it open (an idle timeout).
 */
export function sendPartialJson(res: ServerResponse, status: number, body: unknown, then: 'cut' | 'stall'): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.write(text.slice(0, Math.floor(text.length / 2)));
  // end(), not destroy(): it flushes what was written before it closes.
  if (then === 'cut') res.socket?.end();
}

/** A whole JSON answer, or the part of it a `cut` or stalling `hang` fault lets through. */
export function sendAnswer(res: ServerResponse, body: unknown, mode: AnswerMode): void {
  if (mode.type === 'cut' || mode.type === 'stall') sendPartialJson(res, 200, body, mode.type);
  else sendJson(res, 200, body);
}

/** Answers a request the mock could not read with its error, counted as invalid. */
export function answerInvalid(exchange: MockExchange, state: MockState, error: MockError): void {
  state.record('invalid');
  sendJson(exchange.res, error.status, error.body, error.headers);
}
