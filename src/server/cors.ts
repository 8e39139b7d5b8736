/**
 * Requests from web pages on other origins (`server.cors`), for browser clients such as the
 * `openai` package with `dangerouslyAllowBrowser`. Off unless origins are listed: a gateway in
 * front of server-side callers needs none, and a listed origin's pages can spend the keys they hold.
 *
 * For a listed origin, a preflight (OPTIONS with Access-Control-Request-Method) is answered 204
 * with the methods the API uses and the headers the browser asked to send (a client's own, such as
 * the openai package's x-stainless-*, included), cached for `max_age_s`. Its requests get
 * Access-Control-Allow-Origin and the gateway's response headers exposed, so a page can read which
 * route served (x-switchyard-*) and the request id. The admin API and /metrics are never
 * cross-origin: their tokens are an operator's, not a page's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';

/** `allow_origins`: origins (`https://app.example.com`), or `*` for any; empty: off. `max_age_s`: how long a browser keeps a preflight's answer. */
type CorsConfig = Config['server']['cors'];

/** What a page may call: the API's methods (a handler still refuses a method its path does not take, with 405). */
const ALLOW_METHODS = 'GET, HEAD, POST, DELETE';

/** The response headers a page may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = [
  'x-request-id',
  'request-id',
  'retry-after',
  'x-switchyard-route',
  'x-switchyard-hop',
  'x-switchyard-attempts',
  'x-switchyard-deployment',
  'x-switchyard-provider',
  'x-switchyard-fallback-reason',
  'x-switchyard-cache',
  'x-switchyard-cache-age-ms',
  'x-switchyard-manual',
  'x-switchyard-idempotent-replay',
].join(', ');

/** Paths never answered cross-origin. */
const OPERATOR_PATHS = /^\/(?:admin|metrics)(?:[/?]|$)/;

/**
 * Adds the CORS headers for a request from an allowed origin, and answers its preflight. True when
 * the request was a preflight, now answered; false for every other request (headers added or not).
 */
export function handleCors(cors: CorsConfig, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  const any = cors.allow_origins.includes('*');
  if (origin === undefined || !(any || cors.allow_origins.includes(origin)) || OPERATOR_PATHS.test(req.url ?? '/')) return false;
  res.setHeader('access-control-allow-origin', any ? '*' : origin);
  // A response that names one origin differs by origin: caches must keep it apart.
  if (!any) res.setHeader('vary', 'Origin');
  const asked = req.headers['access-control-request-method'];
  if (req.method !== 'OPTIONS' || asked === undefined) {
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    return false;
  }
  res.setHeader('access-control-allow-methods', ALLOW_METHODS);
  const headers = req.headers['access-control-request-headers'];
  if (headers !== undefined) res.setHeader('access-control-allow-headers', headers);
  res.setHeader('access-control-max-age', String(cors.max_age_s));
  res.writeHead(204);
  res.end();
  return true;
}
