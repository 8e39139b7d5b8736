/**
 * Canonical stream chunks (OpenAI `chat.completion.chunk` JSON text) turned into Anthropic's
 * Messages stream events, in Anthropic's order: message_start; per content block a
 * content_block_start, its deltas (text_delta, input_json_delta for a tool call's argument
 * pieces, thinking_delta and signature_delta for a thinking block) and a content_block_stop; then
 * message_delta (stop_reason, usage) and message_stop.
 *
 * Reasoning text (`delta.reasoning_content`) opens a thinking block and feeds it. A signed block
 * (`delta.thinking_blocks`, once its provider closed it) ends the open thinking block with its
 * signature; a signed block whose text was not streamed before (or not the same text) comes whole,
 * in a block of its own, as a redacted block always does. Block indexes stay consecutive whatever
 * follows. The text a client puts together for a block must be the signed text, or the provider
 * refuses the block when it comes back: the blank line the canonical reasoning text sets between
 * two blocks is left out of the later one.
 *
 * Usage arrives last in a canonical stream (after the finish chunk), so message_start carries what
 * is known by then (usually zeros) and message_delta the full figures, input tokens included: the
 * SDK's message accumulator takes them from there.
 *
 * OpenAI streams parallel tool calls one after another; should an upstream interleave their
 * argument pieces, a late piece goes to its own block's index even though that block was stopped.
 */
import { THINKING_SEPARATOR, type ThinkingBlock } from '../../providers/canonical/reasoning.js';
import type { FinishReason, JsonObject, StreamChunk, Usage } from '../../providers/types.js';
import { anthropicMessageId, anthropicStopReason, anthropicUsage, toolUseId } from './anthropic-answer-parts.js';
import { anthropicThinkingBlock, NO_SIGNATURE } from './render-anthropic-thinking.js';
import { answerThinkingBlocks, readCanonicalChunk, type CanonicalChunk } from '../read-canonical-answer.js';
import type { EventTranslation } from '../write-sse.js';

type ToolCallDelta = NonNullable<NonNullable<NonNullable<CanonicalChunk['choices']>[number]['delta']>['tool_calls']>[number];

type BlockKind = 'text' | 'tool_use' | 'thinking' | 'redacted_thinking';

/** One SSE frame, named as Anthropic names its events. */
export function sseEvent(type: string, payload: JsonObject): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
}

export class AnthropicEventStream implements EventTranslation {
  private started = false;
  private openBlock: { index: number; kind: BlockKind } | undefined;
  private nextBlock = 0;
  /** The text the open thinking block has streamed so far. */
  private thinkingText = '';
  /** Some thinking block was opened: a later one's first piece starts with the canonical separator. */
  private thought = false;
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
    // Reasoning comes before the answer's text in a delta that carries both.
    if (delta?.reasoning_content !== undefined) this.reasoning(delta.reasoning_content, out);
    if (delta?.thinking_blocks !== undefined) for (const block of answerThinkingBlocks(delta)) this.thinkingBlock(block, out);
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

  private reasoning(piece: unknown, out: string[]): void {
    if (typeof piece !== 'string' || piece === '') return;
    let text = piece;
    if (this.openBlock?.kind !== 'thinking') {
      if (this.thought && text.startsWith(THINKING_SEPARATOR)) text = text.slice(THINKING_SEPARATOR.length);
      this.openThinking(out);
      if (text === '') return;
    }
    this.thinkingDelta(text, out);
  }

  /** A closed block as its provider gave it: it ends the thinking block that streamed its text, or comes whole. */
  private thinkingBlock(block: ThinkingBlock, out: string[]): void {
    if (block.type === 'redacted_thinking') {
      this.closeBlock(out);
      const index = this.openNewBlock('redacted_thinking');
      out.push(sseEvent('content_block_start', { index, content_block: anthropicThinkingBlock(block) }));
      this.closeBlock(out);
      return;
    }
    // Streamed text that is not the start of the signed text stays as it was, unsigned; the signed block follows whole.
    const streamed = this.openBlock?.kind === 'thinking' && block.thinking.startsWith(this.thinkingText);
    if (!streamed) this.openThinking(out);
    const rest = block.thinking.slice(this.thinkingText.length);
    if (rest !== '') this.thinkingDelta(rest, out);
    if (block.signature) out.push(sseEvent('content_block_delta', { index: this.openBlock?.index, delta: { type: 'signature_delta', signature: block.signature } }));
    this.closeBlock(out);
  }

  /** Closes the open block and opens a thinking block, signed when its signature_delta comes. */
  private openThinking(out: string[]): void {
    this.closeBlock(out);
    const index = this.openNewBlock('thinking');
    this.thought = true;
    out.push(sseEvent('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: NO_SIGNATURE } }));
  }

  private thinkingDelta(text: string, out: string[]): void {
    this.thinkingText += text;
    out.push(sseEvent('content_block_delta', { index: this.openBlock?.index, delta: { type: 'thinking_delta', thinking: text } }));
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

  private openNewBlock(kind: BlockKind): number {
    const index = this.nextBlock++;
    this.openBlock = { index, kind };
    return index;
  }

  private closeBlock(out: string[]): void {
    if (this.openBlock === undefined) return;
    out.push(sseEvent('content_block_stop', { index: this.openBlock.index }));
    this.openBlock = undefined;
    this.thinkingText = '';
  }
}
