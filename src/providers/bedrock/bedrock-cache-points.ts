/**
 * Prompt-caching marks (../canonical/cache-marks.ts) in Converse terms: a cache point, the block
 * `{cachePoint: {type: "default"}}`, right after the block a mark sits on, in `system`, in a
 * message's `content` or in `toolConfig.tools`. Bedrock caches the prompt up to each point, in its
 * order: tools, then system, then messages.
 *
 * Only Claude (3.5 Haiku, 3.7 Sonnet and later) and Amazon Nova take cache points. Every other
 * model on Bedrock (Llama, Mistral, DeepSeek, the older Claude models) refuses the block, so it
 * gets none: a mark is a hint, and the request means the same without it. Nova takes them in
 * `system` and `messages` only; it refuses one among the tools and, as its users report, one
 * right after a toolResult, so those are left out for it.
 *
 * A mark's `ttl` is not carried over: every point is `type: "default"` (Bedrock's five minutes).
 * Bedrock takes a one-hour point from some Claude models only, and wants the TTLs not to grow
 * along the prompt; a `ttl` it refused would turn a hint into a failed request.
 */
import { CLAUDE_ON_BEDROCK } from './bedrock-thinking.js';
import type { JsonObject } from '../types.js';

/** Where a model takes cache points besides after a system or message block. */
export interface CachePointRules {
  /** After a tool in `toolConfig.tools`. */
  tools: boolean;
  /** Right after a toolResult block. */
  afterToolResult: boolean;
}

const CLAUDE_RULES: CachePointRules = { tools: true, afterToolResult: true };
const NOVA_RULES: CachePointRules = { tools: false, afterToolResult: false };

/**
 * Claude models Bedrock has no prompt caching for: Claude 2 and Instant, the Claude 3 models, and
 * Claude 3.5 Sonnet (v2 cached only for the customers of its preview).
 */
const CLAUDE_WITHOUT_CACHING = /claude-(?:v?2|instant|3-(?:haiku|sonnet|opus)|3-5-sonnet)/;

/** `amazon.nova-pro-v1:0`, `us.amazon.nova-2-lite-v1:0`, or a `model_family` of `nova-pro`. */
const NOVA = /(?:^|\.)nova-/;

/** Where `model` (a model id, or the public name it stands for) takes cache points; undefined when it takes none. */
export function cachePointRules(model: string): CachePointRules | undefined {
  if (CLAUDE_ON_BEDROCK.test(model)) return CLAUDE_WITHOUT_CACHING.test(model) ? undefined : CLAUDE_RULES;
  return NOVA.test(model) ? NOVA_RULES : undefined;
}

/** A new cache point block (never one shared object in two places of a body). */
export function cachePoint(): JsonObject {
  return { cachePoint: { type: 'default' } };
}

/**
 * Ends `blocks` with a cache point: the prompt is cached up to their last block. None after
 * another point (it would add nothing), nor where the model refuses one.
 */
export function appendCachePoint(blocks: JsonObject[], rules: CachePointRules): void {
  const last = blocks.at(-1);
  if (last === undefined || last.cachePoint !== undefined) return;
  if (last.toolResult !== undefined && !rules.afterToolResult) return;
  blocks.push(cachePoint());
}
