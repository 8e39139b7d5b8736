/**
 * Gemini's token log probabilities (`logprobsResult` of a candidate, when the request set
 * `responseLogprobs`) in OpenAI's chat shape: a `logprobs.content` entry a decoding step, the
 * chosen token with its bytes, and the top candidates of that step as its `top_logprobs`. Read
 * defensively: a stream's events are not all checked against the schema (gemini-api.ts).
 */
import { isJsonObject } from '../read-payload.js';
import type { JsonObject } from '../types.js';

interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

/** The `logprobs.content` entries of a candidate's `logprobsResult`; undefined when it has none. */
export function logprobsContentOf(result: unknown): JsonObject[] | undefined {
  if (!isJsonObject(result) || !Array.isArray(result.chosenCandidates)) return undefined;
  const tops = Array.isArray(result.topCandidates) ? result.topCandidates : [];
  const content: JsonObject[] = [];
  result.chosenCandidates.forEach((chosen: unknown, step) => {
    const entry = tokenOf(chosen);
    if (!entry) return;
    const top = tops[step];
    const alternatives = isJsonObject(top) && Array.isArray(top.candidates) ? top.candidates.map(tokenOf).filter((item) => item !== undefined) : [];
    content.push({ ...entry, top_logprobs: alternatives });
  });
  return content;
}

function tokenOf(candidate: unknown): TokenLogprob | undefined {
  if (!isJsonObject(candidate) || typeof candidate.token !== 'string') return undefined;
  // Gemini leaves logProbability out where it is 0 (a certain token), as proto3 JSON leaves defaults out.
  const logprob = typeof candidate.logProbability === 'number' ? candidate.logProbability : 0;
  return { token: candidate.token, logprob, bytes: [...Buffer.from(candidate.token, 'utf8')] };
}
