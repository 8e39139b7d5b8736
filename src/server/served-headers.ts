/** The response headers that say how a request was served. */
import type { Served } from '../gateway/served.js';

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
