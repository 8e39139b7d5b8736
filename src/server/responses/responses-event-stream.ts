/**
 * Canonical stream chunks (OpenAI `chat.completion.chunk` JSON text) turned into the Responses
 * API's stream events, in OpenAI's order: response.created and response.in_progress; per output
 * item an output_item.added, its parts and deltas (output_text or refusal; function call
 * arguments; reasoning summary or reasoning text), their .done events and an output_item.done;
 * then response.completed (or response.incomplete) with the whole response, usage included. Every
 * event carries its `sequence_number`. A failure after the first event ends the stream with
 * response.failed.
 *
 * Reasoning (`delta.reasoning_content` pieces, then a `delta.thinking_blocks` entry as each signed
 * block closes) opens a reasoning item ahead of the message: its one text part grows with the
 * pieces, and the blocks go into its `encrypted_content`, which only output_item.done carries (as
 * on OpenAI, whose output_item.added may carry it incomplete). Reasoning that comes after the answer
 * began (interleaved thinking between tool calls) opens a reasoning item of its own there.
 */
import { toGatewayError } from '../../errors.js';
import type { ThinkingBlock } from '../../providers/canonical/reasoning.js';
import type { FinishReason, JsonObject, StreamChunk, Usage } from '../../providers/types.js';
import { answerThinkingBlocks, idSuffixOf, readCanonicalChunk } from '../read-canonical-answer.js';
import type { EventTranslation } from '../write-sse.js';
import type { ResponsesRequest } from './convert-from-responses-request.js';
import { callIdOf, endingOf, functionCallItem, messageItem, responseObject, responsesUsage } from './responses-answer-parts.js';
import { reasoningItem, reasoningPlace, type ReasoningPlace } from './responses-reasoning-item.js';

interface OpenMessage {
  kind: 'message';
  outputIndex: number;
  id: string;
  text: string;
  refusal: boolean;
}

interface OpenReasoning {
  kind: 'reasoning';
  outputIndex: number;
  id: string;
  text: string;
  blocks: ThinkingBlock[];
}

interface ToolItem {
  kind: 'function_call';
  outputIndex: number;
  id: string;
  callId: string;
  name: string;
  args: string;
}

export class ResponsesEventStream implements EventTranslation {
  private sequence = 0;
  private started = false;
  /** What every id of the response ends in, from the first chunk's id (idSuffixOf); set at the start. */
  private suffix = '';
  private model: string;
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private open: OpenMessage | ToolItem | OpenReasoning | undefined;
  /** Where reasoning text goes for this request (summary or content), read once. */
  private readonly place: ReasoningPlace;
  /** How many reasoning items were opened: the first is `rs_<suffix>`, later ones get a number. */
  private reasonings = 0;
  /** Canonical tool-call index → its output item. */
  private readonly tools = new Map<number, ToolItem>();
  /** Output items by index, as they were completed. */
  private readonly output: JsonObject[] = [];
  private nextOutput = 0;
  private finish: FinishReason | undefined;
  private usage: Usage | undefined;

  constructor(private readonly request: ResponsesRequest) {
    this.model = request.model;
    this.place = reasoningPlace(request);
  }

