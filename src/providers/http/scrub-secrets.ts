/**
 * Removes credentials from text that came from an upstream before it goes anywhere else (a client's
 * error body, a log line). Upstreams echo keys back: OpenAI's 401 says "Incorrect API key provided: sk-ab***yz".
 */
const KEY_LIKE = /\b(sk|pk|rk|gsk|xai|key)[-_][A-Za-z0-9_*.-]{6,}|\bBearer\s+[A-Za-z0-9._~+/=*-]+|\bAIza[0-9A-Za-z_-]{20,}|\bAKIA[0-9A-Z]{16}\b/g;

export const REDACTED = '[redacted]';

export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out.replace(KEY_LIKE, REDACTED);
}
