/**
 * Anthropic's prompt caching, as the mock does it. A request marks where the prompt may be cached
 * up to (`cache_control` on a tool, a system block or a message block; or on the request, which
 * marks its last block), in Anthropic's order: tools, then system, then messages.
 *
 * - The marks are checked as Anthropic checks them, each a 400 in its words: at most 4 (the
 *   request's own takes one of them), each `{type: "ephemeral"}` with a `ttl` of `5m` or `1h` if
 *   any, none inside a tool_result's content or on a thinking block.
 * - The prompt up to each mark is looked up in the prefixes this mock server has cached: the
 *   longest found is read (`cache_read_input_tokens`), and the prompt up to the last mark, past
 *   what was read, is written (`cache_creation_input_tokens`), when it is at least
 *   MIN_CACHEABLE_TOKENS long (a shorter prefix is not cached, as at Anthropic); of it, what lies
 *   up to the last mark with a `ttl` of `1h` is written to the 1-hour cache
 *   (`cache_creation.ephemeral_1h_input_tokens`), the rest to the 5-minute one. Every marked
 *   prefix is then cached. Nothing expires: the mock's runs are shorter than a TTL.
 */
import { createHash, type Hash } from 'node:crypto';
import type { JsonObject } from '../../../types.js';
import { tokensForChars } from '../../estimate-tokens.js';
import type { MockError } from '../../mock-errors.js';
import { invalidRequestError } from './anthropic-errors.js';

/** Anthropic's most marks in one request. */
export const MAX_CACHE_MARKS = 4;
/** The shortest prefix Anthropic caches (Claude Sonnet 4.5's; later models' are longer). */
export const MIN_CACHEABLE_TOKENS = 1024;
/** Prefixes kept per mock server before the oldest are let go. */
const MAX_CACHED_PREFIXES = 10_000;
const TTLS = new Set(['5m', '1h']);

/** What a request's marks read from the cache and wrote to it, in tokens. */
export interface CacheUse {
  read: number;
  written: number;
  /** The part of `written` up to the last mark with a 1-hour ttl (Anthropic's `ephemeral_1h_input_tokens`). */
  writtenLong: number;
}

/** A request without marks: nothing read, nothing written. */
export const NO_CACHE_USE: CacheUse = { read: 0, written: 0, writtenLong: 0 };

/** A part of the prompt in caching order: what it says, its tokens, and whether it is marked. */
export interface Segment {
  key: string;
  tokens: number;
  marked: boolean;
  /** Marked with a 1-hour ttl. */
  longLived?: boolean;
}

/** The 400 Anthropic answers the request's marks with, if any. */
export function checkCacheMarks(request: JsonObject): MockError | undefined {
  let count = 0;
  const check = (holder: JsonObject, where: string): MockError | undefined => {
    const mark = holder.cache_control;
    if (mark === undefined) return undefined;
    count++;
    const typed = mark as JsonObject | null;
    if (typeof typed !== 'object' || typed === null || typed.type !== 'ephemeral') return refused(`${where}.cache_control.type: Input should be 'ephemeral'`);
    if (typed.ttl !== undefined && !TTLS.has(String(typed.ttl))) return refused(`${where}.cache_control.ttl: Input should be '5m' or '1h'`);
    return undefined;
  };
  const checks: (MockError | undefined)[] = [check(request, 'body')];
  list(request.tools).forEach((tool, i) => checks.push(check(tool, `tools.${i}`)));
  if (Array.isArray(request.system)) list(request.system).forEach((block, i) => checks.push(check(block, `system.${i}`)));
  for (const [turn, message] of list(request.messages).entries()) {
    for (const [index, block] of list(message.content).entries()) {
      const where = `messages.${turn}.content.${index}`;
      if (block.cache_control !== undefined && (block.type === 'thinking' || block.type === 'redacted_thinking')) return refused(`${where}.${String(block.type)}.cache_control: Extra inputs are not permitted`);
      checks.push(check(block, where));
      if (block.type !== 'tool_result') continue;
      const inner = list(block.content).findIndex((part) => part.cache_control !== undefined);
      if (inner >= 0) return refused(`${where}.tool_result.content.${inner}.cache_control: cache_control may not be specified within \`tool_result.content\`. Instead, place it directly on \`tool_result\``);
    }
  }
  const first = checks.find((error) => error !== undefined);
  if (first) return first;
  if (count > MAX_CACHE_MARKS) return refused(`A maximum of ${MAX_CACHE_MARKS} blocks with cache_control may be provided. Found ${count}.`);
  return undefined;
}

