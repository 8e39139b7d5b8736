/**
 * Turns an upstream SSE byte stream into events, pulling from the socket only as fast as the
 * consumer asks (so backpressure reaches the upstream). Parsing is eventsource-parser's.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { GatewayError } from '../../errors.js';

/**
 * The most characters of an unfinished event the parser holds (its `maxBufferSize`): it holds an
 * event whole until it ends, so an upstream that never ends one (no blank line, or no line end at
 * all) would otherwise fill the gateway's memory. Far above any real event (a chunk is a few
 * hundred bytes; Bedrock caps its event-stream messages at 16 MiB).
 */
export const MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

export interface SseEvent {
  /** The `event:` field; undefined (or absent) for the default `message` event. */
  event?: string | undefined;
  data: string;
}

/** What {@link SseReader.read} returns to end the stream: the body is let go, nothing more is read. */
export const SSE_END: unique symbol = Symbol('end of the SSE stream');

/** Reads a provider's events as they are parsed, into what its stream hands on (T is not an array). */
export interface SseReader<T> {
  /**
   * One event: a value to hand on, several (an array), none (undefined), or SSE_END. May throw,
   * which fails the stream.
   */
  read(event: SseEvent): T | readonly T[] | undefined | typeof SSE_END;
  /** Read after each event's values are handed on: true once the stream is over, so the body is let go. */
  readonly finished?: boolean;
  /**
   * The body ended before the stream was over: throws when that is a cut stream, or returns what
   * the end gives (a stream that ends with its body, as Gemini's does, finishes here).
   */
  ended(): readonly T[] | undefined;
}

/**
 * The body's events, each read by `reader` as it is parsed, and what it makes of them handed on.
 * A provider's stream is this over its reader, not an async generator over a generator of events:
 * that saved a generator's promise hops and objects on every event (docs/benchmarks.md).
 */
export async function* readSseWith<T>(body: AsyncIterable<Uint8Array>, reader: SseReader<T>): AsyncGenerator<T, void> {
  const pending: EventSourceMessage[] = [];
  let overflowed = false;
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      pending.push(message);
    },
    maxBufferSize: MAX_SSE_EVENT_CHARS,
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') overflowed = true;
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    while (pending.length > 0) {
      const value = reader.read(pending.shift() as EventSourceMessage);
      if (value === SSE_END) return;
      if (Array.isArray(value)) {
        for (const item of value as readonly T[]) yield item;
      } else if (value !== undefined) {
        yield value as T;
      }
      if (reader.finished) return;
    }
    // The events that ended before it are handed on first.
    if (overflowed) throw eventTooLong();
  }
  // What the decoder still holds is part of a character, never a line's end: no event can follow.
  const last = reader.ended();
  if (last !== undefined) for (const item of last) yield item;
}

function eventTooLong(): GatewayError {
  return new GatewayError(`The upstream sent an event longer than ${MAX_SSE_EVENT_CHARS} characters, or never ended one.`, {
    status: 502,
    code: 'malformed_upstream_response',
    shape: 'unknown_upstream_error',
  });
}
