/**
 * The gateway's logger: pino, JSON lines. Credentials are censored by path, so a provider key or a
 * client's Authorization header never reaches a log line even when an object holding one is logged.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'api_key',
  '*.api_key',
  '*.*.api_key',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  '*.headers.authorization',
  'admin_token',
  '*.admin_token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'switchyard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
