/**
 * Cohere's v2 chat stream (`stream: true`: SSE events message-start, content-start/-delta/-end,
 * tool-plan-delta, tool-call-start/-delta/-end, citation events, message-end, then `data: [DONE]`)
 * read into canonical chunks. The tool plan (Cohere's note of what it is about to call) and
 * citations are not part of an OpenAI answer and are left out.
 */
import { GatewayError } from '../../errors.js';
import { ChunkBuilder, syntheticId } from '../canonical/canonical-answer.js';
import type { SseEvent } from '../http/read-sse.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { StreamChunk } from '../types.js';
import { readCohereStreamEvent } from './cohere-api.js';
import { mapCohereStreamError } from './map-cohere-error.js';
import { emptyAnswerFailure, mapCohereFinishReason, mapCohereUsage } from './map-cohere-response.js';

export interface CohereStreamOptions {
  /** The deployment's model: Cohere's events name none. */
  model: string;
  includeUsage: boolean;
  secrets: readonly string[];
}

export async function* cohereStream(events: AsyncIterable<SseEvent>, options: CohereStreamOptions): AsyncGenerator<StreamChunk, void> {
  let builder: ChunkBuilder | undefined;
  let sentContent = false;
  let ended = false;
  const open = (id?: string | null) => (builder ??= new ChunkBuilder({ id: id ?? syntheticId(), model: options.model, includeUsage: options.includeUsage }));

  for await (const event of events) {
    if (event.data === '[DONE]') break;
    const payload = parseUpstreamJson(event.data, 'stream event');
    const data = readCohereStreamEvent(payload);
    if (event.event === 'error' || data === undefined) {
      if (isErrorBody(payload)) throw mapCohereStreamError(payload.message, options.secrets);
      throw malformedUpstream('The upstream sent a stream event without a type.');
    }
    const delta = data.delta;
    let out: StreamChunk[] = [];
    switch (data.type) {
      case 'message-start':
        out = open(data.id).start();
        break;
      case 'content-delta':
        out = open().text(single(delta?.message?.content)?.text ?? '');
        break;
      case 'tool-call-start': {
        const call = single(delta?.message?.tool_calls);
        const key = String(data.index ?? 0);
        const builderNow = open();
        out = [...builderNow.toolCallStart(key, call?.id ?? `call_${syntheticId()}`, call?.function?.name ?? ''), ...builderNow.toolCallArguments(key, call?.function?.arguments ?? '')];
        break;
      }
      case 'tool-call-delta':
        out = open().toolCallArguments(String(data.index ?? 0), single(delta?.message?.tool_calls)?.function?.arguments ?? '');
        break;
      case 'message-end': {
        if (delta?.error) throw mapCohereStreamError(delta.error, options.secrets);
        const finish = mapCohereFinishReason(delta?.finish_reason);
        const failure = emptyAnswerFailure(finish, sentContent);
        if (failure) throw failure;
        out = open().finish(finish, mapCohereUsage(delta?.usage));
        ended = true;
        break;
      }
      default:
        // content-start/-end, tool-plan-delta, tool-call-end, citation-start/-end, debug: nothing a client reads.
        break;
    }
    if (out.some((chunk) => chunk.hasContent)) sentContent = true;
    for (const chunk of out) yield chunk;
  }
  if (!ended) throw new GatewayError('The upstream stream ended before message-end.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
}

/** The one object a delta event carries (message-start's empty lists carry nothing). */
function single<T extends object>(value: T | unknown[] | null | undefined): T | undefined {
  return value === null || value === undefined || Array.isArray(value) ? undefined : value;
}

function isErrorBody(payload: unknown): payload is { message: string } {
  return typeof payload === 'object' && payload !== null && typeof (payload as { message?: unknown }).message === 'string';
}
