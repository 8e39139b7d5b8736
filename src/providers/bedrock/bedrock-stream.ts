/**
 * A ConverseStream (event-stream messages: messageStart, contentBlockStart/Delta/Stop, messageStop,
 * metadata; or an exception) read into canonical chunks. The finish chunk waits for the usage in
 * `metadata`, which Bedrock sends after `messageStop`. Reasoning streams as `reasoning_content` as
 * it arrives; its signature (or its redacted bytes) completes the block, which is given whole as a
 * `thinking_blocks` entry when the block stops.
 */
import type { z } from 'zod';
import { ChunkBuilder } from '../canonical/canonical-answer.js';
import { StreamedThinking } from '../canonical/streamed-thinking.js';
import { GatewayError } from '../../errors.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { FinishReason, StreamChunk, Usage } from '../types.js';
import { contentBlockStartSchema, contentBlockStopSchema, messageStopSchema, metadataSchema, readContentBlockDelta, type ReasoningDelta } from './bedrock-api.js';
import { mapBedrockStreamException } from './map-bedrock-error.js';
import { mapBedrockStopReason, mapBedrockUsage } from './map-bedrock-response.js';
import { stringHeader, type Message } from './read-event-stream.js';

export interface BedrockStreamOptions {
  id: string;
  model: string;
  includeUsage: boolean;
  /** Set when a json_object request may be answered through this tool: its input streams as text. */
  jsonTool: string | undefined;
  secrets: readonly string[];
}

const decoder = new TextDecoder();

/**
 * What an event gives the client when it gives nothing. The chunks an event gives are yielded one
 * by one: in an async generator, a `yield*` of an array wraps it in an async iterator, a promise
 * hop and its objects for every chunk.
 */
const NO_CHUNKS: readonly StreamChunk[] = [];

export async function* bedrockStream(messages: AsyncIterable<Message>, options: BedrockStreamOptions): AsyncGenerator<StreamChunk, void> {
  const builder = new ChunkBuilder({ id: options.id, model: options.model, includeUsage: options.includeUsage });
  /** Content blocks that carry the json_object answer, by block index. */
  const jsonBlocks = new Set<number>();
  let toolCalls = 0;
  let stop: string | undefined;
  let usage: Usage | undefined;
  let finished = false;
  const finish = (): StreamChunk[] => {
    finished = true;
    const reason: FinishReason = mapBedrockStopReason(stop, { answeredAsJson: jsonBlocks.size > 0 && toolCalls === 0 });
    return builder.finish(reason, usage);
  };
  /** Reasoning blocks while they stream. */
  const thinking = new StreamedThinking();
  const addReasoning = (index: number, piece: ReasoningDelta): readonly StreamChunk[] => {
    if (piece.signature !== undefined) thinking.sign(index, piece.signature);
    if (piece.redactedContent !== undefined) thinking.redact(index, piece.redactedContent);
    return thinking.text(builder, index, piece.text ?? '');
  };

  for await (const message of messages) {
    const messageType = stringHeader(message, ':message-type');
    if (messageType === 'exception') {
      throw mapBedrockStreamException(stringHeader(message, ':exception-type'), decoder.decode(message.body), options.secrets);
    }
    if (messageType === 'error') {
      // A generic error frame carries its code and message in headers, not in the body.
      const text = JSON.stringify({ message: stringHeader(message, ':error-message') });
      throw mapBedrockStreamException(stringHeader(message, ':error-code'), text, options.secrets);
    }
    if (messageType !== 'event' || finished) continue;
    const eventType = stringHeader(message, ':event-type');
    // What this event gives the client, yielded one by one after the switch (NO_CHUNKS says why).
    let out: readonly StreamChunk[] = NO_CHUNKS;
    switch (eventType) {
      case 'messageStart':
        out = builder.start();
        break;
      case 'contentBlockStart': {
        const event = parse(contentBlockStartSchema, message, eventType);
        const toolUse = event.start?.toolUse;
        if (!toolUse) break;
        if (options.jsonTool !== undefined && toolUse.name === options.jsonTool) {
          jsonBlocks.add(event.contentBlockIndex);
        } else {
          toolCalls++;
          out = builder.toolCallStart(String(event.contentBlockIndex), toolUse.toolUseId, toolUse.name);
        }
        break;
      }
      case 'contentBlockDelta': {
        const event = readContentBlockDelta(payloadOf(message, eventType));
        if (event === undefined) throw malformedEvent(eventType);
        const { delta } = event;
        if (delta.text !== undefined) out = builder.text(delta.text);
        else if (delta.toolUse) {
          if (jsonBlocks.has(event.contentBlockIndex)) out = builder.text(delta.toolUse.input);
          else out = builder.toolCallArguments(String(event.contentBlockIndex), delta.toolUse.input);
        } else if (delta.reasoningContent) out = addReasoning(event.contentBlockIndex, delta.reasoningContent);
        // Citation deltas have no place in a Chat Completions chunk.
        break;
      }
      case 'contentBlockStop':
        // Only a reasoning block gives something when it stops; without one, the event is not even read.
        if (thinking.open) out = thinking.stop(builder, parse(contentBlockStopSchema, message, eventType).contentBlockIndex) ?? NO_CHUNKS;
        break;
      case 'messageStop':
        stop = parse(messageStopSchema, message, eventType).stopReason;
        if (usage !== undefined) out = finish();
        break;
      case 'metadata':
        usage = mapBedrockUsage(parse(metadataSchema, message, eventType).usage);
        if (stop !== undefined) out = finish();
        break;
      default:
        // Event types added later carry nothing the canonical stream needs.
        break;
    }
    for (const chunk of out) yield chunk;
  }
  if (stop === undefined) {
    throw new GatewayError('The upstream stream ended before messageStop.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
  }
  if (!finished) for (const chunk of finish()) yield chunk;
}


function parse<T>(schema: z.ZodType<T>, message: Message, eventType: string): T {
  const parsed = schema.safeParse(payloadOf(message, eventType));
  if (!parsed.success) throw malformedEvent(eventType);
  return parsed.data;
}

function payloadOf(message: Message, eventType: string): unknown {
  return parseUpstreamJson(decoder.decode(message.body), `${eventType} event`);
}

function malformedEvent(eventType: string): GatewayError {
  return malformedUpstream(`The upstream sent a ${eventType} event without the fields Converse defines.`);
}
