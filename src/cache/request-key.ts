/**
 * A stable key for a request: SHA-256 over its canonical JSON (object keys sorted, so two bodies
 * that differ only in key order are the same request) and the parts that scope it (route, tenant).
 */
import { hash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const keys = sortInPlace(Object.keys(value));
  let out = '{';
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/** An insertion sort: a request's objects have a handful of keys, and Array.prototype.sort copies them into a work array first. */
function sortInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

export function requestKey(scope: readonly string[], body: unknown): string {
  // One string, hashed in one call: cheaper than a Hash object fed part by part.
  let text = '';
  for (const part of scope) text += `${part}\u0000`;
  return hash('sha256', text + canonicalJson(body), 'base64url');
}
