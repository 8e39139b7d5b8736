/**
 * One drill request: a small chat completion against the gateway, timed from its scheduled send
 * time, and judged the way a client would judge it: 200 and a well-formed completion, or for a
 * stream, chunks that end with [DONE] and carry no error event.
 */
import type { Dispatcher } from 'undici';
import { headersOfLastServedBy } from '../server/served-headers.js';
import type { RequestMode, Sample } from './types.js';

export interface ChatTarget {
  dispatcher: Dispatcher;
  /** The gateway's origin, e.g. http://127.0.0.1:8080. */
  origin: string;
  route: string;
  mode: RequestMode;
  timeoutMs: number;
}

/** What a sample knows once the request is over (the caller adds when and in which phase it was sent). */
export type Outcome = Omit<Sample, 't' | 'sinceOutageMs' | 'phase'>;

type ServedFields = Pick<Sample, 'hop' | 'attempts' | 'deployment' | 'fallbackReason' | 'servedFrom'>;

/** Finish reasons of an answer the client can use; `content_filter` (an empty, filtered answer) is not one. */
const GOOD_FINISH = new Set(['stop', 'length', 'tool_calls', 'function_call']);

/**
 * A small chat request. `tag` makes every body unique: a gateway with derived idempotency keys
 * replays an identical body, and one with a cache may serve it, and a drill must reach the chain every time.
 */
export function chatBody(route: string, mode: RequestMode, tag: string): string {
  return JSON.stringify({
    model: route,
    messages: [{ role: 'user', content: `Outage drill request ${tag}: say hello.` }],
    ...(mode === 'stream' ? { stream: true } : {}),
  });
}

/** Sends one request; `scheduledAt` is the performance.now() time it was due, which latency counts from. */
export async function sendChat(target: ChatTarget, body: string, scheduledAt: number): Promise<Outcome> {
  const signal = AbortSignal.timeout(target.timeoutMs);
  let headersMs: number | undefined;
  let status = 0;
  let served: ServedFields = {};
  try {
    const response = await target.dispatcher.request({
      origin: target.origin,
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: target.mode === 'stream' ? 'text/event-stream' : 'application/json' },
      body,
      signal,
    });
    headersMs = performance.now() - scheduledAt;
    status = response.statusCode;
    served = servedFrom(response.headers);
    const text = await response.body.text();
    // A stream whose head went out before it fell back tells what served in a comment.
    if (target.mode === 'stream') served = servedFromComment(text) ?? served;
    const latencyMs = performance.now() - scheduledAt;
    const verdict = status === 200 ? (target.mode === 'stream' ? judgeStream(text) : judgeCompletion(text)) : `${status} ${errorCode(text)}`;
    return { latencyMs, headersMs, status, ok: verdict === undefined, ...(verdict === undefined ? {} : { error: verdict }), ...served };
  } catch (err) {
    const latencyMs = performance.now() - scheduledAt;
    const error = signal.aborted ? `client timeout (${Math.round(target.timeoutMs / 1000)} s)` : transportError(err, status);
    return { latencyMs, ...(headersMs === undefined ? {} : { headersMs }), status, ok: false, error, ...served };
  }
}

/** Undefined when the body is a usable chat completion; otherwise why not. */
export function judgeCompletion(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const choice = firstChoice(body);
  if (!choice) return 'no choices in the completion';
  if (typeof choice.message !== 'object' || choice.message === null) return 'no message in the completion';
  if (typeof choice.finish_reason !== 'string') return 'no finish_reason';
  if (!GOOD_FINISH.has(choice.finish_reason)) return `finish_reason ${choice.finish_reason}`;
  return undefined;
}

/** Undefined when the SSE body is a complete stream: chunks with choices, no error event, then [DONE]. */
export function judgeStream(text: string): string | undefined {
  let chunks = 0;
  let done = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return 'stream event is not JSON';
    }
    if (typeof event === 'object' && event !== null && 'error' in event) return `stream error event${codeSuffix((event as { error: unknown }).error)}`;
    if (done) return 'stream event after [DONE]';
    chunks++;
  }
  if (!done) return 'stream ended without [DONE]';
  if (chunks === 0) return 'stream had no chunks';
  return undefined;
}

function firstChoice(body: unknown): { message?: unknown; finish_reason?: unknown } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const first: unknown = choices[0];
  return typeof first === 'object' && first !== null ? (first as { message?: unknown; finish_reason?: unknown }) : undefined;
}

/** The OpenAI error body's code (or type), so failures can be counted by kind. */
function errorCode(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return codeSuffix(body.error).trim() || 'error';
  } catch {
    return 'non-JSON error body';
  }
}

function codeSuffix(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { code, type } = error as { code?: unknown; type?: unknown };
  const label = typeof code === 'string' && code ? code : typeof type === 'string' ? type : '';
  return label ? ` ${label}` : '';
}

function transportError(err: unknown, status: number): string {
  const code = (err as { code?: unknown }).code;
  const name = typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
  return status === 0 ? `no response (${name})` : `body cut (${name})`;
}

/** What the last `: served-by ...` comment of an SSE body says served; undefined without one. */
export function servedFromComment(text: string): ServedFields | undefined {
  const headers = headersOfLastServedBy(text);
  return headers && servedFrom(headers);
}

function servedFrom(headers: Record<string, string | string[] | undefined>): ServedFields {
  const one = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const out: ServedFields = {};
  const hop = Number(one('x-switchyard-hop'));
  const attempts = Number(one('x-switchyard-attempts'));
  if (Number.isInteger(hop) && hop > 0) out.hop = hop;
  if (Number.isInteger(attempts) && attempts > 0) out.attempts = attempts;
  const deployment = one('x-switchyard-deployment');
  if (deployment) out.deployment = deployment;
  const reason = one('x-switchyard-fallback-reason');
  if (reason) out.fallbackReason = reason;
  const manual = one('x-switchyard-manual');
  if (one('x-switchyard-idempotent-replay')) out.servedFrom = 'replay';
  else if (one('x-switchyard-cache')) out.servedFrom = 'cache';
  else if (manual) out.servedFrom = `manual ${manual}`;
  return out;
}
