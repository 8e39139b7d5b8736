import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cancel } from '../cancel.js';
import type { Gateway } from '../gateway/create-gateway.js';

/** What a route handler gets for one HTTP request. */
export interface HttpContext {
  req: IncomingMessage;
  res: ServerResponse;
  gateway: Gateway;
  requestId: string;
  /** Cancelled when the client goes away before the response is finished. */
  cancel: Cancel;
  /** The path after the route's prefix, for prefix routes (e.g. `/admin/...`). */
  subpath: string;
}

export type Handler = (ctx: HttpContext) => Promise<void> | void;
