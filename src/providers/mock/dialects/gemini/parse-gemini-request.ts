/**
 * A `generateContent` request, read as far as the mock needs and turned into the request shape the
 * shared answer planner takes. Like Gemini, the mock refuses a function schema with a key its
 * `Schema` object does not have ("Unknown name ..."), so an adapter that forwards raw JSON Schema
 * fails in tests as it would in production.
 */
import { z } from 'zod';
import type { JsonObject } from '../../../types.js';
import type { MockError } from '../../mock-errors.js';
import type { MockChatRequest } from '../../mock-request.js';
import { invalidArgument } from './gemini-mock-errors.js';
import { checkThinkingConfig, thinkingConfigSchema, thoughtSummary } from './gemini-mock-thinking.js';

const partSchema = z.looseObject({
  text: z.string().optional(),
  inlineData: z.looseObject({ mimeType: z.string(), data: z.string() }).optional(),
  fileData: z.looseObject({ fileUri: z.string(), mimeType: z.string().optional() }).optional(),
  functionCall: z.looseObject({ name: z.string().min(1), args: z.record(z.string(), z.unknown()).optional() }).optional(),
  functionResponse: z.looseObject({ name: z.string().min(1), response: z.record(z.string(), z.unknown()) }).optional(),
  thoughtSignature: z.string().optional(),
});

const generateContentSchema = z.looseObject({
  contents: z.array(z.looseObject({ role: z.enum(['user', 'model']).optional(), parts: z.array(partSchema).min(1) })).min(1),
  systemInstruction: z.looseObject({ parts: z.array(partSchema) }).optional(),
  tools: z
    .array(z.looseObject({ functionDeclarations: z.array(z.looseObject({ name: z.string().min(1), parameters: z.unknown().optional() })).optional() }))
    .optional(),
  toolConfig: z
    .looseObject({
      functionCallingConfig: z.looseObject({ mode: z.enum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']).optional(), allowedFunctionNames: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
  generationConfig: z
    .looseObject({
      maxOutputTokens: z.int().positive().optional(),
      candidateCount: z.int().min(1).max(8).optional(),
      responseSchema: z.unknown().optional(),
      responseLogprobs: z.boolean().optional(),
      logprobs: z.int().min(0).max(20).optional(),
      thinkingConfig: thinkingConfigSchema.optional(),
    })
    .optional(),
});

type GenerateContentRequest = z.infer<typeof generateContentSchema>;

/** The fields of Gemini's `Schema` object; any other key in a function or response schema is refused. */
const SCHEMA_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

/** Models that, like Gemini 3, refuse a replayed function call without its thought signature. */
export const CHECKS_SIGNATURES = /gemini-([3-9]|\d{2,})/i;

export type ParsedGenerateContent =
  /** `thought`: the thought summary to answer with first, when the request asked for one (gemini-mock-thinking.ts). */
  { ok: true; chat: MockChatRequest; thought: string | undefined } | { ok: false; error: MockError };

export function parseGenerateContent(body: JsonObject, model: string, stream: boolean): ParsedGenerateContent {
  const parsed = generateContentSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || 'body';
    return { ok: false, error: invalidArgument(`* GenerateContentRequest.${path}: ${issue?.message ?? 'invalid value'}\n`) };
  }
  const request = parsed.data;
  const declarations = (request.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []);
  for (const [index, declaration] of declarations.entries()) {
    const unknown = unknownSchemaKey(declaration.parameters, `tools[0].function_declarations[${index}].parameters`);
    if (unknown) return { ok: false, error: unknownName(unknown) };
  }
  if (CHECKS_SIGNATURES.test(model)) {
    const unsigned = request.contents.findIndex((content) => content.role === 'model' && content.parts.find((part) => part.functionCall)?.thoughtSignature === undefined && content.parts.some((part) => part.functionCall));
    if (unsigned >= 0) {
      const name = request.contents[unsigned]?.parts.find((part) => part.functionCall)?.functionCall?.name;
      return {
        ok: false,
        error: invalidArgument(
          `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly. Additional data, function call \`${name}\`, position ${unsigned + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
        ),
      };
    }
  }
  const unknownInResponse = unknownSchemaKey(request.generationConfig?.responseSchema, 'generation_config.response_schema');
  if (unknownInResponse) return { ok: false, error: unknownName(unknownInResponse) };
  const thinking = checkThinkingConfig(request.generationConfig?.thinkingConfig, model);
  if (!thinking.ok) return thinking;

  const messages: MockChatRequest['messages'] = request.contents.map((content) => ({ role: content.role === 'model' ? 'assistant' : 'user', content: textOf(content.parts) }));
  if (request.systemInstruction) messages.unshift({ role: 'system', content: textOf(request.systemInstruction.parts) });
  const chat: MockChatRequest = {
    model,
    messages,
    stream,
    n: request.generationConfig?.candidateCount,
    max_tokens: request.generationConfig?.maxOutputTokens,
    logprobs: request.generationConfig?.responseLogprobs,
    top_logprobs: request.generationConfig?.responseLogprobs === true ? request.generationConfig.logprobs : undefined,
    tools: declarations.map((declaration) => ({ type: 'function', function: { name: declaration.name, parameters: lowerTypes(declaration.parameters) } })),
    tool_choice: toolChoice(request.toolConfig?.functionCallingConfig),
  };
  const lastUser = messages.findLast((message) => message.role === 'user');
  return { ok: true, chat, thought: thinking.thinks ? thoughtSummary(typeof lastUser?.content === 'string' ? lastUser.content : '') : undefined };
}

function textOf(parts: ReadonlyArray<{ text?: string }>): string {
  return parts
    .map((part) => part.text ?? '')
    .filter((text) => text !== '')
    .join(' ');
}

function toolChoice(config: NonNullable<GenerateContentRequest['toolConfig']>['functionCallingConfig']): unknown {
  if (config?.mode === 'NONE') return 'none';
  if (config?.mode === 'ANY') {
    const names = config.allowedFunctionNames ?? [];
    return names.length === 1 ? { type: 'function', function: { name: names[0] } } : 'required';
  }
  return undefined;
}

function unknownName(found: { key: string; at: string }): MockError {
  return invalidArgument(`Invalid JSON payload received. Unknown name "${found.key}" at '${found.at}': Cannot find field.`);
}

function unknownSchemaKey(schema: unknown, at: string): { key: string; at: string } | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  for (const [key, value] of Object.entries(schema)) {
    if (!SCHEMA_KEYS.has(key)) return { key, at };
    const nested =
      key === 'properties' && typeof value === 'object' && value !== null
        ? Object.entries(value).map(([name, property]) => unknownSchemaKey(property, `${at}.properties[${name}].value`)).find(Boolean)
        : key === 'items'
          ? unknownSchemaKey(value, `${at}.items`)
          : key === 'anyOf' && Array.isArray(value)
            ? value.map((variant, index) => unknownSchemaKey(variant, `${at}.any_of[${index}]`)).find(Boolean)
            : undefined;
    if (nested) return nested;
  }
  return undefined;
}

/** Gemini's upper-case types (`OBJECT`) as JSON Schema's, which the shared tool-call planner reads. */
function lowerTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerTypes);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = key === 'type' && typeof value === 'string' ? value.toLowerCase() : key === 'enum' ? value : lowerTypes(value);
  return out;
}
