/**
 * Partial zod schemas of Anthropic's Messages API request, as clients send it to `/v1/messages`:
 * only the fields the gateway translates. Unknown top-level fields are accepted and ignored, so a
 * newer SDK that adds an optional field keeps working (see convert-from-anthropic-request.ts for
 * what is dropped on purpose). Content blocks are checked one by one, per type, so an untranslatable
 * block gets an error naming it rather than a generic "invalid union".
 */
import { z } from 'zod';
import { MIN_THINKING_BUDGET } from '../../providers/anthropic/anthropic-thinking.js';
import { CLAUDE_EFFORTS } from '../../providers/canonical/reasoning.js';
import { isJsonObject, isNullish } from '../../providers/read-payload.js';
import { failFastList, isString, isTyped } from '../parse-field.js';

/** A content block before its type is known: its own schema (below) is applied by type. */
export const anyBlockSchema = z.looseObject({ type: z.string({ error: 'Each content block needs a string "type".' }) });

/**
 * The cheap tests of an item's usual shape that let a long list of bad items fail at its first
 * (failFastList): each passes what its schema here passes, so that a bad item is seldom missed.
 */
const isTextBlock = (value: unknown): boolean => isJsonObject(value) && value.type === 'text' && typeof value.text === 'string';
const isMessage = (value: unknown): boolean =>
  isJsonObject(value) &&
  (value.role === 'user' || value.role === 'assistant' || value.role === 'system') &&
  (typeof value.content === 'string' || (Array.isArray(value.content) && value.content.every(isTyped)));
const isTool = (value: unknown): boolean =>
  isJsonObject(value) &&
  typeof value.name === 'string' &&
  value.name !== '' &&
  isNullish(value.type, 'string') &&
  isNullish(value.description, 'string') &&
  (value.input_schema === undefined || (isJsonObject(value.input_schema) && value.input_schema.type === 'object'));

/** Content blocks, each checked later by its type. */
const blockList = () => failFastList(z.array(anyBlockSchema), isTyped);

export const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

const imageSourceSchema = z.discriminatedUnion(
  'type',
  [z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }), z.looseObject({ type: z.literal('url'), url: z.string().min(1) })],
  { error: 'An image source must be {"type": "base64", "media_type", "data"} or {"type": "url", "url"}; file sources cannot be passed to other providers.' },
);

export const imageBlockSchema = z.looseObject({ type: z.literal('image'), source: imageSourceSchema });

export const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});

/** A thinking block sent back on an assistant turn; the signature is Anthropic's (an empty one is no signature). */
export const thinkingBlockSchema = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });

export const redactedThinkingBlockSchema = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string().min(1) });

export const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), blockList()]).optional(),
  is_error: z.boolean().optional(),
});

const contentSchema = z.union([z.string(), blockList()], { error: 'Content must be a string or an array of content blocks.' });

/** `system` is accepted as a role too: SDKs from 1.x type a system turn inside `messages`. */
const messageSchema = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: contentSchema,
});

const toolSchema = z.looseObject({
  name: z.string().min(1),
  /** Absent or `custom` for a client tool; anything else is one of Anthropic's server tools. */
  type: z.string().nullish(),
  description: z.string().nullish(),
  /** A JSON schema of an object, as Anthropic requires (tool input is always an object). */
  input_schema: z.looseObject({ type: z.literal('object') }).optional(),
});

const parallel = { disable_parallel_tool_use: z.boolean().nullish() };

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), ...parallel }),
  z.looseObject({ type: z.literal('any'), ...parallel }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), ...parallel }),
  z.looseObject({ type: z.literal('none') }),
]);

const outputConfigSchema = z.looseObject({
  format: z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).nullish(),
  effort: z.enum(CLAUDE_EFFORTS).nullish(),
});

/** Whether thinking blocks carry their text summarised or leave it out, on thinking that is on. */
const display = { display: z.enum(['summarized', 'omitted'], { error: 'thinking.display must be "summarized" or "omitted".' }).nullish() };

/**
 * `thinking`, by type. `between_tools` is typed by Anthropic's SDK but not documented: it is read
 * as thinking left to the model, like `adaptive`.
 */
const thinkingSchema = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('enabled'), budget_tokens: z.int().min(MIN_THINKING_BUDGET, { error: `The thinking budget must be at least ${MIN_THINKING_BUDGET} tokens.` }), ...display }),
    z.looseObject({ type: z.literal('adaptive'), ...display }),
    z.looseObject({ type: z.literal('between_tools'), ...display }),
    z.looseObject({ type: z.literal('disabled') }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'Thinking must be of type "enabled" (with budget_tokens), "adaptive" or "disabled".' : undefined) },
);

/** The fields of a Messages request (and of a count_tokens request, where max_tokens is not asked for). */
const requestFields = {
  model: z.string().min(1),
  messages: failFastList(z.array(messageSchema).min(1), isMessage),
  system: z.union([z.string(), failFastList(z.array(textBlockSchema), isTextBlock)]).nullish(),
  stop_sequences: failFastList(z.array(z.string()), isString).nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.int().min(0).nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  stream: z.boolean().nullish(),
  tools: failFastList(z.array(toolSchema), isTool).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  output_config: outputConfigSchema.nullish(),
  thinking: thinkingSchema.nullish(),
};

export const messagesRequestSchema = z.looseObject({ ...requestFields, max_tokens: z.int().min(1) });
export const countTokensRequestSchema = z.looseObject({ ...requestFields, max_tokens: z.int().min(1).nullish() });

export type AnthropicRequest = z.infer<typeof countTokensRequestSchema>;
export type AnthropicMessage = z.infer<typeof messageSchema>;
export type AnthropicBlock = z.infer<typeof anyBlockSchema>;
export type AnthropicTool = z.infer<typeof toolSchema>;
export type AnthropicToolChoice = z.infer<typeof toolChoiceSchema>;
