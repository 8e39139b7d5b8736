/**
 * Thinking blocks while a translated stream carries them, by the provider's block index: each
 * piece of text goes on as `reasoning_content` as it arrives, the signature (or the redacted bytes)
 * is gathered, and the block goes on whole, as a `thinking_blocks` entry, when the provider closes
 * it. A later block's first piece is set apart from the reasoning before it by THINKING_SEPARATOR,
 * as in a whole answer's `reasoning_content`. Anthropic's stream and Bedrock's share it.
 */
import type { StreamChunk } from '../types.js';
import type { ChunkBuilder } from './canonical-answer.js';
import { THINKING_SEPARATOR, thinkingBlockOf } from './reasoning.js';

interface OpenBlock {
  text: string;
  signature: string | undefined;
  /** Redacted reasoning (base64), a piece per delta. */
  redacted: string[];
}

export class StreamedThinking {
  private readonly blocks = new Map<number, OpenBlock>();
  /** Some reasoning text was passed on: a later block's is set apart from it. */
  private reasoned = false;

  /** Whether a block is open (a stop event needs reading only then). */
  get open(): boolean {
    return this.blocks.size > 0;
  }

  has(index: number): boolean {
    return this.blocks.has(index);
  }

  /** A piece of block `index`'s text, as `reasoning_content`; the block opens with its first event. */
  text(builder: ChunkBuilder, index: number, piece: string): StreamChunk[] {
    const block = this.block(index);
    if (piece === '') return [];
    const text = this.reasoned && block.text === '' ? `${THINKING_SEPARATOR}${piece}` : piece;
    block.text += piece;
    this.reasoned = true;
    return builder.reasoning(text);
  }

  /** A piece of block `index`'s signature. */
  sign(index: number, piece: string): void {
    const block = this.block(index);
    block.signature = (block.signature ?? '') + piece;
  }

  /** A piece of block `index`'s redacted reasoning (base64). */
  redact(index: number, piece: string): void {
    this.block(index).redacted.push(piece);
  }

  /** Block `index` closed: the whole block, signed or redacted; undefined when no such block is open. */
  stop(builder: ChunkBuilder, index: number): StreamChunk[] | undefined {
    const block = this.blocks.get(index);
    if (!block) return undefined;
    this.blocks.delete(index);
    if (block.redacted.length > 0) return builder.thinkingBlock({ type: 'redacted_thinking', data: joinBase64(block.redacted) });
    return builder.thinkingBlock(thinkingBlockOf(block.text, block.signature));
  }

  private block(index: number): OpenBlock {
    let block = this.blocks.get(index);
    if (!block) this.blocks.set(index, (block = { text: '', signature: undefined, redacted: [] }));
    return block;
  }
}

/** Redacted bytes that came in several pieces: each is base64 of its own bytes, so they join as bytes. */
function joinBase64(pieces: string[]): string {
  if (pieces.length === 1) return pieces[0] as string;
  return Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'base64'))).toString('base64');
}
