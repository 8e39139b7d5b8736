/**
 * The pieces a Responses API `response` object and its stream share: ids, output items (a message
 * with its text or refusal, function calls; reasoning has its own file, responses-reasoning-item.ts),
 * status, usage, and the object itself with the request's settings echoed back, as OpenAI does.
 */
import { randomBytes } from 'node:crypto';
import type { FinishReason, JsonObject, Usage } from '../../providers/types.js';
import type { ResponsesRequest } from './convert-from-responses-request.js';

/** What a response says of how it ended: `incomplete` when cut by the token limit or a content filter. */
export function endingOf(finish: FinishReason | undefined): { status: 'completed' | 'incomplete'; incomplete_details: JsonObject | null } {
  if (finish?.unified === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish?.unified === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function responsesUsage(usage: Usage | undefined): JsonObject | null {
  if (!usage) return null;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** An assistant message item; `text` is its output text, or its refusal. */
export function messageItem(id: string, text: string, refusal: boolean, status: 'in_progress' | 'completed'): JsonObject {
  const part = refusal ? { type: 'refusal', refusal: text } : { type: 'output_text', text, annotations: [] };
  return { type: 'message', id, status, role: 'assistant', content: status === 'in_progress' && text === '' ? [] : [part] };
}

/** A tool call's own id, which the client sends back as call_id; made up only when the upstream gave none. */
export function callIdOf(canonicalId: string | null | undefined): string {
  return canonicalId || `call_${randomBytes(12).toString('hex')}`;
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: 'in_progress' | 'completed'): JsonObject {
  return { type: 'function_call', id, call_id: callId, name, arguments: args, status };
}

export interface ResponseFacts {
  id: string;
  createdAt: number;
  model: string;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  output: JsonObject[];
  usage: JsonObject | null;
  incompleteDetails: JsonObject | null;
  error: JsonObject | null;
}

/** The whole `response` object: the facts, and the request's settings as OpenAI echoes them. */
export function responseObject(facts: ResponseFacts, request: ResponsesRequest): JsonObject {
  const format = request.text?.format ?? { type: 'text' };
  return {
    id: facts.id,
    object: 'response',
    created_at: facts.createdAt,
    status: facts.status,
    error: facts.error,
    incomplete_details: facts.incompleteDetails,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: facts.model,
    output: facts.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? request.reasoning?.generate_summary ?? null },
    store: false,
    temperature: request.temperature ?? null,
    text: { format: format as JsonObject },
    tool_choice: (request.tool_choice ?? 'auto') as JsonObject | string,
    tools: (request.tools ?? []) as JsonObject[],
    top_p: request.top_p ?? null,
    truncation: 'disabled',
    usage: facts.usage,
    user: request.user ?? null,
    metadata: {},
  };
}
