/**
 * An answer plan rendered as Gemini renders answers: a GenerateContentResponse with `candidates`
 * (role `model`, text or `functionCall` parts), `usageMetadata`, `modelVersion` and `responseId`,
 * whole or as the stream of such responses `streamGenerateContent` sends (text a few words per
 * event; the last event carries the finish reason and the full usage). A thought summary, when the
 * request asked for one, is a part marked `thought` before the answer. A safety stop has no
 * content; a blocked prompt has no candidates at all, only `promptFeedback`.
 */
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../../../types.js';
import type { AnswerPlan, MockFinishReason } from '../../mock-completion.js';
import { estimateTokens } from '../../estimate-tokens.js';
import { geminiLogprobsResult } from '../../mock-logprobs.js';
import { wordGroups } from '../../mock-stream.js';
import { CHECKS_SIGNATURES } from './parse-gemini-request.js';

/** The prefix of the planner's ids (`chatcmpl-` + 29 alphanumerics) and the length of Gemini's response ids. */
const PLAN_ID_PREFIX = 'chatcmpl-';
const RESPONSE_ID_LENGTH = 22;
/** Size of a mock thought signature; real ones are opaque and longer, the length does not matter. */
const SIGNATURE_BYTES = 48;
/** Words per streamed text event. */
const WORDS_PER_EVENT = 3;

const FINISH_REASONS: Record<MockFinishReason, string> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  // Gemini has no finish reason of its own for a function call: it stops, with functionCall parts.
  tool_calls: 'STOP',
  content_filter: 'SAFETY',
};

const SAFETY_RATINGS = [
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
];

/** A whole `generateContent` answer; `thought`, a thought summary, comes first when the request asked for one. */
export function buildGenerateContentResponse(plan: AnswerPlan, asked?: string): JsonObject {
  const thought = thoughtOf(plan, asked);
  return envelope(plan, candidates(plan, [...thoughtParts(thought), ...answerParts(plan)], true), fullUsage(plan, thought));
}

/** The events of `streamGenerateContent`, each a GenerateContentResponse as JSON text; a thought summary is the first event, alone. */
export function buildGenerateContentEvents(plan: AnswerPlan, asked?: string): string[] {
  if (plan.finishReason === 'content_filter') return [JSON.stringify(envelope(plan, candidates(plan, [], true), fullUsage(plan, undefined)))];
  const thought = thoughtOf(plan, asked);
  const events = thought === undefined ? [] : [JSON.stringify(envelope(plan, candidates(plan, thoughtParts(thought), false), promptUsage(plan)))];
  if (plan.toolCall) {
    events.push(JSON.stringify(envelope(plan, candidates(plan, answerParts(plan), true), fullUsage(plan, thought))));
    return events;
  }
  const pieces = wordGroups(plan.content ?? '', WORDS_PER_EVENT);
  if (pieces.length === 0) pieces.push('');
  pieces.forEach((piece, index) => {
    const last = index === pieces.length - 1;
    events.push(JSON.stringify(envelope(plan, candidates(plan, [{ text: piece }], last), last ? fullUsage(plan, thought) : promptUsage(plan))));
  });
  return events;
}

/** The answer's own parts: its text, or its function call. */
function answerParts(plan: AnswerPlan): JsonObject[] {
  if (!plan.toolCall) return [{ text: plan.content ?? '' }];
  const call: JsonObject = { functionCall: { name: plan.toolCall.name, args: JSON.parse(plan.toolCall.arguments) as unknown } };
  // Gemini 3 signs its function calls (opaque bytes, base64) and wants the signature back on the next turn.
  if (CHECKS_SIGNATURES.test(plan.model)) call.thoughtSignature = randomBytes(SIGNATURE_BYTES).toString('base64');
  return [call];
}

/** The thought summary the request asked for, unless the answer was filtered (then it has no content at all). */
function thoughtOf(plan: AnswerPlan, asked: string | undefined): string | undefined {
  return plan.finishReason === 'content_filter' ? undefined : asked;
}

/** The thought summary as Gemini marks it, when there is one. */
function thoughtParts(thought: string | undefined): JsonObject[] {
  return thought === undefined ? [] : [{ text: thought, thought: true }];
}

/** A prompt Gemini's safety filter turned away: no candidates, a block reason. */
export function buildBlockedPromptResponse(plan: AnswerPlan): JsonObject {
  return {
    promptFeedback: { blockReason: 'SAFETY', safetyRatings: SAFETY_RATINGS },
    usageMetadata: promptUsage(plan),
    modelVersion: plan.model,
    responseId: responseIdFor(plan),
  };
}

function candidates(plan: AnswerPlan, parts: JsonObject[], final: boolean): JsonObject[] {
  const filtered = plan.finishReason === 'content_filter';
  return Array.from({ length: plan.choices }, (_, index) => {
    const candidate: JsonObject = filtered ? {} : { content: { parts, role: 'model' } };
    if (plan.logprobs !== undefined) {
      // Log probabilities are the answer's; thought summaries have none.
      const text = parts.map((part) => (typeof part.text === 'string' && part.thought !== true ? part.text : '')).join('');
      if (text !== '') candidate.logprobsResult = geminiLogprobsResult(text, plan.logprobs);
    }
    if (final) candidate.finishReason = FINISH_REASONS[plan.finishReason];
    if (filtered) candidate.safetyRatings = SAFETY_RATINGS;
    candidate.index = index;
    return candidate;
  });
}

function envelope(plan: AnswerPlan, list: JsonObject[], usage: JsonObject): JsonObject {
  return { candidates: list, usageMetadata: usage, modelVersion: plan.model, responseId: responseIdFor(plan) };
}

/** The answer's usage; the tokens of a thought summary are counted apart, as Gemini counts them (one summary per candidate). */
function fullUsage(plan: AnswerPlan, thought: string | undefined): JsonObject {
  const prompt = plan.usage.prompt_tokens;
  const output = plan.usage.completion_tokens;
  const usage: JsonObject = { promptTokenCount: prompt, candidatesTokenCount: output, totalTokenCount: prompt + output, promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }] };
  if (thought !== undefined) {
    const thoughts = estimateTokens(thought) * plan.choices;
    usage.thoughtsTokenCount = thoughts;
    usage.totalTokenCount = prompt + output + thoughts;
  }
  return usage;
}

function promptUsage(plan: AnswerPlan): JsonObject {
  const prompt = plan.usage.prompt_tokens;
  return { promptTokenCount: prompt, totalTokenCount: prompt, promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }] };
}

/** Gemini's response ids are 22-odd URL-safe characters, one per answer (every stream event repeats it); the plan's id supplies them. */
function responseIdFor(plan: AnswerPlan): string {
  return plan.id.slice(PLAN_ID_PREFIX.length, PLAN_ID_PREFIX.length + RESPONSE_ID_LENGTH);
}
