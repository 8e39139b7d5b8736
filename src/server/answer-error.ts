/**
 * A request's error, answered: in OpenAI's shape or Anthropic's, with the served headers of a
 * routed request; logged (a 5xx as an error, a refusal at debug); and given its access-log line
 * when no route reported it.
 */
import { RequestError } from '../gateway/served.js';
import { logRefused } from '../telemetry/access-log/access-log.js';
import { sendAnthropicError } from './anthropic/render-anthropic-error.js';
import { clientCertificateSubject } from './call-options.js';
import type { HttpContext } from './context.js';
import { sendError } from './render-error.js';
import { servedHeaders } from './served-headers.js';
import { OVERLOADED } from './admission.js';

export function answerError(ctx: HttpContext, err: unknown, shape: 'openai' | 'anthropic'): void {
  const { req, res, gateway, requestId } = ctx;
  const headers = err instanceof RequestError && err.served ? servedHeaders(err.served) : { 'x-request-id': requestId };
  const error = shape === 'anthropic' ? sendAnthropicError(res, err, requestId, headers).source : sendError(res, err, headers);
  // A refusal for overload is logged by admission.ts, once per interval: a line each would add to the surge.
  if (error.status >= 500 && error.code !== OVERLOADED) gateway.logger.error({ err, requestId, code: error.code }, 'request failed');
  else gateway.logger.debug({ requestId, code: error.code, status: error.status }, 'request refused');
  // A routed request has its access-log line from its route's report. The rest get one here:
  // refused before routing, or a follower of an idempotency key sharing its leader's failure (`replayOf`).
  if (gateway.config.telemetry.access_log.enabled && !(err instanceof RequestError && err.served && err.served.replayOf === undefined)) {
    logRefused(gateway.logger, { requestId, method: req.method, url: req.url, status: error.status, code: error.code, clientCertificate: clientCertificateSubject(req) });
  }
}
