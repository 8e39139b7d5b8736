/**
 * How the mock signs the thinking it answers with, in every dialect that signs (Anthropic's, and
 * Claude's through Bedrock): an HMAC of the text under the dialect's own key, as a provider signs
 * with a key only it holds. A block sent back altered, or made up, does not match, and the dialect
 * refuses it as its provider does.
 */
import { createHmac } from 'node:crypto';

export function signThinking(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64');
}
