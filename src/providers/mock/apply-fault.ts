/**
 * Carries out the part of a request that comes before the normal answer: the server's base
 * latency, then the fault that fired, if any. Shared by chat and embeddings, in every dialect
 * (`errors` words the fault's answer as that provider would).
 */
import type { Fault } from './mock-faults.js';
import { mockErrors, type MockErrorSet } from './mock-errors.js';
import type { MockExchange } from './mock-exchange.js';
import type { MockState } from './mock-state.js';
import { planFault, type AnswerMode, type FaultRequest } from './plan-fault.js';
import { sampleLatency } from './sample-latency.js';
import { sendJson } from './send-json.js';
import { sleep } from './sleep.js';

const NORMAL: AnswerMode = { type: 'normal' };

/**
 * Resolves to how the normal answer should be delivered, or undefined when nothing more is to be
 * written: the fault answered (or hangs, or reset the connection), or the client left meanwhile.
 */
export async function applyFault(
  exchange: MockExchange,
  state: MockState,
  fault: Fault | undefined,
  request: () => FaultRequest,
  errors: MockErrorSet = mockErrors,
): Promise<AnswerMode | undefined> {
  if (!(await sleep(sampleLatency(state.latency), exchange.signal))) return undefined;
  if (fault === undefined) return NORMAL;
  const action = planFault(fault, request(), errors);
  switch (action.type) {
    case 'respond':
      sendJson(exchange.res, action.status, action.body, action.headers);
      return undefined;
    case 'hang':
      // Nothing to do: the socket stays open until the client gives up or close() destroys it.
      return undefined;
    case 'reset':
      // A TCP RST: the client sees ECONNRESET, not a clean close.
      exchange.req.socket.resetAndDestroy();
      return undefined;
    case 'answer':
      return (await sleep(action.delayMs, exchange.signal)) ? action.mode : undefined;
  }
}
