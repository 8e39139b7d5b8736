/**
 * GET /metrics: the Prometheus scrape. On by default (`telemetry.metrics.enabled`); with
 * `telemetry.metrics.token` set, a scraper must send it as a Bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { Handler } from '../context.js';

export const metrics: Handler = async ({ req, res, gateway }) => {
  const endpoint = gateway.metrics;
  const config = gateway.config.telemetry.metrics;
  if (!endpoint || !config.enabled) throw new GatewayError('Metrics are off: set telemetry.metrics.enabled to turn them on.', { status: 404, code: 'metrics_disabled', shape: 'client_error' });
  if (config.token !== undefined && !bearerMatches(req.headers.authorization, config.token)) {
    throw new GatewayError('A valid metrics token is required (Authorization: Bearer <token>).', { status: 401, code: 'invalid_metrics_token', shape: 'client_error', headers: { 'www-authenticate': 'Bearer' } });
  }
  const body = await endpoint.render();
  res.writeHead(200, { 'content-type': endpoint.contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
};

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
