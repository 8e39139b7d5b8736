import { sendJson } from '../render-error.js';
import type { Handler } from '../context.js';

/** GET /health/live: the process answers. */
export const live: Handler = ({ res }) => sendJson(res, 200, '{"status":"live"}');

/** GET /health/ready: the gateway has a config and takes traffic. */
export const ready: Handler = ({ res, gateway }) =>
  gateway.ready() ? sendJson(res, 200, '{"status":"ready"}') : sendJson(res, 503, '{"status":"not_ready"}');
