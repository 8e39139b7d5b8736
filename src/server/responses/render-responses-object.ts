/**
 * A canonical completion (OpenAI's `chat.completion` JSON text, plus what the gateway read of it)
 * rendered as a Responses API `response` object: a reasoning item when the answer has reasoning
 * (responses-reasoning-item.ts), a message item with its text or refusal, then a function_call item
 * per tool call; `incomplete` with its reason when cut.
 */
import type { ChatResult, JsonObject } from '../../providers/types.js';
import { idSuffixOf, readCanonicalCompletion } from '../read-canonical-answer.js';
import type { ResponsesRequest } from './convert-from-responses-request.js';
import { callIdOf, endingOf, functionCallItem, messageItem, responseObject, responsesUsage } from './responses-answer-parts.js';
import { reasoningPlace, renderReasoningItem } from './responses-reasoning-item.js';

/** A whole canonical completion as a `response` object's JSON text. */
export function renderResponseObject(result: ChatResult, request: ResponsesRequest, createdAt: number): string {
  const { id: canonicalId, model, message, finish, usage } = readCanonicalCompletion(result);
  const suffix = idSuffixOf(canonicalId);
  const output: JsonObject[] = [];
  const reasoning = message && renderReasoningItem(message, `rs_${suffix}`, reasoningPlace(request));
  if (reasoning) output.push(reasoning);
  const text = message?.content ?? '';
  const refusal = text === '' ? (message?.refusal ?? '') : '';
  if (text !== '' || refusal !== '') output.push(messageItem(`msg_${suffix}`, text || refusal, refusal !== '', 'completed'));
  (message?.tool_calls ?? []).forEach((call, index) => {
    const callId = callIdOf(call.id);
    output.push(functionCallItem(`fc_${suffix}_${index}`, callId, call.function?.name ?? '', call.function?.arguments ?? '', 'completed'));
  });
  const ending = endingOf(finish);
  return JSON.stringify(
    responseObject(
      {
        id: `resp_${suffix}`,
        createdAt,
        model: model || request.model,
        status: ending.status,
        output,
        usage: responsesUsage(usage),
        incompleteDetails: ending.incomplete_details,
        error: null,
      },
      request,
    ),
  );
}
