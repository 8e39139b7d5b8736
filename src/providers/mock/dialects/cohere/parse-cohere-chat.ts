/**
 * A v2 `/v2/chat` request, read as far as the mock needs and turned into the request shape the
 * shared answer planner takes. Cohere's messages and tools are close to OpenAI's already; its
 * `tool_choice` is REQUIRED or NONE.
 */
import { z } from 'zod';
import type { JsonObject } from '../../../types.js';
import type { MockError } from '../../mock-errors.js';
import type { MockChatRequest } from '../../mock-request.js';
import { cohereError } from './cohere-mock-errors.js';

const contentPartSchema = z.looseObject({ type: z.enum(['text', 'image_url', 'document', 'thinking']), text: z.string().optional() });

const chatSchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'user', 'assistant', 'tool']),
        content: z.union([z.string(), z.array(contentPartSchema)]).optional(),
        tool_call_id: z.string().optional(),
      }),
    )
    .min(1),
  stream: z.boolean().optional(),
  max_tokens: z.int().positive().optional(),
  tools: z.array(z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) })).optional(),
  tool_choice: z.enum(['REQUIRED', 'NONE']).optional(),
  thinking: z.discriminatedUnion('type', [z.looseObject({ type: z.literal('enabled'), token_budget: z.int().positive().optional() }), z.looseObject({ type: z.literal('disabled') })]).optional(),
});

/** Cohere's reasoning models (Command A Reasoning): they think unless `thinking.type` is disabled. */
const REASONING_MODEL = /reasoning/i;

export type ParsedCohereChat =
  | {
      ok: true;
      chat: MockChatRequest;
      /** The thinking the answer starts with (a reasoning model not told to stop). */
      thinking: string | undefined;
    }
  | { ok: false; error: MockError };

export function parseCohereChat(body: JsonObject): ParsedCohereChat {
  const parsed = chatSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || 'body';
    return { ok: false, error: cohereError(400, `invalid request: ${path}: ${issue?.message ?? 'invalid value'}`) };
  }
  const request = parsed.data;
  const toolMessage = request.messages.findIndex((message) => message.role === 'tool' && message.tool_call_id === undefined);
  if (toolMessage >= 0) return { ok: false, error: cohereError(400, `invalid request: messages[${toolMessage}].tool_call_id is required for a tool message`) };
  const reasoning = REASONING_MODEL.test(request.model);
  if (request.thinking !== undefined && !reasoning) return { ok: false, error: cohereError(400, `invalid request: thinking is not supported by model ${request.model}`) };
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  return {
    thinking: reasoning && request.thinking?.type !== 'disabled' ? `Considering: ${textOf(lastUser?.content)}` : undefined,
    ok: true,
    chat: {
      model: request.model,
      messages: request.messages.map((message) => ({ role: message.role, content: textOf(message.content) })),
      stream: request.stream ?? false,
      max_tokens: request.max_tokens,
      tools: request.tools,
      tool_choice: request.tool_choice === 'REQUIRED' ? 'required' : request.tool_choice === 'NONE' ? 'none' : undefined,
    },
  };
}

function textOf(content: string | ReadonlyArray<{ text?: string }> | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part) => part.text ?? '')
    .filter((text) => text !== '')
    .join(' ');
}
