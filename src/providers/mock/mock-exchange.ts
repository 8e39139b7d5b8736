import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from '../types.js';

/** One request as a route handler sees it. */
export interface MockExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Aborts when the response closes: the client left, or the server is closing. */
  signal: AbortSignal;
  /** The parsed JSON body; `{}` for routes that take none. */
  body: JsonObject;
  /** The key the caller presented (in its dialect's header), if any. */
  presentedKey: string | undefined;
  /** The capture groups of the route's path pattern (e.g. a model name in the path); empty for exact paths. */
  params: readonly string[];
}
