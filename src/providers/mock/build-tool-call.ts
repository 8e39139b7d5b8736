/**
 * Decides whether a chat request gets a tool call instead of text, and builds it: the tool that
 * `tool_choice` names, else the first tool whose name the last user message mentions (so a test can
 * ask for a call in plain words), else the first tool when `tool_choice` is "required".
 */
import { z } from 'zod';
import type { MockChatRequest } from './mock-request.js';
import { randomId } from './random-id.js';

export interface MockToolCall {
  id: string;
  name: string;
  /** A JSON object as text, as OpenAI sends it. */
  arguments: string;
}

const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), parameters: z.unknown().optional() }),
});

const namedChoiceSchema = z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) });

/** Deeper schemas get `{}`: a placeholder only has to be valid enough to parse. */
const MAX_DEPTH = 4;

interface FunctionTool {
  name: string;
  parameters: unknown;
}

export function buildToolCall(request: MockChatRequest, lastUserText: string): MockToolCall | undefined {
  const tools = functionTools(request.tools);
  if (tools.length === 0 || request.tool_choice === 'none') return undefined;
  const named = namedChoiceSchema.safeParse(request.tool_choice);
  const tool = named.success
    ? tools.find((candidate) => candidate.name === named.data.function.name)
    : (tools.find((candidate) => lastUserText.includes(candidate.name)) ?? (request.tool_choice === 'required' ? tools[0] : undefined));
  if (tool === undefined) return undefined;
  return { id: randomId('call_', 24), name: tool.name, arguments: JSON.stringify(placeholder(tool.parameters, 0)) };
}

function functionTools(tools: unknown[] | null | undefined): FunctionTool[] {
  const out: FunctionTool[] = [];
  for (const tool of tools ?? []) {
    const parsed = functionToolSchema.safeParse(tool);
    if (parsed.success) out.push({ name: parsed.data.function.name, parameters: parsed.data.function.parameters });
  }
  return out;
}

/** A simple value that satisfies a JSON schema's type; objects get only their required properties. */
function placeholder(schema: unknown, depth: number): unknown {
  // No schema at all: the arguments are an object, a property of unknown type gets a string.
  if (!isRecord(schema)) return depth === 0 ? {} : 'mock';
  if ('default' in schema) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0) return placeholder(variants[0], depth);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'string') return 'mock';
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'null') return null;
  return placeholderObject(schema, depth);
}

function placeholderObject(schema: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth >= MAX_DEPTH || !Array.isArray(schema.required)) return out;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const key of schema.required) {
    if (typeof key === 'string') out[key] = placeholder(properties[key], depth + 1);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
