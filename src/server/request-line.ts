/**
 * What the route table and the prefix handlers check of a request's line: its method (HEAD goes
 * wherever GET does: node:http sends GET's headers without the body) and the names in its path.
 */
import { GatewayError, invalidRequest } from '../errors.js';

/** The `Allow` header for these methods: HEAD beside GET. */
function allowHeader(methods: readonly string[]): string {
  return methods.flatMap((name) => (name === 'GET' ? ['GET', 'HEAD'] : [name])).join(', ');
}

/** The 405 for a method not among `allowed`, with its Allow header; `where` names the path in the message. */
export function methodNotAllowed(method: string | undefined, allowed: readonly string[], where = 'here'): GatewayError {
  const allow = allowHeader(allowed);
  return new GatewayError(`Method ${method} is not allowed ${where === 'here' ? where : `on ${where}`}; use ${allow}.`, { status: 405, code: 'method_not_allowed', shape: 'client_error', headers: { allow } });
}

/** Refuses every method but `allowed` (and HEAD where GET is allowed). */
export function allowOnly(method: string | undefined, allowed: readonly string[], where?: string): void {
  if (method !== undefined && (allowed.includes(method) || (method === 'HEAD' && allowed.includes('GET')))) return;
  throw methodNotAllowed(method, allowed, where);
}

/** A name from the path, percent-decoded; a 400 naming `param` when its encoding is not valid. */
export function pathName(text: string, param: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidRequest(`The ${param} in the path is not valid percent-encoding: '${text}'.`, param, 'invalid_path');
  }
}
