/** Reads a request body as JSON, capped in size, without ever throwing: a mock must survive any input. */
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from '../types.js';
import { mockErrors, type MockError } from './mock-errors.js';

/** Largest request body the mock reads. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export type BodyResult = { type: 'json'; value: JsonObject } | { type: 'error'; error: MockError } | { type: 'gone' };

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > limit) return { type: 'error', error: mockErrors.bodyTooLarge(limit) };
      chunks.push(bytes);
    }
  } catch {
    return { type: 'gone' };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { type: 'error', error: mockErrors.invalidJson() };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { type: 'error', error: mockErrors.invalidJson() };
  return { type: 'json', value: value as JsonObject };
}
