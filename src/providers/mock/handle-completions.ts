/**
 * `POST /v1/completions`, OpenAI's legacy text completions: validate, let a fault have its way
 * (a context overflow blames `prompt`), then answer each prompt as a `text_completion`, whole or
 * streamed. The text is planned as a chat answer to the prompt would be (mock-completion.ts), and
 * `max_tokens` defaults to 16, as OpenAI's does on this endpoint.
 */
import type { JsonObject } from '../types.js';
import { estimateTokens } from './estimate-tokens.js';
import { planAnswer, type AnswerPlan } from './mock-completion.js';
import { legacyLogprobs } from './mock-logprobs.js';
import { mockErrors, type MockErrorSet } from './mock-errors.js';
import type { MockExchange } from './mock-exchange.js';
import { parseCompletionRequest, type MockChatRequest, type MockCompletionRequest } from './mock-request.js';
import { WORDS_PER_CHUNK, wordGroups } from './mock-stream.js';
import type { MockState } from './mock-state.js';
import { prepareChatAnswer } from './prepare-chat-answer.js';
import { randomId } from './random-id.js';
import { answerInvalid, sendAnswer } from './send-json.js';
import { OPENAI_STREAM_FRAMES, sseFrame, streamTail, writeStream } from './write-sse.js';

/** OpenAI's default `max_tokens` for a legacy completion. */
const DEFAULT_MAX_TOKENS = 16;

/** One prompt of the request: its text (a token prompt is described, not decoded) and its token count. */
interface Prompt {
  text: string;
  tokens: number;
}

/** One choice of the answer: prompt `prompt`'s plan, at `index` (prompt-major, as OpenAI numbers them). */
interface Choice {
  index: number;
  text: string;
  finishReason: string;
}

export interface CompletionsDialect {
  /** How errors are worded. Default OpenAI's. */
  errors?: MockErrorSet;
  /** Payloads a stream opens with before its first chunk (Azure's prompt-filter chunk). */
  streamPrelude?: string[];
}

export async function handleCompletions(exchange: MockExchange, state: MockState, dialect: CompletionsDialect = {}): Promise<void> {
  const parsed = parseCompletionRequest(exchange.body);
  if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
  const request = parsed.value;
  const stream = request.stream === true;
  const prompts = promptsOf(request.prompt);
  const asChat = (texts: readonly string[]): MockChatRequest => ({
    model: request.model,
    messages: texts.map((content) => ({ role: 'user', content })),
    max_tokens: request.max_tokens ?? DEFAULT_MAX_TOKENS,
  });
  const prepared = await prepareChatAnswer(exchange, state, asChat(prompts.map((prompt) => prompt.text)), {
    stream,
    model: request.model,
    errors: dialect.errors ?? mockErrors,
    inputParam: 'prompt',
    endpoint: 'completions',
  });
  if (prepared === undefined) return;
  const { mode } = prepared;
  const options = { serverName: state.name, contentFilter: mode.type === 'content_filter' };
  const plans = prompts.map((prompt) => planAnswer(asChat([prompt.text]), options));
  const n = request.n ?? 1;
  const choices: Choice[] = [];
  plans.forEach((plan, at) => {
    const text = (request.echo === true ? (prompts[at] as Prompt).text : '') + (plan.content ?? '');
    for (let i = 0; i < n; i++) choices.push({ index: at * n + i, text, finishReason: plan.finishReason });
  });
  // `logprobs: N` (0-5): each token's log probability, with N alternatives.
  const logprobsOf = (text: string, offset = 0): JsonObject | null => (request.logprobs === null || request.logprobs === undefined ? null : legacyLogprobs(text, request.logprobs, offset));
  const head = { id: randomId('cmpl-', 29), object: 'text_completion', created: Math.floor(Date.now() / 1000), model: request.model };
  const usage = usageOf(prompts, plans, n);
  if (!stream) {
    const body = { ...head, choices: choices.map((choice) => ({ text: choice.text, index: choice.index, logprobs: logprobsOf(choice.text), finish_reason: choice.finishReason })), usage };
    sendAnswer(exchange.res, body, mode);
    return;
  }
  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = (choice: JsonObject[], extra?: JsonObject) => sseFrame(JSON.stringify({ ...head, choices: choice, ...(includeUsage ? { usage: null } : {}), ...extra }));
  const frames = (dialect.streamPrelude ?? []).map((payload) => sseFrame(payload));
  for (const choice of choices) {
    let offset = 0;
    for (const piece of wordGroups(choice.text, WORDS_PER_CHUNK)) {
      frames.push(chunk([{ text: piece, index: choice.index, logprobs: logprobsOf(piece, offset), finish_reason: null }]));
      offset += piece.length;
    }
    frames.push(chunk([{ text: '', index: choice.index, logprobs: null, finish_reason: choice.finishReason }]));
  }
  if (includeUsage) frames.push(chunk([], { usage }));
  await writeStream(exchange.res, frames, { signal: exchange.signal, chunkDelayMs: state.chunkDelayMs, ...streamTail(mode, OPENAI_STREAM_FRAMES) });
}

function promptsOf(prompt: MockCompletionRequest['prompt']): Prompt[] {
  if (typeof prompt === 'string') return [{ text: prompt, tokens: estimateTokens(prompt) }];
  if (prompt.every((item) => typeof item === 'number')) return [tokenPrompt(prompt as number[])];
  return (prompt as (string | number[])[]).map((item) => (typeof item === 'string' ? { text: item, tokens: estimateTokens(item) } : tokenPrompt(item)));
}

function tokenPrompt(tokens: readonly number[]): Prompt {
  return { text: `(a prompt of ${tokens.length} token ids)`, tokens: tokens.length };
}

function usageOf(prompts: readonly Prompt[], plans: readonly AnswerPlan[], n: number): JsonObject {
  let promptTokens = 0;
  for (const prompt of prompts) promptTokens += prompt.tokens;
  let completionTokens = 0;
  for (const plan of plans) completionTokens += plan.content ? estimateTokens(plan.content) * n : 0;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
