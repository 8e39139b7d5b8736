/**
 * The mock's answer plan rendered as Anthropic renders an answer: a `message` object, or the SSE
 * events of a message stream. Stream events are grouped into frames so that frame counts mean what
 * they mean in the OpenAI dialect (a fault's `after_chunks: 2` lets the opening and one piece of
 * content through): the opening events, one frame per delta, the closing events, then message_stop.
 */
import type { JsonObject } from '../../../types.js';
import type { AnswerPlan, MockFinishReason } from '../../mock-completion.js';
import { estimateTokens } from '../../estimate-tokens.js';
import { randomId } from '../../random-id.js';
import { sseFrame } from '../../write-sse.js';
import { signThinking } from '../../sign-thinking.js';
import { NO_CACHE_USE, type CacheUse } from './mock-prompt-cache.js';

/** Words per streamed text delta. */
const WORDS_PER_DELTA = 3;
/** Characters of tool input JSON per `input_json_delta`. */
const JSON_CHARS_PER_DELTA = 16;
const WORD = /\S+\s*|\s+/g;

const STOP_REASONS: Record<MockFinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

export interface MessageFrames {
  /** The frames before the ending: opening events, deltas, closing events. */
  frames: string[];
  /** The `message_stop` event that ends a healthy stream. */
  end: string;
}

/** The thinking an answer starts with: its text, and whether the block leaves it out (`display: "omitted"`; the signature still carries it). */
export interface MockThinking {
  text: string;
  omitted: boolean;
}

/**
 * The answer as a `message`. `thinking`, when the request asked for thinking, opens the content as
 * a signed thinking block, and its tokens count in the output as Anthropic counts them (shown or not).
 */
export function buildMessage(plan: AnswerPlan, thinking?: MockThinking, cache: CacheUse = NO_CACHE_USE): JsonObject {
  const content: JsonObject[] = [];
  if (thinking !== undefined) content.push({ type: 'thinking', thinking: thinking.omitted ? '' : thinking.text, signature: signThinking(thinking.text) });
  if (plan.toolCall) content.push({ type: 'tool_use', id: toolUseId(plan), name: plan.toolCall.name, input: JSON.parse(plan.toolCall.arguments) as unknown });
  else if (plan.content !== null) content.push({ type: 'text', text: plan.content });
  return {
    id: messageId(plan),
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content,
    stop_reason: STOP_REASONS[plan.finishReason],
    stop_sequence: null,
    usage: usage(plan, outputTokens(plan, thinking), cache),
  };
}

/** The answer as stream frames; a thinking block, when asked for, streams first (its text unless left out, then its signature). */
export function buildMessageFrames(plan: AnswerPlan, thinking?: MockThinking, cache: CacheUse = NO_CACHE_USE): MessageFrames {
  const start = event('message_start', {
    type: 'message_start',
    message: { id: messageId(plan), type: 'message', role: 'assistant', model: plan.model, content: [], stop_reason: null, stop_sequence: null, usage: usage(plan, 1, cache) },
  });
  const ping = event('ping', { type: 'ping' });
  const messageDelta = event('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: STOP_REASONS[plan.finishReason], stop_sequence: null },
    usage: { output_tokens: outputTokens(plan, thinking) },
  });
  const end = event('message_stop', { type: 'message_stop' });
  // The thinking block, when there is one, is block 0 and the answer's block follows it.
  const index = thinking === undefined ? 0 : 1;
  const blockStop = event('content_block_stop', { type: 'content_block_stop', index });
  const opening = thinking === undefined ? [start] : thinkingFrames(start, thinking);
  const first = (open: string) => [...opening.slice(0, -1), opening.at(-1) + open + ping];

  const call = plan.toolCall;
  if (call) {
    const open = event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: toolUseId(plan), name: call.name, input: {} } });
    const deltas = slices(call.arguments, JSON_CHARS_PER_DELTA).map((piece) => delta(index, { type: 'input_json_delta', partial_json: piece }));
    return { frames: [...first(open), ...deltas, blockStop + messageDelta], end };
  }
  // A refusal (the content_filter answer mode) opens no content block at all.
  if (plan.content === null) return { frames: [...first(''), messageDelta], end };
  const open = event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
  const deltas = wordGroups(plan.content, WORDS_PER_DELTA).map((piece) => delta(index, { type: 'text_delta', text: piece }));
  return { frames: [...first(open), ...deltas, blockStop + messageDelta], end };
}

/** The opening events with block 0 as a thinking block: opened, its text a few words per delta (none when left out), its signature, closed. */
function thinkingFrames(start: string, thinking: MockThinking): string[] {
  const open = event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
  const pieces = thinking.omitted ? [] : wordGroups(thinking.text, WORDS_PER_DELTA).map((piece) => delta(0, { type: 'thinking_delta', thinking: piece }));
  const close = delta(0, { type: 'signature_delta', signature: signThinking(thinking.text) }) + event('content_block_stop', { type: 'content_block_stop', index: 0 });
  return [start + open, ...pieces, close];
}

function outputTokens(plan: AnswerPlan, thinking: MockThinking | undefined): number {
  return plan.usage.completion_tokens + (thinking === undefined ? 0 : estimateTokens(thinking.text));
}

function delta(index: number, body: JsonObject): string {
  return event('content_block_delta', { type: 'content_block_delta', index, delta: body });
}

function event(name: string, data: JsonObject): string {
  return sseFrame(JSON.stringify(data), name);
}

/** Usage as Anthropic counts it: the prompt's cache reads and writes apart from its other input tokens. */
function usage(plan: AnswerPlan, outputTokens: number, cache: CacheUse): JsonObject {
  const prompt = Math.max(plan.usage.prompt_tokens, cache.read + cache.written);
  return {
    input_tokens: prompt - cache.read - cache.written,
    cache_creation_input_tokens: cache.written,
    cache_read_input_tokens: cache.read,
    cache_creation: { ephemeral_5m_input_tokens: cache.written - cache.writtenLong, ephemeral_1h_input_tokens: cache.writtenLong },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** `msg_01` and 22 more, shaped like Anthropic's ids (the plan's own id is OpenAI-shaped). */
function messageId(plan: AnswerPlan): string {
  return `msg_01${plan.id.slice(-22)}`;
}

function toolUseId(plan: AnswerPlan): string {
  return `toolu_01${(plan.toolCall?.id ?? randomId('', 22)).slice(-22)}`;
}

function wordGroups(text: string, size: number): string[] {
  const words = text.match(WORD) ?? [];
  const groups: string[] = [];
  for (let index = 0; index < words.length; index += size) groups.push(words.slice(index, index + size).join(''));
  return groups;
}

function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let index = 0; index < text.length; index += size) out.push(text.slice(index, index + size));
  return out;
}
