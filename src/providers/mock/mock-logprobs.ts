/**
 * Token log probabilities for the mock's answers, in OpenAI's two shapes: chat's
 * (`logprobs.content`, a token each with its bytes and top alternatives) and legacy completions'
 * (`tokens`, `token_logprobs`, `top_logprobs`, `text_offset`). A token is a word with the
 * whitespace before it, as the mock streams them; its log probability is made from its text, so
 * the same answer always carries the same figures and a test can assert on them.
 */
import type { JsonObject } from '../types.js';

/** A word with the whitespace before it: the mock's token, and what its streams cut chunks by (mock-stream.ts). */
const TOKEN = /\s*\S+|\s+$/g;
/** What the alternatives to a token are, in order, skipping the token itself. */
const ALTERNATIVES = [' the', ' a', ' mock', ' answer', ' and', ' of', ',', '.', ' to', ' it', ' is', ' in', ' that', ' this', ' for', ' on', ' with', ' as', ' one', ' reply', ' from'];
/** How far each alternative's log probability falls below the one before it. */
const RANK_STEP = 1.75;

/** `text` as the mock's tokens; joined, they give back the text exactly. */
export function tokensOf(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** The chosen token's log probability: between -0.5 and 0, from its text. */
function logprobOf(token: string): number {
  let hash = 7;
  for (let i = 0; i < token.length; i++) hash = (hash * 31 + token.charCodeAt(i)) % 10_007;
  return -Math.round((hash / 10_007) * 0.5 * 1e6) / 1e6;
}

/** The `top` likeliest tokens at a position, the chosen one first. */
function topOf(token: string, top: number): { token: string; logprob: number }[] {
  const chosen = logprobOf(token);
  const out = [{ token, logprob: chosen }];
  for (const alternative of ALTERNATIVES) {
    if (out.length >= top) break;
    if (alternative !== token) out.push({ token: alternative, logprob: Math.round((chosen - RANK_STEP * out.length) * 1e6) / 1e6 });
  }
  return out.slice(0, top);
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}

/** Chat's `logprobs` for a piece of answer text (`top_logprobs` alternatives per token); null content when there is no text. */
export function chatLogprobs(text: string | null, top: number): JsonObject {
  if (text === null) return { content: null, refusal: null };
  const content = tokensOf(text).map((token) => ({
    token,
    logprob: logprobOf(token),
    bytes: bytesOf(token),
    top_logprobs: top > 0 ? topOf(token, top).map((entry) => ({ ...entry, bytes: bytesOf(entry.token) })) : [],
  }));
  return { content, refusal: null };
}

/**
 * Gemini's `logprobsResult` for a piece of answer text (`responseLogprobs`; `top` is its
 * `logprobs`, the alternatives given at each step: none when 0).
 */
export function geminiLogprobsResult(text: string, top: number): JsonObject {
  const tokens = tokensOf(text);
  const chosenCandidates = tokens.map((token) => ({ token, logProbability: logprobOf(token) }));
  const result: JsonObject = { chosenCandidates, logProbabilitySum: chosenCandidates.reduce((sum, chosen) => sum + chosen.logProbability, 0) };
  if (top > 0) result.topCandidates = tokens.map((token) => ({ candidates: topOf(token, top).map((entry) => ({ token: entry.token, logProbability: entry.logprob })) }));
  return result;
}

/**
 * Legacy completions' `logprobs` for a choice's text (`logprobs: top`): offsets count from
 * `offset`, the characters of the choice's text before this piece (a stream's earlier chunks).
 */
export function legacyLogprobs(text: string, top: number, offset = 0): JsonObject {
  const tokens = tokensOf(text);
  const textOffset: number[] = [];
  let at = offset;
  for (const token of tokens) {
    textOffset.push(at);
    at += token.length;
  }
  return {
    tokens,
    token_logprobs: tokens.map(logprobOf),
    // Up to `top` + 1 entries: the likeliest and the chosen one, which here is the likeliest.
    top_logprobs: tokens.map((token) => Object.fromEntries(topOf(token, Math.max(top, 1)).map((entry) => [entry.token, entry.logprob]))),
    text_offset: textOffset,
  };
}
