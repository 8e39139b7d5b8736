/**
 * How the mock signs Claude's thinking, in both dialects that serve Claude (Anthropic's API, and
 * Bedrock's Converse). As Anthropic's do, a signature carries the whole thinking: its text, sealed
 * with an HMAC under a key only the mock holds. So:
 *
 * - a block whose text was left out of the answer (`display: "omitted"`) comes back whole;
 * - a block signed by one dialect is taken by the other, as Anthropic's signatures are taken
 *   across the Claude API, Bedrock and Vertex AI (a fallback from one to another replays them);
 * - a block sent back altered, or made up, does not match, and is refused as Claude refuses it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const KEY = 'switchyard-mock-claude-thinking';

/** The signature of this thinking: its text (base64), a dot, and the seal. */
export function signThinking(text: string): string {
  return `${Buffer.from(text).toString('base64')}.${seal(text)}`;
}

/** The thinking a signature carries, when the mock made it; undefined for any other text. */
export function openSignature(signature: string): string | undefined {
  const dot = signature.indexOf('.');
  if (dot < 0) return undefined;
  const text = Buffer.from(signature.slice(0, dot), 'base64').toString();
  const given = Buffer.from(signature.slice(dot + 1));
  const expected = Buffer.from(seal(text));
  return given.length === expected.length && timingSafeEqual(given, expected) ? text : undefined;
}

/** Whether a block sent back holds the mock's signature and the text it sealed, or no text (left out when answered). */
export function signatureFits(text: string, signature: string): boolean {
  const sealed = openSignature(signature);
  return sealed !== undefined && (text === '' || text === sealed);
}

function seal(text: string): string {
  return createHmac('sha256', KEY).update(text).digest('base64');
}
