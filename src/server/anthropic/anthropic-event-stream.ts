/**
 * Canonical stream chunks (OpenAI `chat.completion.chunk` JSON text) turned into Anthropic's
 * Messages stream events, in Anthropic's order: message_start; per content block a
 * content_block_start, its deltas (text_delta, or input_json_delta for a tool call's argument
 * pieces) and a content_block_stop; then message_delta (stop_reason, usage) and message_stop.
 *
 * Usage arrives last in a canonical stream (after the finish chunk), so message_start carries what
 * is known by then (usually zeros) and message_delta the full figures, input tokens included: the
 * SDK's message accumulator takes them from there.
 *
 * OpenAI streams parallel tool calls one after another; should an upstream interleave their
 * argument pieces, a late piece goes to its own block's index even though that block was stopped.
 */
import type { FinishReason, JsonObject, StreamChunk, Usage } from '../../providers/types.js';
import { anthropicMessageId, anthropicStopReason, anthropicUsage, toolUseId } from './anthropic-answer-parts.js';
import { readCanonicalChunk, type CanonicalChunk } from '../read-canonical-answer.js';
import type { EventTranslation } from '../write-sse.js';

type ToolCallDelta = NonNullable<NonNullable<NonNullable<CanonicalChunk['choices']>[number]['delta']>['tool_calls']>[number];

/** One SSE frame, named as Anthropic names its events. */
export function sseEvent(type: string, payload: JsonObject): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
}

export class AnthropicEventStream implements EventTranslation {
  private started = false;
  private openBlock: { index: number; kind: 'text' | 'tool_use' } | undefined;
  private nextBlock = 0;
  /** Canonical tool-call index → the content block that carries it. */
  private readonly toolBlocks = new Map<number, number>();
  private finish: FinishReason | undefined;
  private refused = false;
  private usage: Usage | undefined;

  /** @param requestedModel named in message_start when the upstream names none (the route). */
  constructor(private readonly requestedModel: string) {}

  /** The events one canonical chunk gives, as SSE text (possibly none). */
  push(chunk: StreamChunk): string[] {
    const { id, model, delta, finish, usage } = readCanonicalChunk(chunk);
    const out: string[] = [];
    if (!this.started) out.push(this.messageStart({ id, model }, chunk.usage));
    if (delta?.content) this.text(delta.content, out);
    if (delta?.refusal) {
      this.refused = true;
      this.text(delta.refusal, out);
    }
    for (const call of delta?.tool_calls ?? []) this.toolCall(call, out);
    if (finish) {
      this.finish = finish;
      this.closeBlock(out);
    }
    if (usage) this.usage = usage;
    return out;
  }

  /** The closing events, once the canonical stream ended cleanly. */
  end(): string[] {
    const out: string[] = [];
    if (!this.started) out.push(this.messageStart({}, undefined));
    this.closeBlock(out);
    out.push(sseEvent('message_delta', { delta: { stop_reason: this.refused ? 'refusal' : anthropicStopReason(this.finish), stop_sequence: null }, usage: anthropicUsage(this.usage) }));
    out.push(sseEvent('message_stop', {}));
    return out;
  }

  private messageStart(chunk: CanonicalChunk, usage: Usage | undefined): string {
    this.started = true;
    const message = {
      id: anthropicMessageId(chunk.id),
      type: 'message',
      role: 'assistant',
      model: chunk.model || this.requestedModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: anthropicUsage(usage),
    };
    return sseEvent('message_start', { message });
  }

  private text(text: string, out: string[]): void {
    if (this.openBlock?.kind !== 'text') {
      this.closeBlock(out);
      const index = this.openNewBlock('text');
      out.push(sseEvent('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    }
    out.push(sseEvent('content_block_delta', { index: this.openBlock?.index, delta: { type: 'text_delta', text } }));
  }

  private toolCall(call: ToolCallDelta, out: string[]): void {
    const key = call.index ?? 0;
    let index = this.toolBlocks.get(key);
    if (index === undefined) {
      this.closeBlock(out);
      index = this.openNewBlock('tool_use');
      this.toolBlocks.set(key, index);
      out.push(sseEvent('content_block_start', { index, content_block: { type: 'tool_use', id: toolUseId(call.id), name: call.function?.name ?? '', input: {} } }));
    }
    const piece = call.function?.arguments;
    if (piece) out.push(sseEvent('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
  }

  private openNewBlock(kind: 'text' | 'tool_use'): number {
    const index = this.nextBlock++;
    this.openBlock = { index, kind };
    return index;
  }

  private closeBlock(out: string[]): void {
    if (this.openBlock === undefined) return;
    out.push(sseEvent('content_block_stop', { index: this.openBlock.index }));
    this.openBlock = undefined;
  }
}
