/**
 * The gateway's logger: pino, JSON lines. Credentials are censored by path, so a provider key or a
 * client's Authorization header never reaches a log line even when an object holding one is logged.
 */
import { pino, type Logger } from 'pino';

/** Config and option keys that hold a credential, under any of the nestings a logged object may have. */
const SECRET_KEYS = ['api_key', 'apiKey', 'secret_access_key', 'secretAccessKey', 'session_token', 'sessionToken', 'access_token', 'accessToken', 'entra_token', 'entraToken', 'admin_token'];

export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["api-key"]',
  'headers["x-goog-api-key"]',
  'headers["x-amz-security-token"]',
  '*.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'switchyard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
