/**
 * Errors as Anthropic clients expect them: `{"type":"error","error":{"type","message"},"request_id"}`
 * with Anthropic's status for each type, so `@anthropic-ai/sdk` raises the right error class. Only a
 * GatewayError's own message is shown; anything else is an internal fault and gets a fixed text
 * (toGatewayError).
 *
 * Status choices, per Anthropic's error reference: 504 is `timeout_error`; 529 `overloaded_error` is
 * used only for overload: the gateway's own 503 (no deployment can take the request now: every
 * circuit open, or shutting down) and an upstream that itself answered 529. Other 5xx are `api_error`
 * with their own status. 4xx statuses Anthropic does not list (405, 415, 422) are `invalid_request_error`,
 * as Anthropic does.
 */
import type { ServerResponse } from 'node:http';
import { toGatewayError, type GatewayError } from '../../errors.js';
import { sendJson } from '../render-error.js';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/** Anthropic's own status for "temporarily overloaded". */
export const OVERLOADED_STATUS = 529;

const TYPE_BY_STATUS: ReadonlyMap<number, AnthropicErrorType> = new Map([
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [402, 'billing_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [409, 'conflict_error'],
  [413, 'request_too_large'],
  [429, 'rate_limit_error'],
  [500, 'api_error'],
  [504, 'timeout_error'],
  [OVERLOADED_STATUS, 'overloaded_error'],
]);

export interface AnthropicError {
  status: number;
  type: AnthropicErrorType;
  message: string;
  /** Response headers the error asks for (retry-after, allow, connection). */
  headers: Record<string, string>;
  /** The gateway's view of the error, for logs. */
  source: GatewayError;
}

export function anthropicErrorOf(err: unknown): AnthropicError {
  const error = toGatewayError(err);
  const status = anthropicStatus(error);
  const type = TYPE_BY_STATUS.get(status) ?? (status < 500 ? 'invalid_request_error' : 'api_error');
  const headers: Record<string, string> = { ...error.headers };
  if (error.retryAfterMs !== undefined && (status === 429 || status === OVERLOADED_STATUS)) {
    headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  return { status, type, message: error.message, headers, source: error };
}

function anthropicStatus(error: GatewayError): number {
  if (error.status === 503) return OVERLOADED_STATUS;
  if (error.status === 502 && error.upstreamStatus === OVERLOADED_STATUS) return OVERLOADED_STATUS;
  return error.status;
}

export function anthropicErrorBody(error: AnthropicError, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type: error.type, message: error.message }, request_id: requestId });
}

/** Answers with the error, or cuts the connection when the response has already begun. */
export function sendAnthropicError(res: ServerResponse, err: unknown, requestId: string, headers: Record<string, string> = {}): AnthropicError {
  const error = anthropicErrorOf(err);
  if (res.headersSent) {
    res.destroy();
    return error;
  }
  sendJson(res, error.status, anthropicErrorBody(error, requestId), { ...headers, ...error.headers, 'request-id': requestId });
  return error;
}
