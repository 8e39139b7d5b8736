/**
 * The Responses API `reasoning` output item made of the canonical answer's reasoning: its text
 * (`reasoning_content`) and its thinking blocks (`thinking_blocks`, signed where the provider
 * signs), shared by the whole answer and the stream.
 *
 * Where the text goes:
 * - In `summary`, as one `summary_text` part, when the request asks for a summary
 *   (`reasoning.summary`). OpenAI's models give summary parts only when asked, and clients written
 *   for them read the reasoning there (the Vercel AI SDK reads nothing else).
 * - Otherwise in `content`, as one `reasoning_text` part, with `summary` empty: a client that asked
 *   for no summary expects none, and `content` is where the API carries reasoning text as a model
 *   gave it (open-weight models such as gpt-oss served by vLLM fill it). The text is the
 *   provider's, not dropped: /v1/chat/completions gives it as `reasoning_content` too.
 * The gateway makes no summary of its own: either way the text is what the provider gave (Claude's
 * and Gemini's are already summaries, DeepSeek's is the raw reasoning). One part, the canonical text
 * as it is (blocks set apart by a blank line): an answer whose provider signs nothing has no blocks
 * to split it by, and the whole answer and the stream must give the same item.
 *
 * `encrypted_content` carries the blocks (reasoning-envelope.ts) whenever the answer has reasoning,
 * not only when `include` names `reasoning.encrypted_content`: OpenAI fills it by default now (its
 * SDK's types say so), the AI SDK asks for it only for model names it knows as reasoning models,
 * and without it a client that replays the output loses the model's thinking in a tool loop (the
 * provider then answers without thinking). Reasoning no provider signed goes in as one unsigned
 * block, so that an OpenAI-compatible reasoning server (DeepSeek) gets its `reasoning_content` back
 * in a tool loop, as /v1/messages gives it back.
 */
import type { ThinkingBlock } from '../../providers/canonical/reasoning.js';
import type { JsonObject } from '../../providers/types.js';
import { answerThinkingBlocks } from '../read-canonical-answer.js';
import type { ResponsesRequest } from './convert-from-responses-request.js';
import { encodeReasoning } from './reasoning-envelope.js';

/** Where a reasoning item's text goes, and the stream events that carry it there. */
export interface ReasoningPlace {
  /** The item's field that holds the text part. */
  field: 'summary' | 'content';
  /** The stream events' field that says which part (always 0: one part). */
  index: 'summary_index' | 'content_index';
  part(text: string): JsonObject;
  events: { partAdded: string; delta: string; textDone: string; partDone: string };
}

const SUMMARY: ReasoningPlace = {
  field: 'summary',
  index: 'summary_index',
  part: (text) => ({ type: 'summary_text', text }),
  events: {
    partAdded: 'response.reasoning_summary_part.added',
    delta: 'response.reasoning_summary_text.delta',
    textDone: 'response.reasoning_summary_text.done',
    partDone: 'response.reasoning_summary_part.done',
  },
};

const CONTENT: ReasoningPlace = {
  field: 'content',
  index: 'content_index',
  part: (text) => ({ type: 'reasoning_text', text }),
  events: {
    partAdded: 'response.content_part.added',
    delta: 'response.reasoning_text.delta',
    textDone: 'response.reasoning_text.done',
    partDone: 'response.content_part.done',
  },
};

/** Where this request's reasoning text goes: a summary when it asks for one (`summary`, or the older `generate_summary`). */
export function reasoningPlace(request: ResponsesRequest): ReasoningPlace {
  return request.reasoning?.summary != null || request.reasoning?.generate_summary != null ? SUMMARY : CONTENT;
}

/** A reasoning item; `text` and `blocks` are what is known of it so far (nothing, when it has just opened). */
export function reasoningItem(id: string, text: string, blocks: readonly ThinkingBlock[], place: ReasoningPlace, status: 'in_progress' | 'completed'): JsonObject {
  const item: JsonObject = { type: 'reasoning', id, summary: [] };
  item[place.field] = text === '' ? [] : [place.part(text)];
  item.encrypted_content = encryptedContent(text, blocks);
  item.status = status;
  return item;
}

/** The reasoning item of a whole answer's message, when it has reasoning. */
export function renderReasoningItem(message: Record<string, unknown>, id: string, place: ReasoningPlace): JsonObject | undefined {
  const blocks = answerThinkingBlocks(message);
  const text = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
  if (blocks.length === 0 && text === '') return undefined;
  return reasoningItem(id, text, blocks, place, 'completed');
}

function encryptedContent(text: string, blocks: readonly ThinkingBlock[]): string | null {
  if (blocks.length > 0) return encodeReasoning(blocks);
  return text === '' ? null : encodeReasoning([{ type: 'thinking', thinking: text }]);
}
