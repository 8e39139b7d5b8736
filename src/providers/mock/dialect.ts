/**
 * A wire format the mock server speaks: its routes, how a caller presents its key, and how its
 * errors are worded. OpenAI's is the default; each other provider's lives in `dialects/<name>/`
 * and reuses the shared parts (faults, answer plans, the stream writer), so every dialect fails in
 * every shape the fallback engine handles.
 */
import type { IncomingMessage } from 'node:http';
import type { MockErrorSet } from './mock-errors.js';
import type { MockExchange } from './mock-exchange.js';
import type { MockState } from './mock-state.js';

export interface MockRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** An exact path, or a pattern; its capture groups reach the handler as `exchange.params`. */
  path: string | RegExp;
  /** Whether the route takes a JSON body (read and size-checked before the handler runs). */
  readsBody: boolean;
  handle(exchange: MockExchange, state: MockState): Promise<void> | void;
}

export type KeyCheck = { type: 'ok' } | { type: 'missing' } | { type: 'invalid'; presented: string | undefined };

export interface MockDialect {
  /** The wire format's name: the `wire` option of the `mock` provider. */
  name: string;
  routes: readonly MockRoute[];
  /** How this provider words its errors (a wrong key, a fault's answer). */
  errors: MockErrorSet;
  /** The key the caller presented, the way this provider takes it (a header, a query parameter). */
  presentedKey(req: IncomingMessage): string | undefined;
  /**
   * Checks the caller's credentials against the mock's key. Default: the presented key must equal it.
   * A provider that signs requests (Bedrock's SigV4) verifies the signature here instead, which
   * may take a promise (the signer's hashing is asynchronous).
   */
  checkKey?(req: IncomingMessage, apiKey: string): KeyCheck | Promise<KeyCheck>;
}

/** The default key check: the presented key equals the mock's key. */
export function checkPresentedKey(dialect: MockDialect, req: IncomingMessage, apiKey: string): KeyCheck | Promise<KeyCheck> {
  if (dialect.checkKey) return dialect.checkKey(req, apiKey);
  const presented = dialect.presentedKey(req);
  if (presented === undefined) return { type: 'missing' };
  return presented === apiKey ? { type: 'ok' } : { type: 'invalid', presented };
}
