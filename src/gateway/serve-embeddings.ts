/** One embeddings request through its route's chain (deployments only: cache and manual steps are passed over). */
import { runChain } from '../fallback/run-chain.js';
import { StepSkipped } from '../fallback/step-skipped.js';
import type { EmbeddingsResult } from '../providers/types.js';
import { chainLimits, planRoute, type CallOptions } from './plan-route.js';
import type { Runtime, Step } from './runtime.js';
import { hopTimeouts, toServed } from './serve-chat.js';
import type { GatewayServices } from './services.js';
import { RequestError, type Served } from './served.js';
import { validateEmbeddingsBody } from './validate-request.js';
import type { RequestEvent } from '../telemetry/request-event.js';
import { tenantLabel, traceContext, tracedHeaders } from './request-identity.js';

const NEVER = new AbortController().signal;

export async function serveEmbeddings(runtime: Runtime, services: GatewayServices, rawBody: unknown, options: CallOptions): Promise<{ result: EmbeddingsResult; served: Served }> {
  const body = validateEmbeddingsBody(rawBody);
  const plan = planRoute(runtime, body.model, options);
  const requestId = options.requestId ?? crypto.randomUUID();
  const startedAt = Date.now();
  const started = performance.now();
  // As for chat: only a tracing sink makes the request a trace and each call a span.
  const tracing = services.telemetry?.tracing;
  const trace = tracing?.startRequest(options.traceparent);
  const finish = (status: number, served: Served, facts: Pick<RequestEvent, 'response' | 'error'>) => {
    services.recent.add(served, status);
    services.telemetry?.requestFinished({
      ...(trace ? { trace } : {}),
      requestId,
      operation: 'embeddings',
      route: plan.route.name,
      tenant: tenantLabel(options.tenant ?? ''),
      startedAt,
      durationMs: performance.now() - started,
      status,
      stream: false,
      served,
      request: { model: body.model },
      ...facts,
      ...traceContext(options),
    });
  };
  const leave = runtime.enter();
  try {
    const result = await runChain<Step, EmbeddingsResult>({
      ...chainLimits(plan, services.health()),
      signal: options.signal ?? NEVER,
      ...(tracing ? { newSpanId: () => tracing.newSpanId() } : {}),
      attempt: async (step, context) => {
        if (step.kind !== 'deployment') throw new StepSkipped(`a ${step.kind} step does not answer embeddings`);
        const headers = trace && context.spanId !== undefined ? tracedHeaders(undefined, trace, context.spanId, options.tracestate) : undefined;
        return step.provider.embeddings({ model: step.model, body, signal: context.signal, timeouts: hopTimeouts(step, context.remainingMs), headers });
      },
    });
    const served = toServed(requestId, plan.route, result);
    if (!result.ok) {
      const error = new RequestError(result.error, served);
      finish(error.status, served, { error: { code: error.code, shape: error.shape, message: error.message } });
      throw error;
    }
    finish(200, served, { response: { id: '', model: body.model, finishReasons: [], usage: result.value.usage } });
    return { result: result.value, served };
  } finally {
    leave();
  }
}
