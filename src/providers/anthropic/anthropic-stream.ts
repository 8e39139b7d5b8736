/**
 * Anthropic's message stream (SSE: message_start, content blocks opened, filled by deltas and
 * closed, message_delta with the stop reason and final usage, message_stop) read into canonical
 * chunks. Thinking comes out as `reasoning_content` deltas as it arrives, and each thinking block,
 * once closed with its signature, as a `thinking_blocks` delta. Events that carry nothing for a
 * chat completion (`ping`, citations, event types added later) are skipped; an `error` event is a
 * failure with a shape. A text delta
 * that is the last one with another text in it is passed on without parsing it (../http/token-frame.ts).
 * Each event is read as the SSE parser yields it, into the chunks it gives (readSseWith).
 */
import { GatewayError } from '../../errors.js';
import { ChunkBuilder } from '../canonical/canonical-answer.js';
import { StreamedThinking } from '../canonical/streamed-thinking.js';
import { readSseWith, type SseEvent, type SseReader } from '../http/read-sse.js';
import { fitToken, frameToken, type TokenFrame } from '../http/token-frame.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { StreamChunk } from '../types.js';
import {
  contentBlockStartSchema,
  contentBlockStopSchema,
  messageDeltaSchema,
  messageStartSchema,
  readContentBlockDelta,
  type AnthropicUsage,
} from './anthropic-api.js';
import { mapAnthropicStreamError } from './map-anthropic-error.js';
import { mapAnthropicFinishReason, mapAnthropicUsage } from './map-anthropic-response.js';

export interface AnthropicStreamOptions {
  secrets: readonly string[];
  /** The client asked for a usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** The tool whose input is streamed as content (a json_object request). */
  jsonTool: string | undefined;
}

/** What the stream knows about one open tool_use block. */
interface ToolBlock {
  /** Its input is the answer's content (the JSON tool), not a tool call. */
  asContent: boolean;
  /** Whether any argument text was passed on yet. */
  sentArguments: boolean;
  /** The input the block opened with (normally `{}`, filled by deltas). */
  initialInput: unknown;
}

export function anthropicStream(body: AsyncIterable<Uint8Array>, options: AnthropicStreamOptions): AsyncGenerator<StreamChunk, void> {
  return readSseWith(body, new AnthropicChunkReader(options));
}

/** Reads each event as the SSE parser yields it (readSseWith): a translated stream has no generator of its own. */
class AnthropicChunkReader implements SseReader<StreamChunk> {
  /** message_stop was read: the stream is over. */
  finished = false;
  private builder: ChunkBuilder | undefined;
  private usage: AnthropicUsage = {};
  private stopReason: string | null | undefined;
  private clientToolCalls = 0;
  private jsonToolUsed = false;
  private readonly tools = new Map<number, ToolBlock>();
  /** Thinking blocks while they stream. */
  private readonly thinking = new StreamedThinking();
  /** The last text_delta event read, around its text: most events after it are the same but for the text. */
  private textFrame: TokenFrame | undefined;

  constructor(private readonly options: AnthropicStreamOptions) {}

