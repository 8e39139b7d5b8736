/** The response headers that say how a request was served, and the SSE comment that says it once a stream's head is out. */
import type { Served } from '../gateway/served.js';

const SERVED_BY = ': served-by ';

export function servedHeaders(served: Served): Record<string, string> {
  const headers: Record<string, string> = {
    'x-request-id': served.requestId,
    'x-switchyard-route': served.route,
    'x-switchyard-hop': String(served.hop),
    'x-switchyard-attempts': String(served.attempts.length),
  };
  if (served.deployment) headers['x-switchyard-deployment'] = served.deployment;
  if (served.provider) headers['x-switchyard-provider'] = served.provider;
  if (served.fallbackReason) headers['x-switchyard-fallback-reason'] = served.fallbackReason;
  if (served.cache) {
    headers['x-switchyard-cache'] = 'stale';
    headers['x-switchyard-cache-age-ms'] = String(served.cache.ageMs);
  }
  if (served.manual) headers['x-switchyard-manual'] = served.manual;
  if (served.replayOf) headers['x-switchyard-idempotent-replay'] = served.replayOf;
  return headers;
}

/** `: served-by request-id=... route=... hop=...`: the served headers, named without their `x-`/`x-switchyard-` prefix. */
export function servedByComment(headers: Record<string, string>): string {
  let text = SERVED_BY.trimEnd();
  for (const [name, value] of Object.entries(headers)) text += ` ${name.replace(/^x-(switchyard-)?/, '')}=${value}`;
  return `${text}\n\n`;
}

/** The headers the last served-by comment of an SSE body stands for; undefined without one. */
export function headersOfLastServedBy(body: string): Record<string, string> | undefined {
  const at = body.lastIndexOf(`\n${SERVED_BY}`);
  const start = at >= 0 ? at + 1 : body.startsWith(SERVED_BY) ? 0 : -1;
  if (start < 0) return undefined;
  const end = body.indexOf('\n', start);
  const headers: Record<string, string> = {};
  for (const part of body.slice(start + SERVED_BY.length, end < 0 ? undefined : end).split(' ')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq);
    headers[name === 'request-id' ? 'x-request-id' : `x-switchyard-${name}`] = part.slice(eq + 1);
  }
  return headers;
}
