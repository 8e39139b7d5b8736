/** One embeddings request through its route's chain (deployments only: cache and manual steps are passed over). */
import { newRequestId } from './new-request-id.js';
import { runChain } from '../fallback/run-chain.js';
import { StepSkipped } from '../fallback/step-skipped.js';
import type { EmbeddingsResult } from '../providers/types.js';
import { cancelOfCall, chainOptions, planRoute, type CallOptions } from './plan-route.js';
import type { Runtime, Step } from './runtime.js';
import { hopTimeouts, toServed } from './serve-chat.js';
import type { GatewayServices } from './services.js';
import { RequestError, type Served } from './served.js';
import { validateEmbeddingsBody } from './validate-request.js';
import { tracedHeaders } from './request-identity.js';
import { startReport } from './report-request.js';
import { passedOverIfUntranslatable } from './pass-over.js';

export async function serveEmbeddings(runtime: Runtime, services: GatewayServices, rawBody: unknown, options: CallOptions): Promise<{ result: EmbeddingsResult; served: Served }> {
  const body = validateEmbeddingsBody(rawBody);
  const plan = planRoute(runtime, body.model, options);
  const requestId = options.requestId ?? newRequestId();
  const report = startReport(services, {
    requestId,
    operation: 'embeddings',
    route: plan.route.name,
    stream: false,
    options,
    parameters: () => ({ model: body.model }),
  });
  const { trace, newSpanId } = report;
  const leave = runtime.enter();
  try {
    const result = await runChain(
      chainOptions<EmbeddingsResult>(plan, services.health(), {
        cancel: cancelOfCall(options),
        newSpanId,
        attempt: async (step, context) => {
          if (step.kind !== 'deployment') throw new StepSkipped(`a ${step.kind} step does not answer embeddings`);
          const headers = trace && context.spanId !== undefined ? tracedHeaders(undefined, trace, context.spanId, options.tracestate) : undefined;
          return step.provider.embeddings({ model: step.model, body, cancel: context.cancel, timeouts: hopTimeouts(step, context.remainingMs), headers }).catch((err: unknown) => {
            throw passedOverIfUntranslatable(err, step.name, step.provider);
          });
        },
      }),
    );
    const served = toServed(requestId, plan.route, result);
    if (!result.ok) {
      const error = new RequestError(result.error, served);
      report.finish(error.status, served, { error: { code: error.code, shape: error.shape, message: error.message } });
      throw error;
    }
    report.finish(200, served, { response: { id: '', model: body.model, finishReasons: [], usage: result.value.usage } });
    return { result: result.value, served };
  } finally {
    leave();
  }
}