  read(event: SseEvent): readonly StreamChunk[] | undefined {
    if (event.event === 'ping') return undefined;
    const { builder, textFrame, options } = this;
    if (textFrame !== undefined && builder !== undefined && (event.event === 'content_block_delta' || event.event === undefined)) {
      const end = fitToken(textFrame, event.data);
      if (end > 0) return builder.quotedText(event.data.slice(textFrame.head.length - 1, end + 1));
    }
    const payload = parseUpstreamJson(event.data, 'stream event');
    // Anthropic names every event; its payload's `type` says the same, for a relay that dropped the names.
    const type = event.event ?? payloadType(payload);
    if (type === 'error') throw mapAnthropicStreamError(payload, options.secrets);

    if (type === 'message_start') {
      const start = parse(messageStartSchema, payload, type);
      this.builder = new ChunkBuilder({ id: start.message.id, model: start.message.model, includeUsage: options.includeUsage });
      this.usage = { ...start.message.usage };
      return this.builder.start();
    }
    if (type === 'content_block_start') {
      const { index, content_block: block } = parse(contentBlockStartSchema, payload, type);
      const chunks = this.started();
      if (block.type === 'text' && block.text) return chunks.text(block.text);
      if (block.type === 'thinking') {
        const out = this.thinking.text(chunks, index, block.thinking ?? '');
        if (block.signature !== undefined) this.thinking.sign(index, block.signature);
        return out;
      }
      if (block.type === 'redacted_thinking') return block.data === undefined ? undefined : chunks.thinkingBlock({ type: 'redacted_thinking', data: block.data });
      if (block.type !== 'tool_use' || block.name === undefined) return undefined;
      const asContent = block.name === options.jsonTool;
      this.tools.set(index, { asContent, sentArguments: false, initialInput: block.input });
      if (asContent) {
        this.jsonToolUsed = true;
        return undefined;
      }
      this.clientToolCalls++;
      return chunks.toolCallStart(String(index), block.id ?? '', block.name);
    }
    if (type === 'content_block_delta') {
      const read = readContentBlockDelta(payload);
      if (read === undefined) throw malformed(type);
      const { index, delta } = read;
      const chunks = this.started();
      if (delta.type === 'text_delta' && delta.text !== undefined) {
        if (delta.text !== '') this.textFrame = frameToken(event.data, 'text', delta.text, undefined) ?? textFrame;
        return chunks.text(delta.text);
      }
      if (delta.type === 'input_json_delta' && delta.partial_json) {
        const tool = this.tools.get(index);
        if (!tool) return undefined;
        tool.sentArguments = true;
        return tool.asContent ? chunks.text(delta.partial_json) : chunks.toolCallArguments(String(index), delta.partial_json);
      }
      if (this.thinking.has(index)) {
        if (delta.type === 'thinking_delta' && delta.thinking !== undefined) return this.thinking.text(chunks, index, delta.thinking);
        if (delta.type === 'signature_delta' && delta.signature !== undefined) this.thinking.sign(index, delta.signature);
        return undefined;
      }
      // citations_delta and later kinds: nothing a chat completion carries.
      return undefined;
    }
    if (type === 'content_block_stop') {
      const { index } = parse(contentBlockStopSchema, payload, type);
      if (this.thinking.has(index)) return this.thinking.stop(this.started(), index);
      const tool = this.tools.get(index);
      this.tools.delete(index);
      // A tool without parameters may stream no argument text at all; clients parse the arguments, so send its input whole.
      if (!tool || tool.sentArguments) return undefined;
      const whole = JSON.stringify(tool.initialInput ?? {});
      return tool.asContent ? this.started().text(whole) : this.started().toolCallArguments(String(index), whole);
    }
    if (type === 'message_delta') {
      const delta = parse(messageDeltaSchema, payload, type);
      this.stopReason = delta.delta.stop_reason ?? this.stopReason;
      // message_delta's counts are cumulative; fields it leaves null keep message_start's values.
      for (const [key, value] of Object.entries(delta.usage ?? {})) {
        if (typeof value === 'number') (this.usage as Record<string, unknown>)[key] = value;
      }
      if (delta.usage?.cache_creation) this.usage.cache_creation = delta.usage.cache_creation;
      return undefined;
    }
    if (type === 'message_stop') {
      const finish = mapAnthropicFinishReason(this.stopReason, { answeredThroughJsonTool: this.jsonToolUsed && this.clientToolCalls === 0 });
      this.finished = true;
      return this.started().finish(finish, mapAnthropicUsage(this.usage));
    }
    return undefined;
  }

  ended(): never {
    throw new GatewayError('The upstream stream ended before message_stop.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
  }

  private started(): ChunkBuilder {
    if (!this.builder) throw malformedUpstream('The upstream sent a content event before message_start.');
    return this.builder;
  }
}

function payloadType(payload: unknown): string | undefined {
  return typeof payload === 'object' && payload !== null && 'type' in payload && typeof payload.type === 'string' ? payload.type : undefined;
}

function parse<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, payload: unknown, event: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw malformed(event);
  return parsed.data;
}

function malformed(event: string): GatewayError {
  return malformedUpstream(`The upstream sent a ${event} event in an unexpected shape.`);
}
