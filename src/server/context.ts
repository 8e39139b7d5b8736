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

/**
 * Whether the client's side of `res` is gone (it left, or the response was cut). HTTP/1.1's
 * response says so itself; the response of node:http2's compatibility API has no `destroyed`, and
 * its stream does.
 */
export function responseGone(res: ServerResponse): boolean {
  return res.destroyed || (res as { stream?: { destroyed: boolean } }).stream?.destroyed === true;
}