  /** The events one canonical chunk gives, as SSE text (possibly none). */
  push(chunk: StreamChunk): string[] {
    const { id, model, delta, finish, usage } = readCanonicalChunk(chunk);
    const out: string[] = [];
    if (!this.started) this.start(out, id, model);
    // Reasoning comes before the answer's text in a delta that carries both.
    if (delta?.reasoning_content !== undefined) this.reasoning(delta.reasoning_content, out);
    if (delta?.thinking_blocks != null) this.thinkingBlocks(delta, out);
    if (delta?.content) this.text(delta.content, false, out);
    if (delta?.refusal) this.text(delta.refusal, true, out);
    for (const call of delta?.tool_calls ?? []) {
      const key = call.index ?? 0;
      let item = this.tools.get(key);
      if (item === undefined) {
        this.close(out);
        item = { kind: 'function_call', outputIndex: this.nextOutput++, id: `fc_${this.suffix}_${key}`, callId: callIdOf(call.id), name: call.function?.name ?? '', args: '' };
        this.tools.set(key, item);
        this.open = item;
        out.push(this.event('response.output_item.added', { output_index: item.outputIndex, item: functionCallItem(item.id, item.callId, item.name, '', 'in_progress') }));
      }
      const piece = call.function?.arguments;
      if (piece) {
        item.args += piece;
        out.push(this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: item.outputIndex, delta: piece }));
      }
    }
    if (finish) {
      this.finish = finish;
      this.close(out);
    }
    if (usage) this.usage = usage;
    return out;
  }

  /** The closing events, once the canonical stream ended cleanly. */
  end(): string[] {
    const out: string[] = [];
    if (!this.started) this.start(out, undefined, undefined);
    this.close(out);
    const ending = endingOf(this.finish);
    const response = this.response(ending.status, ending.incomplete_details, null);
    out.push(this.event(ending.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response }));
    return out;
  }

  /** The event that ends a stream that failed after its first event. */
  fail(err: unknown): string {
    const out: string[] = [];
    if (!this.started) this.start(out, undefined, undefined);
    const error = toGatewayError(err);
    return out.join('') + this.event('response.failed', { response: this.response('failed', null, { code: error.code, message: error.message }) });
  }

  private start(out: string[], canonicalId: string | undefined, model: string | undefined): void {
    this.started = true;
    this.suffix = idSuffixOf(canonicalId);
    if (model) this.model = model;
    const response = this.response('in_progress', null, null);
    out.push(this.event('response.created', { response }));
    out.push(this.event('response.in_progress', { response }));
  }

  private text(text: string, refusal: boolean, out: string[]): void {
    let message = this.open?.kind === 'message' && this.open.refusal === refusal ? this.open : undefined;
    if (message === undefined) {
      this.close(out);
      message = { kind: 'message', outputIndex: this.nextOutput++, id: `msg_${this.suffix}`, text: '', refusal };
      this.open = message;
      out.push(this.event('response.output_item.added', { output_index: message.outputIndex, item: messageItem(message.id, '', refusal, 'in_progress') }));
      out.push(this.event('response.content_part.added', { item_id: message.id, output_index: message.outputIndex, content_index: 0, part: refusal ? { type: 'refusal', refusal: '' } : { type: 'output_text', text: '', annotations: [] } }));
    }
    message.text += text;
    const where = { item_id: message.id, output_index: message.outputIndex, content_index: 0 };
    out.push(refusal ? this.event('response.refusal.delta', { ...where, delta: text }) : this.event('response.output_text.delta', { ...where, delta: text, logprobs: [] }));
  }

  /** A piece of reasoning text: the reasoning item's one text part, added with the first piece, grows with it. */
  private reasoning(piece: unknown, out: string[]): void {
    if (typeof piece !== 'string' || piece === '') return;
    const item = this.openReasoning(out);
    const where = { item_id: item.id, output_index: item.outputIndex, [this.place.index]: 0 };
    if (item.text === '') out.push(this.event(this.place.events.partAdded, { ...where, part: this.place.part('') }));
    item.text += piece;
    out.push(this.event(this.place.events.delta, { ...where, delta: piece }));
  }

  /** Signed blocks, once their provider closed them: they go into the reasoning item's encrypted_content. */
  private thinkingBlocks(delta: Record<string, unknown>, out: string[]): void {
    const blocks = answerThinkingBlocks(delta);
    if (blocks.length > 0) this.openReasoning(out).blocks.push(...blocks);
  }

  /** The reasoning item in progress, opened (and the item before it completed) when there is none. */
  private openReasoning(out: string[]): OpenReasoning {
    if (this.open?.kind === 'reasoning') return this.open;
    this.close(out);
    const count = this.reasonings++;
    const id = count === 0 ? `rs_${this.suffix}` : `rs_${this.suffix}_${count}`;
    const item: OpenReasoning = { kind: 'reasoning', outputIndex: this.nextOutput++, id, text: '', blocks: [] };
    this.open = item;
    out.push(this.event('response.output_item.added', { output_index: item.outputIndex, item: reasoningItem(id, '', [], this.place, 'in_progress') }));
    return item;
  }

  /** Completes the item in progress, if any. */
  private close(out: string[]): void {
    const item = this.open;
    if (item === undefined) return;
    this.open = undefined;
    let done: JsonObject;
    if (item.kind === 'message') {
      const where = { item_id: item.id, output_index: item.outputIndex, content_index: 0 };
      done = messageItem(item.id, item.text, item.refusal, 'completed');
      out.push(item.refusal ? this.event('response.refusal.done', { ...where, refusal: item.text }) : this.event('response.output_text.done', { ...where, text: item.text, logprobs: [] }));
      out.push(this.event('response.content_part.done', { ...where, part: (done.content as JsonObject[])[0] as JsonObject }));
    } else if (item.kind === 'reasoning') {
      done = reasoningItem(item.id, item.text, item.blocks, this.place, 'completed');
      if (item.text !== '') {
        const where = { item_id: item.id, output_index: item.outputIndex, [this.place.index]: 0 };
        out.push(this.event(this.place.events.textDone, { ...where, text: item.text }));
        out.push(this.event(this.place.events.partDone, { ...where, part: this.place.part(item.text) }));
      }
    } else {
      done = functionCallItem(item.id, item.callId, item.name, item.args, 'completed');
      out.push(this.event('response.function_call_arguments.done', { item_id: item.id, output_index: item.outputIndex, arguments: item.args }));
    }
    this.output[item.outputIndex] = done;
    out.push(this.event('response.output_item.done', { output_index: item.outputIndex, item: done }));
  }

  private response(status: 'in_progress' | 'completed' | 'incomplete' | 'failed', incompleteDetails: JsonObject | null, error: JsonObject | null): JsonObject {
    const output = this.output.filter((item) => item !== undefined);
    return responseObject({ id: `resp_${this.suffix}`, createdAt: this.createdAt, model: this.model, status, output, usage: responsesUsage(this.usage), incompleteDetails, error }, this.request);
  }

  /** One SSE frame, named as the Responses API names its events. */
  private event(type: string, payload: JsonObject): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...payload })}\n\n`;
  }
}
