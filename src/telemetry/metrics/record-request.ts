/**
 * One finished request into the instruments. The GenAI histograms count calls to providers (the
 * gateway is their client): every deployment hop's duration, the serving hop's tokens, and a
 * stream's time to first chunk. The gateway counters count the request, its hops, its fallback,
 * retries, hedges, cache and manual serves, and its cost per hop.
 */
import type { AttemptRecord } from '../../fallback/run-chain.js';
import type { RequestEvent } from '../request-event.js';
import type { Instruments } from './define-instruments.js';
import { OTHER_VALUE } from './bounded-values.js';

const MS_PER_SECOND = 1000;
/** `2xx` for 200-299 and so on, made once: a label value the metrics look up by, not a new string per request. */
const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export interface LabelSources {
  /** `gen_ai.provider.name` for a configured provider's name. */
  providerName(configuredName: string): string;
  /** An upstream's response model, kept to a bounded set. */
  responseModel(model: string): string;
}

export function recordRequest(event: RequestEvent, instruments: Instruments, labels: LabelSources): void {
  const { route, served } = event;
  const operation = event.operation;
  const statusClass = STATUS_CLASSES[Math.floor(event.status / 100)] ?? `${Math.floor(event.status / 100)}xx`;
  const stream = String(event.stream);
  const errorType = event.error ? (event.error.shape ?? OTHER_VALUE) : undefined;
  // Label values in each instrument's labelNames order (define-instruments.ts).
  instruments.requests.inc([route, operation, statusClass, stream, errorType]);
  instruments.requestDuration.observe([route, operation, statusClass, stream], event.durationMs / MS_PER_SECOND);

  // A replay made no call: its attempts are the original request's, counted then.
  if (served.replayOf !== undefined) {
    instruments.replays.inc([route]);
    return;
  }
  if (served.fallbackReason) instruments.fallbacks.inc([route, served.fallbackReason]);
  if (served.cache) instruments.cacheServes.inc([route]);
  if (served.manual) instruments.manualServes.inc([route, served.manual]);

  for (const attempt of served.attempts) {
    instruments.hops.inc([route, attempt.deployment, attempt.step, attempt.outcome]);
    if (attempt.step !== 'deployment' || attempt.outcome === 'skipped') continue;
    if (attempt.hedge) instruments.hedges.inc([route, attempt.deployment]);
    else if (attempt.attempt > 1) instruments.retries.inc([route, attempt.deployment]);
    recordCall(event, attempt, instruments, labels);
  }

  for (const hop of event.cost?.hops ?? []) {
    if (hop.usd === undefined) instruments.unpriced.inc([hop.provider, hop.deployment]);
    else instruments.cost.inc([hop.provider, route, hop.deployment, String(hop.hop)], hop.usd);
  }
}

/** One call to a provider: its duration, and for the serving call its tokens and time to first chunk. */
function recordCall(event: RequestEvent, attempt: AttemptRecord, instruments: Instruments, labels: LabelSources): void {
  const servedBy = attempt.outcome === 'served';
  const responseModel = servedBy && event.response?.model ? labels.responseModel(event.response.model) : undefined;
  // gen_ai_operation_name, gen_ai_provider_name, gen_ai_request_model, gen_ai_response_model
  const operation = event.operation;
  const provider = labels.providerName(attempt.provider);
  const errorType = servedBy ? undefined : (attempt.shape ?? (attempt.outcome === 'aborted' ? 'aborted' : OTHER_VALUE));
  // A served stream's call lasts until its last chunk, which the attempt (timed to the first chunk) does not know.
  const durationMs = servedBy && event.stream ? event.startedAt + event.durationMs - attempt.startedAt : attempt.durationMs;
  instruments.operationDuration.observe([operation, provider, attempt.model, responseModel, errorType], Math.max(0, durationMs) / MS_PER_SECOND);
  if (!servedBy) return;
  const usage = event.response?.usage;
  if (usage) {
    instruments.tokenUsage.observe([operation, provider, attempt.model, responseModel, 'input'], usage.inputTokens);
    if (event.operation !== 'embeddings') instruments.tokenUsage.observe([operation, provider, attempt.model, responseModel, 'output'], usage.outputTokens);
  }
  if (event.stream && event.timeToFirstChunkMs !== undefined) instruments.timeToFirstChunk.observe([operation, provider, attempt.model, responseModel], event.timeToFirstChunkMs / MS_PER_SECOND);
}
