/**
 * Tool-call ids for Gemini, which gives function calls no id (or an optional one) but, on thinking
 * models, a `thoughtSignature` that must come back with the call on the next turn (Gemini 3 rejects a
 * replayed function call without one). OpenAI clients keep only the id between turns, so the
 * signature rides inside it, base64url-encoded so the id stays within `[A-Za-z0-9_-]` (what
 * Anthropic accepts, should the conversation fall back there): `<id>` or `<id>__sig__<signature>`.
 */
import { randomUUID } from 'node:crypto';

const SIGNATURE_MARK = '__sig__';
const UNSAFE = /[^A-Za-z0-9_-]/g;
const PLUS = /\+/g;
const SLASH = /\//g;
const DASH = /-/g;
const UNDERSCORE = /_/g;
const PADDING = /=+$/;

/**
 * Google's documented stand-in for a signature the caller does not have (a call replayed from
 * another model, or one whose id lost it): Gemini 3 then skips its check instead of refusing.
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/**
 * Hands out the tool-call ids of one answer: Gemini's own id when it sent one, else
 * `call_<responseId>_<n>` (unique per answer, and the same on a replay of the same response).
 */
export function createToolCallIds(responseId: string | undefined): (upstreamId: string | undefined, signature: string | undefined) => string {
  const key = (responseId ?? randomUUID()).replace(UNSAFE, '');
  let count = 0;
  return (upstreamId, signature) => {
    const id = upstreamId ?? `call_${key}_${count}`;
    count++;
    return signature ? `${id}${SIGNATURE_MARK}${signature.replace(PLUS, '-').replace(SLASH, '_').replace(PADDING, '')}` : id;
  };
}

/** The thought signature (standard base64, as Gemini takes it) an id carries, if it came from this adapter with one. */
export function thoughtSignatureOf(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const at = id.indexOf(SIGNATURE_MARK);
  if (at < 0) return undefined;
  const encoded = id.slice(at + SIGNATURE_MARK.length);
  if (encoded === '') return undefined;
  const base64 = encoded.replace(DASH, '+').replace(UNDERSCORE, '/');
  return base64.padEnd(Math.ceil(base64.length / 4) * 4, '=');
}
