import { sendJson } from '../render-error.js';
import type { Handler } from '../context.js';

/** GET /v1/models: the route names a client may ask for. */
export const models: Handler = ({ res, gateway }) => sendJson(res, 200, gateway.modelsJson());