/** What the request's marks read and write, against this server's cache (which it then adds to). */
export function useCache(request: JsonObject, cache: Map<string, number>): CacheUse {
  const segments = segmentsOf(request);
  const automatic = request.cache_control !== undefined;
  const last = segments.at(-1);
  if (automatic && last) {
    last.marked = true;
    last.longLived ||= isLongLived(request.cache_control);
  }
  return usePrefixCache(String(request.model), segments, cache);
}

/**
 * What a prompt's marked segments read and write against a server's cache (which it then adds
 * to): the longest cached marked prefix is read; the prompt up to the last mark, past what was
 * read, is written when at least MIN_CACHEABLE_TOKENS long. `cacheKey` keeps apart what different
 * models (and dialects) cache.
 */
export function usePrefixCache(cacheKey: string, segments: readonly Segment[], cache: Map<string, number>): CacheUse {
  if (!segments.some((segment) => segment.marked)) return NO_CACHE_USE;
  const hash: Hash = createHash('sha256').update(cacheKey);
  let tokens = 0;
  let read = 0;
  let longUpTo = 0;
  const marks: { key: string; tokens: number }[] = [];
  for (const segment of segments) {
    hash.update(segment.key);
    tokens += segment.tokens;
    if (!segment.marked) continue;
    const key = hash.copy().digest('base64');
    if (cache.has(key)) read = tokens;
    if (segment.longLived) longUpTo = tokens;
    marks.push({ key, tokens });
  }
  const upTo = marks.at(-1)?.tokens ?? 0;
  const written = upTo >= MIN_CACHEABLE_TOKENS ? Math.max(0, upTo - read) : 0;
  // What is written up to the last 1-hour mark goes to the 1-hour cache (such marks come first), the rest to the 5-minute one.
  const writtenLong = written > 0 ? Math.max(0, longUpTo - read) : 0;
  for (const mark of marks) {
    if (mark.tokens < MIN_CACHEABLE_TOKENS || cache.has(mark.key)) continue;
    if (cache.size >= MAX_CACHED_PREFIXES) cache.delete(cache.keys().next().value as string);
    cache.set(mark.key, mark.tokens);
  }
  return { read, written, writtenLong };
}

/** A mark (`cache_control`, a Converse `cachePoint`) with a 1-hour ttl. */
export function isLongLived(mark: unknown): boolean {
  return typeof mark === 'object' && mark !== null && (mark as JsonObject).ttl === '1h';
}

/** The prompt in caching order: each tool, system block and message block, its mark taken out of what it says. */
function segmentsOf(request: JsonObject): Segment[] {
  const segments: Segment[] = [];
  const add = (block: JsonObject | string): void => {
    if (typeof block === 'string') {
      segments.push({ key: block, tokens: tokensForChars(block.length), marked: false });
      return;
    }
    const { cache_control: mark, ...said } = block;
    const key = JSON.stringify(said);
    segments.push({ key, tokens: tokensForChars(key.length), marked: mark !== undefined, longLived: isLongLived(mark) });
  };
  list(request.tools).forEach(add);
  if (typeof request.system === 'string') add(request.system);
  else list(request.system).forEach(add);
  for (const message of list(request.messages)) {
    if (typeof message.content === 'string') add(`${String(message.role)}:${message.content}`);
    else list(message.content).forEach(add);
  }
  return segments;
}

function list(value: unknown): JsonObject[] {
  return Array.isArray(value) ? (value as JsonObject[]) : [];
}

function refused(message: string): MockError {
  return invalidRequestError(message);
}
