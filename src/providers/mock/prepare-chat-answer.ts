/**
 * The part of a chat request every dialect handles alike: pick the fault (counted as fired), let it
 * have its way in the dialect's own words, then plan the answer. What remains for the dialect is
 * to render the plan in its format.
 */
import { applyFault } from './apply-fault.js';
import { countPromptTokens } from './estimate-tokens.js';
import { planAnswer, type AnswerPlan } from './mock-completion.js';
import type { MockErrorSet } from './mock-errors.js';
import type { MockExchange } from './mock-exchange.js';
import type { Fault } from './mock-faults.js';
import type { MockChatRequest } from './mock-request.js';
import type { MockState } from './mock-state.js';
import type { AnswerMode } from './plan-fault.js';

export interface ChatAnswerOptions {
  stream: boolean;
  /** The endpoint a fault's `endpoint` filter sees. Default `chat`. */
  endpoint?: 'chat' | 'completions';
  /** The model the request names (in the path for some providers). */
  model: string;
  errors: MockErrorSet;
  /** The request field a context overflow blames. Default `messages`. */
  inputParam?: string;
  /** For a provider that answers a fault in its own way (a refusal as a 200, say): the fault to apply instead. */
  adjustFault?: (fault: Fault) => Fault;
}

export interface PreparedAnswer {
  mode: AnswerMode;
  plan: AnswerPlan;
  /** The fault that fired, as picked (before adjustFault). */
  fault: Fault | undefined;
}

/** Resolves to the answer to render, or undefined when the fault already answered (or the client left). */
export async function prepareChatAnswer(exchange: MockExchange, state: MockState, request: MockChatRequest, options: ChatAnswerOptions): Promise<PreparedAnswer | undefined> {
  const { stream, model } = options;
  const fault = state.pickFault({ endpoint: options.endpoint ?? 'chat', stream, model });
  state.record(fault ? { fault: fault.kind } : 'ok');
  const applied = fault && options.adjustFault ? options.adjustFault(fault) : fault;
  const mode = await applyFault(
    exchange,
    state,
    applied,
    () => ({ stream, model, promptTokens: countPromptTokens(request.messages), inputParam: options.inputParam ?? 'messages', presentedKey: exchange.presentedKey }),
    options.errors,
  );
  if (mode === undefined) return undefined;
  return { mode, plan: planAnswer(request, { serverName: state.name, contentFilter: mode.type === 'content_filter' }), fault };
}
