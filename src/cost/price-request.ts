/**
 * What a finished request cost, hop by hop. Every call to a deployment gets a HopCost; the serving
 * hop's tokens are the response's usage (cached input tokens at the cached rate; `estimated` when
 * the gateway counted them for a stream that sent none). A call that failed
 * after the upstream accepted it (AttemptRecord.billable: a timeout after sending, a stall, a
 * stream broken before content, a refusal, a hedge that lost) costs what it was billed: the
 * upstream's usage when its answer said, else its prompt and no output (`estimated`, a floor).
 * A call refused outright (an error status, no connection) costs nothing.
 * Cache and manual hops call no provider and are not listed; a replay of an idempotent answer made
 * no call at all and costs nothing.
 */
import type { AttemptRecord } from '../fallback/run-chain.js';
import type { Usage } from '../providers/types.js';
import type { HopCost, RequestCost, RequestEvent } from '../telemetry/request-event.js';
import type { Pricer } from './create-pricer.js';

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };

export function priceRequest(event: RequestEvent, price: Pricer): RequestCost {
  const cost: RequestCost = { totalUsd: 0, hops: [], unpriced: 0 };
  if (event.served.replayOf !== undefined) return cost;
  for (const attempt of event.served.attempts) {
    if (attempt.step !== 'deployment' || attempt.outcome === 'skipped') continue;
    const usage = usageOf(event, attempt);
    const used = usage.inputTokens + usage.outputTokens > 0;
    const usd = used ? price(attempt.provider, attempt.model, usage) : 0;
    if (usd === undefined) cost.unpriced++;
    else cost.totalUsd += usd;
    cost.hops.push({
      hop: attempt.hop,
      deployment: attempt.deployment,
      provider: attempt.provider,
      model: attempt.model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: usage.cachedInputTokens,
      usd,
      ...((attempt.outcome === 'served' ? event.response?.usageEstimated : attempt.billedEstimated) ? { estimated: true } : {}),
    } satisfies HopCost);
  }
  return cost;
}

/** The serving hop's usage is the response's; a failed call's is what it was billed, if anything. */
function usageOf(event: RequestEvent, attempt: AttemptRecord): Usage {
  if (attempt.outcome !== 'served') return attempt.billedUsage ?? NO_USAGE;
  return event.response?.usage ?? NO_USAGE;
}
