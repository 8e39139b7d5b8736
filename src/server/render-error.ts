/**
 * Errors as clients expect them: OpenAI's `{"error":{"message","type","param","code"}}`. Only a
 * GatewayError's own message is shown; anything else is an internal fault and shows a fixed text.
 */
import type { ServerResponse } from 'node:http';
import { GatewayError, toGatewayError } from '../errors.js';

export function openaiErrorBody(error: GatewayError): string {
  return JSON.stringify({ error: { message: error.message, type: error.type, param: error.param, code: error.code } });
}

export function sendError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): GatewayError {
  const error = toGatewayError(err);
  if (res.headersSent) {
    res.destroy();
    return error;
  }
  const extra: Record<string, string> = { ...headers, ...error.headers };
  if (error.retryAfterMs !== undefined && (error.status === 429 || error.status === 503)) {
    extra['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  sendJson(res, error.status, openaiErrorBody(error), extra);
  return error;
}

export function sendJson(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  sendJsonWith(res, status, text, { ...headers });
}

/** sendJson for a headers object made for this response: the content headers are added to it, not to a copy. */
export function sendJsonWith(res: ServerResponse, status: number, text: string | Buffer, headers: Record<string, string>): void {
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, headers);
  res.end(text);
}
