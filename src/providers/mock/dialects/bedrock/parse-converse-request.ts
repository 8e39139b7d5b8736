/**
 * A Converse request read into the chat request the mock's answer planner takes (OpenAI's shape):
 * text of each turn, tools as function tools, `toolChoice` as `tool_choice`, `maxTokens` as
 * `max_tokens`. Only what the planner reads; a malformed body gets Bedrock's ValidationException.
 */
import { z } from 'zod';
import type { JsonObject } from '../../../types.js';
import type { MockError } from '../../mock-errors.js';
import type { MockChatRequest } from '../../mock-request.js';
import { bedrockError } from './bedrock-errors.js';

const blockSchema = z.looseObject({
  text: z.string().optional(),
  toolResult: z.looseObject({ toolUseId: z.string(), content: z.array(z.looseObject({ text: z.string().optional() })).optional() }).optional(),
});

const converseRequestSchema = z.looseObject({
  messages: z.array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.array(blockSchema).min(1) })).min(1),
  system: z.array(z.looseObject({ text: z.string().optional() })).optional(),
  inferenceConfig: z.looseObject({ maxTokens: z.int().positive().optional() }).optional(),
  toolConfig: z
    .looseObject({
      tools: z.array(z.looseObject({ toolSpec: z.looseObject({ name: z.string(), inputSchema: z.looseObject({ json: z.unknown() }) }).optional() })).min(1),
      toolChoice: z.looseObject({ auto: z.unknown().optional(), any: z.unknown().optional(), tool: z.looseObject({ name: z.string() }).optional() }).optional(),
    })
    .optional(),
});

export type ParsedConverse = { ok: true; value: MockChatRequest } | { ok: false; error: MockError };

export function parseConverseRequest(body: JsonObject, modelId: string, stream: boolean): ParsedConverse {
  const parsed = converseRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'body';
    return { ok: false, error: bedrockError(400, 'ValidationException', `1 validation error detected: Value at '${where}' failed to satisfy constraint: ${issue?.message ?? 'invalid value'}`) };
  }
  const request = parsed.data;
  const messages: MockChatRequest['messages'] = [];
  for (const block of request.system ?? []) if (block.text) messages.push({ role: 'system', content: block.text });
  for (const message of request.messages) {
    const texts = message.content.flatMap((block) => (block.text === undefined ? [] : [block.text]));
    const results = message.content.flatMap((block) => (block.toolResult ? (block.toolResult.content ?? []).flatMap((part) => (part.text === undefined ? [] : [part.text])) : []));
    // A user turn of tool results only reads like OpenAI's `tool` messages: not the user's latest words.
    if (message.role === 'user' && texts.length === 0 && results.length > 0) messages.push({ role: 'tool', content: results.join(' ') });
    else messages.push({ role: message.role, content: texts.join(' ') });
  }
  const tools = (request.toolConfig?.tools ?? []).flatMap((tool) =>
    tool.toolSpec ? [{ type: 'function', function: { name: tool.toolSpec.name, parameters: tool.toolSpec.inputSchema.json } }] : [],
  );
  const choice = request.toolConfig?.toolChoice;
  const toolChoice = choice?.tool ? { type: 'function', function: { name: choice.tool.name } } : choice?.any !== undefined ? 'required' : undefined;
  return {
    ok: true,
    value: { model: modelId, messages, stream, n: 1, max_tokens: request.inferenceConfig?.maxTokens, tools, tool_choice: toolChoice },
  };
}
