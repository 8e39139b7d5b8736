/**
 * Anthropic's message stream (SSE: message_start, content blocks opened, filled by deltas and
 * closed, message_delta with the stop reason and final usage, message_stop) read into canonical
 * chunks. Events that carry nothing for a chat completion (`ping`, thinking and signature deltas,
 * event types added later) are skipped; an `error` event is a failure with a shape. A text delta
 * that is the last one with another text in it is passed on without parsing it (../http/token-frame.ts).
 */
import { GatewayError } from '../../errors.js';
import { ChunkBuilder, NO_CHUNKS } from '../canonical/canonical-answer.js';
import type { SseEvent } from '../http/read-sse.js';
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

export async function* anthropicStream(events: AsyncIterable<SseEvent>, options: AnthropicStreamOptions): AsyncGenerator<StreamChunk, void> {
  let builder: ChunkBuilder | undefined;
  let usage: AnthropicUsage = {};
  let stopReason: string | null | undefined;
  let clientToolCalls = 0;
  let jsonToolUsed = false;
  const tools = new Map<number, ToolBlock>();

  const started = (): ChunkBuilder => {
    if (!builder) throw malformedUpstream('The upstream sent a content event before message_start.');
    return builder;
  };

  // The last text_delta event read, around its text: most events after it are the same but for the text.
  let textFrame: TokenFrame | undefined;

  for await (const event of events) {
    if (event.event === 'ping') continue;
    if (textFrame !== undefined && builder !== undefined && (event.event === 'content_block_delta' || event.event === undefined)) {
      const end = fitToken(textFrame, event.data);
      if (end > 0) {
        for (const chunk of builder.quotedText(event.data.slice(textFrame.head.length - 1, end + 1))) yield chunk;
        continue;
      }
    }
    // What this event gives the client, yielded one by one below (NO_CHUNKS says why).
    let out: readonly StreamChunk[] = NO_CHUNKS;
    const payload = parseUpstreamJson(event.data, 'stream event');
    // Anthropic names every event; its payload's `type` says the same, for a relay that dropped the names.
    const type = event.event ?? payloadType(payload);
    if (type === 'error') throw mapAnthropicStreamError(payload, options.secrets);

    if (type === 'message_start') {
      const start = parse(messageStartSchema, payload, type);
      builder = new ChunkBuilder({ id: start.message.id, model: start.message.model, includeUsage: options.includeUsage });
      usage = { ...start.message.usage };
      out = builder.start();
    } else if (type === 'content_block_start') {
      const { index, content_block: block } = parse(contentBlockStartSchema, payload, type);
      const chunks = started();
      if (block.type === 'text' && block.text) out = chunks.text(block.text);
      else if (block.type === 'tool_use' && block.name !== undefined) {
        const asContent = block.name === options.jsonTool;
        tools.set(index, { asContent, sentArguments: false, initialInput: block.input });
        if (asContent) jsonToolUsed = true;
        else {
          clientToolCalls++;
          out = chunks.toolCallStart(String(index), block.id ?? '', block.name);
        }
      }
    } else if (type === 'content_block_delta') {
      const read = readContentBlockDelta(payload);
      if (read === undefined) throw malformed(type);
      const { index, delta } = read;
      const chunks = started();
      if (delta.type === 'text_delta' && delta.text !== undefined) {
        out = chunks.text(delta.text);
        if (delta.text !== '') textFrame = frameToken(event.data, 'text', delta.text, undefined) ?? textFrame;
      }
      else if (delta.type === 'input_json_delta' && delta.partial_json) {
        const tool = tools.get(index);
        if (tool) {
          tool.sentArguments = true;
          out = tool.asContent ? chunks.text(delta.partial_json) : chunks.toolCallArguments(String(index), delta.partial_json);
        }
      }
      // thinking_delta, signature_delta, citations_delta: nothing a chat completion carries.
    } else if (type === 'content_block_stop') {
      const { index } = parse(contentBlockStopSchema, payload, type);
      const tool = tools.get(index);
      // A tool without parameters may stream no argument text at all; clients parse the arguments, so send its input whole.
      if (tool && !tool.sentArguments) {
        const whole = JSON.stringify(tool.initialInput ?? {});
        out = tool.asContent ? started().text(whole) : started().toolCallArguments(String(index), whole);
      }
      tools.delete(index);
    } else if (type === 'message_delta') {
      const delta = parse(messageDeltaSchema, payload, type);
      stopReason = delta.delta.stop_reason ?? stopReason;
      // message_delta's counts are cumulative; fields it leaves null keep message_start's values.
      for (const [key, value] of Object.entries(delta.usage ?? {})) {
        if (typeof value === 'number') usage[key as keyof AnthropicUsage] = value;
      }
    } else if (type === 'message_stop') {
      const finish = mapAnthropicFinishReason(stopReason, { answeredThroughJsonTool: jsonToolUsed && clientToolCalls === 0 });
      for (const chunk of started().finish(finish, mapAnthropicUsage(usage))) yield chunk;
      return;
    }
    for (const chunk of out) yield chunk;
  }
  throw new GatewayError('The upstream stream ended before message_stop.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
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
