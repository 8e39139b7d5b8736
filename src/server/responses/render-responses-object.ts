/**
 * A canonical completion (OpenAI's `chat.completion` JSON text, plus what the gateway read of it)
 * rendered as a Responses API `response` object: a message item with its text or refusal, then a
 * function_call item per tool call; `incomplete` with its reason when cut.
 */
import { randomBytes } from 'node:crypto';
import type { ChatResult, JsonObject } from '../../providers/types.js';
import { readCanonicalCompletion } from '../read-canonical-answer.js';
import type { ResponsesRequest } from './convert-from-responses-request.js';
import { endingOf, functionCallItem, messageItem, responseObject, responsesId, responsesUsage } from './responses-answer-parts.js';

/** A whole canonical completion as a `response` object's JSON text. */
export function renderResponseObject(result: ChatResult, request: ResponsesRequest, createdAt: number): string {
  const { id: canonicalId, model, message, finish, usage } = readCanonicalCompletion(result);
  const output: JsonObject[] = [];
  const text = message?.content ?? '';
  const refusal = text === '' ? (message?.refusal ?? '') : '';
  if (text !== '' || refusal !== '') output.push(messageItem(responsesId('msg', canonicalId), text || refusal, refusal !== '', 'completed'));
  (message?.tool_calls ?? []).forEach((call, index) => {
    const callId = call.id || `call_${randomBytes(12).toString('hex')}`;
    output.push(functionCallItem(responsesId('fc', `${canonicalId}_${index}`), callId, call.function?.name ?? '', call.function?.arguments ?? '', 'completed'));
  });
  const ending = endingOf(finish);
  return JSON.stringify(
    responseObject(
      {
        id: responsesId('resp', canonicalId),
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
