/** The longest wait any upstream may ask of us; a larger `retry-after` is clamped to this. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

type HeaderValue = string | string[] | undefined;

/**
 * Reads how long an upstream asked us to wait: `retry-after-ms` (milliseconds, OpenAI and Azure),
 * else `retry-after` in seconds or as an HTTP date. Returns undefined when neither says anything usable.
 */
export function parseRetryAfter(headers: Record<string, HeaderValue>, now = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return clamp(value);
  }
  const raw = first(headers['retry-after']);
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? clamp(seconds * 1000) : undefined;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return clamp(Math.max(0, date - now));
}

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function clamp(ms: number): number {
  return Math.min(Math.round(ms), MAX_RETRY_AFTER_MS);
}
