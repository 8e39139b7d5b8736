/**
 * A Messages API request, read as far as the mock needs (a partial schema, like the mock's OpenAI
 * one) and turned into the request shape the shared answer planner takes: tools and tool_choice in
 * OpenAI's terms, the system prompt counted as a message.
 */
import { z } from 'zod';
import type { JsonObject } from '../../../types.js';
import type { MockError } from '../../mock-errors.js';
import type { MockChatRequest } from '../../mock-request.js';
import { invalidRequestError } from './anthropic-errors.js';
import { checkSignatures, readMockThinking, thinkingText, withoutThinking } from './mock-thinking.js';
import type { MockThinking } from './render-message.js';
import { checkCacheMarks } from './mock-prompt-cache.js';

const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  // Anthropic requires max_tokens; a request without it is the adapter's bug, and the mock says so as Anthropic would.
  max_tokens: z.int().positive(),
  messages: z.array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]) })).min(1),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() }))]).optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1), input_schema: z.unknown().optional() })).optional(),
  tool_choice: z
    .looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional() })
    .optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

export type ParsedMessagesRequest =
  | {
      ok: true;
      request: MessagesRequest;
      chat: MockChatRequest;
      /** The thinking the answer starts with, when the request asks for thinking. */
      thinking: MockThinking | undefined;
    }
  | { ok: false; error: MockError };

export function parseMessagesRequest(body: JsonObject): ParsedMessagesRequest {
  const parsed = messagesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || 'body';
    const missing = issue !== undefined && valueAt(body, issue.path) === undefined;
    return { ok: false, error: invalidRequestError(`${path}: ${missing ? 'Field required' : (issue?.message ?? 'invalid value')}`) };
  }
  const request = parsed.data;
  const markError = checkCacheMarks(body);
  if (markError) return { ok: false, error: markError };
  const signatureError = checkSignatures(request.messages);
  if (signatureError) return { ok: false, error: signatureError };
  const thinking = readMockThinking(body);
  if ('error' in thinking) return { ok: false, error: thinking.error };
  const messages: MockChatRequest['messages'] = request.messages.map((message) => ({ role: message.role, content: withoutThinking(message.content) }));
  if (request.system !== undefined) messages.unshift({ role: 'system', content: request.system });
  const chat: MockChatRequest = {
    model: request.model,
    messages,
    stream: request.stream ?? false,
    max_tokens: request.max_tokens,
    tools: request.tools?.map((tool) => ({ type: 'function', function: { name: tool.name, parameters: tool.input_schema } })),
    tool_choice: toolChoice(request.tool_choice),
  };
  return { ok: true, request, chat, thinking: thinking.on ? { text: thinkingText(lastUserText(request.messages)), omitted: thinking.omitted } : undefined };
}

/** The text of the last user turn (its text blocks), for the thinking to quote. */
function lastUserText(messages: MessagesRequest['messages']): string {
  const content = messages.findLast((message) => message.role === 'user')?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('');
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function toolChoice(choice: MessagesRequest['tool_choice']): unknown {
  if (choice === undefined) return undefined;
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name ?? '' } };
  return choice.type;
}
