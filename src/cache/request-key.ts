/**
 * A stable key for a request: SHA-256 over its canonical JSON (object keys sorted, so two bodies
 * that differ only in key order are the same request) and the parts that scope it (route, tenant).
 */
import { createHash } from 'node:crypto';

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
  const hash = createHash('sha256');
  for (const part of scope) hash.update(part).update('\u0000');
  return hash.update(canonicalJson(body)).digest('base64url');
}
