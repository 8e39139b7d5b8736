/**
 * Cohere's v2 chat stream (`stream: true`: SSE events message-start, content-start/-delta/-end,
 * tool-plan-delta, tool-call-start/-delta/-end, citation events, message-end, then `data: [DONE]`)
 * read into canonical chunks; a reasoning model's thinking comes out as `reasoning_content`. The
 * tool plan (Cohere's note of what it is about to call) and citations are not part of an OpenAI
 * answer and are left out. Each event is read as the SSE parser yields it (readSseWith).
 */
import { GatewayError } from '../../errors.js';
import { ChunkBuilder, syntheticId } from '../canonical/canonical-answer.js';
import { readSseWith, SSE_END, type SseEvent, type SseReader } from '../http/read-sse.js';
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

export function cohereStream(body: AsyncIterable<Uint8Array>, options: CohereStreamOptions): AsyncGenerator<StreamChunk, void> {
  return readSseWith(body, new CohereChunkReader(options));
}

/** Reads each event as the SSE parser yields it (readSseWith): the stream has no generator of its own. */
class CohereChunkReader implements SseReader<StreamChunk> {
  private builder: ChunkBuilder | undefined;
  private sentContent = false;
  /** message-end was read; `data: [DONE]` follows. */
  private answered = false;

  constructor(private readonly options: CohereStreamOptions) {}

  read(event: SseEvent): readonly StreamChunk[] | undefined | typeof SSE_END {
    if (event.data === '[DONE]') {
      // Before message-end, a cut stream (as a body that ends there is).
      this.ended();
      return SSE_END;
    }
    const { options } = this;
    const payload = parseUpstreamJson(event.data, 'stream event');
    const data = readCohereStreamEvent(payload);
    if (event.event === 'error' || data === undefined) {
      if (isErrorBody(payload)) throw mapCohereStreamError(payload.message, options.secrets);
      throw malformedUpstream('The upstream sent a stream event without a type.');
    }
    const out = this.chunksOf(data);
    if (out !== undefined && out.some((chunk) => chunk.hasContent)) this.sentContent = true;
    return out;
  }

  /** A body that ends after message-end without `[DONE]` ended cleanly; before it, it was cut. */
  ended(): undefined {
    if (!this.answered) throw new GatewayError('The upstream stream ended before message-end.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
    return undefined;
  }

  private chunksOf(data: NonNullable<ReturnType<typeof readCohereStreamEvent>>): StreamChunk[] | undefined {
    const delta = data.delta;
    switch (data.type) {
      case 'message-start':
        return this.open(data.id).start();
      case 'content-delta': {
        // A reasoning model's thinking streams in content blocks of its own, as `thinking` rather than `text`.
        const content = single(delta?.message?.content);
        if (typeof content?.thinking === 'string') return this.open().reasoning(content.thinking);
        return this.open().text(content?.text ?? '');
      }
      case 'tool-call-start': {
        const call = single(delta?.message?.tool_calls);
        const key = String(data.index ?? 0);
        const builder = this.open();
        return [...builder.toolCallStart(key, call?.id ?? `call_${syntheticId()}`, call?.function?.name ?? ''), ...builder.toolCallArguments(key, call?.function?.arguments ?? '')];
      }
      case 'tool-call-delta':
        return this.open().toolCallArguments(String(data.index ?? 0), single(delta?.message?.tool_calls)?.function?.arguments ?? '');
      case 'message-end': {
        if (delta?.error) throw mapCohereStreamError(delta.error, this.options.secrets);
        const finish = mapCohereFinishReason(delta?.finish_reason);
        const failure = emptyAnswerFailure(finish, this.sentContent);
        if (failure) throw failure;
        this.answered = true;
        return this.open().finish(finish, mapCohereUsage(delta?.usage));
      }
      default:
        // content-start/-end, tool-plan-delta, tool-call-end, citation-start/-end, debug: nothing a client reads.
        return undefined;
    }
  }

  private open(id?: string | null): ChunkBuilder {
    this.builder ??= new ChunkBuilder({ id: id ?? syntheticId(), model: this.options.model, includeUsage: this.options.includeUsage });
    return this.builder;
  }
}

/** The one object a delta event carries (message-start's empty lists carry nothing). */
function single<T extends object>(value: T | unknown[] | null | undefined): T | undefined {
  return value === null || value === undefined || Array.isArray(value) ? undefined : value;
}

function isErrorBody(payload: unknown): payload is { message: string } {
  return typeof payload === 'object' && payload !== null && typeof (payload as { message?: unknown }).message === 'string';
}
