/**
 * A Gemini `GenerateContentResponse` read into the canonical answer: candidate text joined,
 * thought summaries joined apart as `reasoning_content`, function calls as tool calls (with ids
 * made up, Gemini's are optional), usage, finish reasons.
 * A blocked prompt, or a candidate stopped by a safety filter before it said anything, is a
 * `guardrail_block` failure, not an empty answer another deployment could have given.
 */
import { GatewayError } from '../../errors.js';
import { completionJson, syntheticId, type CanonicalAnswer, type CanonicalToolCall } from '../canonical/canonical-answer.js';
import type { ChatResult, FinishReason, JsonObject, UnifiedFinishReason, Usage } from '../types.js';
import { generateContentResponseSchema, type GeminiCandidate, type GeminiPart, type GeminiResponse, type GeminiUsageMetadata } from './gemini-api.js';
import { logprobsContentOf } from './gemini-logprobs.js';
import { createToolCallIds } from './gemini-tool-call-id.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';

const FINISH_REASONS: Record<string, UnifiedFinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

/** Gemini's finish reason; any function call in the candidate makes it `tool_calls`, whatever Gemini said. */
export function mapGeminiFinishReason(raw: string | undefined, hasToolCalls: boolean): FinishReason {
  const value = raw ?? null;
  if (hasToolCalls && (value === null || value === 'STOP')) return { unified: 'tool_calls', raw: value };
  return { unified: (value !== null && FINISH_REASONS[value]) || 'other', raw: value };
}

/** Output counts thinking tokens too (billed as output); cached tokens are part of the prompt count, as in OpenAI's usage. */
export function mapGeminiUsage(usage: GeminiUsageMetadata | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const mapped: Usage = {
    inputTokens: usage.promptTokenCount ?? 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
    cachedInputTokens: usage.cachedContentTokenCount ?? 0,
  };
  if (usage.thoughtsTokenCount !== undefined) mapped.reasoningTokens = usage.thoughtsTokenCount;
  return mapped;
}

export interface CandidateContent {
  text: string;
  toolCalls: CanonicalToolCall[];
  /** The thought summaries' text (parts marked `thought`), given when the request asked with `includeThoughts`. */
  reasoning: string;
}

export type ToolCallIds = ReturnType<typeof createToolCallIds>;

/** A candidate's answer text, its thought summaries apart, and function calls, ids from `ids`. */
export function candidateContent(parts: readonly GeminiPart[], ids: ToolCallIds): CandidateContent {
  let text = '';
  let reasoning = '';
  const toolCalls: CanonicalToolCall[] = [];
  for (const part of parts) {
    if (part.functionCall) {
      toolCalls.push({ id: ids(part.functionCall.id, part.thoughtSignature), name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) });
    } else if (typeof part.text === 'string') {
      if (part.thought === true) reasoning += part.text;
      else text += part.text;
    }
  }
  return { text, toolCalls, reasoning };
}

/** The failure a blocked prompt or a filtered, empty candidate stands for; undefined for a usable answer. */
export function blockedFailure(response: GeminiResponse, candidate: GeminiCandidate | undefined, content: CandidateContent | undefined): GatewayError | undefined {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason && (response.candidates ?? []).length === 0) {
    return guardrailBlock(`Gemini blocked the prompt (blockReason ${blockReason}).`, 'prompt_blocked');
  }
  if (!candidate) return undefined;
  const finish = mapGeminiFinishReason(candidate.finishReason, false);
  if (finish.unified === 'content_filter' && content !== undefined && content.text === '' && content.toolCalls.length === 0) {
    return guardrailBlock(`Gemini stopped the answer before any content (finishReason ${finish.raw}).`, 'content_filter');
  }
  return undefined;
}

export function guardrailBlock(message: string, code: string): GatewayError {
  return new GatewayError(message, { status: 400, code, shape: 'guardrail_block' });
}

/** A whole `generateContent` answer as a ChatResult. `model` names the deployment's model when Gemini omits `modelVersion`. */
export function mapGeminiResponse(text: string, model: string): ChatResult {
  const parsed = generateContentResponseSchema.safeParse(parseUpstreamJson(text, 'response'));
  if (!parsed.success) throw malformedUpstream('The upstream sent a response that is not a GenerateContentResponse.');
  const response = parsed.data;
  const candidates = [...(response.candidates ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const ids = createToolCallIds(response.responseId);
  const contents = candidates.map((candidate) => candidateContent(candidate.content?.parts ?? [], ids));
  const blocked = blockedFailure(response, candidates[0], contents[0]);
  if (blocked) throw blocked;
  if (candidates.length === 0) throw malformedUpstream('The upstream sent a response without candidates.');

  const id = response.responseId ?? syntheticId();
  const responseModel = response.modelVersion ?? model;
  const usage = mapGeminiUsage(response.usageMetadata);
  const finishReasons = candidates.map((candidate, index) => mapGeminiFinishReason(candidate.finishReason, (contents[index] as CandidateContent).toolCalls.length > 0));
  const answers: CanonicalAnswer[] = contents.map((content, index) => ({
    id,
    model: responseModel,
    content: content.text === '' && content.toolCalls.length > 0 ? null : content.text,
    toolCalls: content.toolCalls,
    finishReason: finishReasons[index] as FinishReason,
    usage,
    logprobs: logprobsContentOf((candidates[index] as GeminiCandidate).logprobsResult),
    reasoning: content.reasoning === '' ? undefined : content.reasoning,
  }));
  const completion = completionJson(answers[0] as CanonicalAnswer);
  // completionJson builds one choice; with `n` > 1 each further candidate adds its own.
  for (let index = 1; index < answers.length; index++) {
    const choice = (completionJson(answers[index] as CanonicalAnswer).choices as JsonObject[])[0] as JsonObject;
    (completion.choices as JsonObject[]).push({ ...choice, index });
  }
  return { text: JSON.stringify(completion), id, responseModel, finishReasons, usage };
}
