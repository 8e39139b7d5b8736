/**
 * Bedrock's prompt caching through Converse, as the mock does it. A request marks where its prompt
 * may be cached up to with cache points (`{cachePoint: {type: "default"}}` blocks) in
 * `toolConfig.tools`, `system` and a message's `content`: each marks the prompt up to the block
 * before it, in Converse's order: tools, then system, then messages.
 *
 * - The points are checked as Bedrock checks them, each a ValidationException: only Claude (3.5
 *   Haiku, 3.7 Sonnet and later) and Amazon Nova take them; Nova none among the tools, nor (as its
 *   users report) right after a toolResult; none inside a toolResult's content; at most
 *   MAX_CACHE_POINTS; each of type `default`, with a `ttl` of `5m` or `1h` if any.
 * - The prompt is cached as the Anthropic dialect caches it (../anthropic/mock-prompt-cache.ts),
 *   in the same per-server map: the longest cached marked prefix is read
 *   (`cacheReadInputTokens`), and the prompt up to the last point, past what was read, is written
 *   (`cacheWriteInputTokens`) when it is at least 1,024 tokens long; `cacheDetails` splits the
 *   writes by ttl, up to the last `1h` point being 1-hour ones.
 */
import { cachePointRules } from '../../../bedrock/bedrock-cache-points.js';
import type { JsonObject } from '../../../types.js';
import { tokensForChars } from '../../estimate-tokens.js';
import type { MockError } from '../../mock-errors.js';
import { isLongLived, usePrefixCache, type CacheUse, type Segment } from '../anthropic/mock-prompt-cache.js';
import { bedrockError } from './bedrock-errors.js';

/** Bedrock's most cache points in one request. */
export const MAX_CACHE_POINTS = 4;

const TTLS = new Set(['5m', '1h']);

/** What Bedrock answers a cache point on a model without prompt caching with. */
const UNSUPPORTED_MODEL = 'You invoked an unsupported model, or your request did not allow prompt caching. See the documentation for more information.';

/** A cache point found in a request: where it is (a JSON pointer), in which section, and the block before it. */
interface FoundPoint {
  pointer: string;
  section: 'tools' | 'system' | 'messages';
  point: unknown;
  before: JsonObject | undefined;
}

/** How many cache points the request holds, or the ValidationException Bedrock answers them with. */
export type CachePointCheck = { ok: true; points: number } | { ok: false; error: MockError };

/** The request's cache points checked for `modelId` (see the file's comment). */
export function checkCachePoints(body: JsonObject, modelId: string): CachePointCheck {
  const nested = pointInToolResult(body);
  if (nested !== undefined) return refused(extraneous(nested));
  const points = pointsOf(body);
  if (points.length === 0) return { ok: true, points: 0 };
  // Which models take cache points where is the adapter's rule, read from the model id as Bedrock knows it.
  const rules = cachePointRules(modelId);
  if (rules === undefined) return { ok: false, error: bedrockError(400, 'ValidationException', UNSUPPORTED_MODEL) };
  for (const found of points) {
    const shape = shapeError(found);
    if (shape !== undefined) return { ok: false, error: bedrockError(400, 'ValidationException', shape) };
    const refusedHere = (found.section === 'tools' && !rules.tools) || (found.before?.toolResult !== undefined && !rules.afterToolResult);
    if (refusedHere) return refused(extraneous(found.pointer));
  }
  if (points.length > MAX_CACHE_POINTS) return refused(`Malformed input request: the request has ${points.length} cache points; at most ${MAX_CACHE_POINTS} are allowed, please reformat your input and try again.`);
  return { ok: true, points: points.length };
}

/** What the request's cache points read and write, against this server's cache (which it then adds to). */
export function useConverseCache(body: JsonObject, modelId: string, cache: Map<string, number>): CacheUse {
  const segments: Segment[] = [];
  const add = (blocks: unknown): void => {
    for (const block of list(blocks)) {
      if (block.cachePoint === undefined) {
        const key = JSON.stringify(block);
        segments.push({ key, tokens: tokensForChars(key.length), marked: false });
      } else {
        // A point marks the prompt up to where it stands, whichever section that ended in.
        const last = segments.at(-1);
        if (last !== undefined) {
          last.marked = true;
          last.longLived ||= isLongLived(block.cachePoint);
        }
      }
    }
  };
  add(toolsOf(body));
  add(body.system);
  for (const message of list(body.messages)) add(message.content);
  return usePrefixCache(`converse:${modelId}`, segments, cache);
}

function pointsOf(body: JsonObject): FoundPoint[] {
  const found: FoundPoint[] = [];
  const scan = (blocks: unknown, pointer: string, section: FoundPoint['section']): void => {
    list(blocks).forEach((block, index) => {
      if (block.cachePoint !== undefined) found.push({ pointer: `${pointer}/${index}`, section, point: block.cachePoint, before: list(blocks)[index - 1] });
    });
  };
  scan(toolsOf(body), '#/toolConfig/tools', 'tools');
  scan(body.system, '#/system', 'system');
  list(body.messages).forEach((message, index) => scan(message.content, `#/messages/${index}/content`, 'messages'));
  return found;
}

/** The pointer of a cache point inside a toolResult's content, which takes none (Converse's tool result blocks are text, json, images and documents). */
function pointInToolResult(body: JsonObject): string | undefined {
  for (const [turn, message] of list(body.messages).entries()) {
    for (const [index, block] of list(message.content).entries()) {
      const result = block.toolResult as JsonObject | undefined;
      const inner = list(result?.content).findIndex((part) => part.cachePoint !== undefined);
      if (inner >= 0) return `#/messages/${turn}/content/${index}/toolResult/content/${inner}`;
    }
  }
  return undefined;
}

/** Bedrock's own validation of a CachePointBlock: `type` of `default`, `ttl` of `5m` or `1h`. */
function shapeError(found: FoundPoint): string | undefined {
  const at = found.pointer.slice(2).replaceAll('/', '.');
  const point = found.point as JsonObject | null;
  const type = typeof point === 'object' && point !== null ? point.type : undefined;
  if (type !== 'default') return `1 validation error detected: Value '${String(type)}' at '${at}.cachePoint.type' failed to satisfy constraint: Member must satisfy enum value set: [default]`;
  if (point?.ttl !== undefined && !TTLS.has(String(point.ttl))) return `1 validation error detected: Value '${String(point.ttl)}' at '${at}.cachePoint.ttl' failed to satisfy constraint: Member must satisfy enum value set: [5m, 1h]`;
  return undefined;
}

function extraneous(pointer: string): string {
  return `Malformed input request: ${pointer}: extraneous key [cachePoint] is not permitted, please reformat your input and try again.`;
}

function toolsOf(body: JsonObject): unknown {
  const config = body.toolConfig;
  return typeof config === 'object' && config !== null ? (config as JsonObject).tools : undefined;
}

function list(value: unknown): JsonObject[] {
  return Array.isArray(value) ? (value as JsonObject[]) : [];
}

function refused(message: string): CachePointCheck {
  return { ok: false, error: bedrockError(400, 'ValidationException', `The model returned the following errors: ${message}`) };
}
