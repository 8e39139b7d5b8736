/**
 * A stable key for a request: SHA-256 over its canonical JSON (object keys sorted, so two bodies
 * that differ only in key order are the same request) and the parts that scope it (route, tenant).
 */
import { hash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

export function requestKey(scope: readonly string[], body: unknown): string {
  // One string, hashed in one call: cheaper than a Hash object fed part by part.
  let text = '';
  for (const part of scope) text += `${part}\u0000`;
  return hash('sha256', text + canonicalJson(body), 'base64url');
}
