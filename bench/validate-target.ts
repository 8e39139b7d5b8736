/**
 * Before a target is measured, one real client (the `openai` package) checks it answers a
 * chat completion and a stream the way an OpenAI client expects, so the bench never times a path
 * that returns errors or garbage quickly. The upstream's Anthropic side (for the translated route)
 * is checked the same way with the `@anthropic-ai/sdk` client.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { AnswerFrom } from './targets.js';
import { ANTHROPIC_MODEL } from './upstream.js';

export interface Validation {
  content: string;
  streamChunks: number;
}

export interface ValidateOptions {
  /** The fewest stream chunks the target may give: the upstream's count (a gateway may add a usage chunk). */
  expectedChunks: number;
  /** The upstream answer's id and model, which both answers must carry when that proves the route (the translated one). */
  answerFrom?: AnswerFrom;
}

export async function validateTarget(origin: string, options: ValidateOptions): Promise<Validation> {
  const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'sk-bench', maxRetries: 0, timeout: 5_000 });
  const messages = [{ role: 'user' as const, content: 'Say hello' }];
  const completion = await client.chat.completions.create({ model: 'chat', messages, max_tokens: 64 });
  const content = completion.choices[0]?.message.content ?? '';
  if (completion.object !== 'chat.completion' || !content) {
    throw new Error(`non-streaming answer is not a chat.completion with content: ${JSON.stringify(completion).slice(0, 300)}`);
  }
  const expected = options.answerFrom;
  if (expected !== undefined) {
    // The upstream's answers all end with end_turn / stop and carry usage: a translation must keep both.
    const finish = completion.choices[0]?.finish_reason;
    if (completion.id !== expected.id || completion.model !== expected.model || finish !== 'stop' || !completion.usage?.total_tokens) {
      throw new Error(
        `non-streaming answer has id ${completion.id}, model ${completion.model} (expected ${expected.id}, ${expected.model}), ` +
          `finish_reason ${finish} (expected stop), usage ${JSON.stringify(completion.usage)}`,
      );
    }
  }
  const stream = await client.chat.completions.create({ model: 'chat', messages, max_tokens: 64, stream: true });
  let chunks = 0;
  let text = '';
  let finished = false;
  const origins = new Set<string>();
  for await (const chunk of stream) {
    chunks++;
    origins.add(`${chunk.id} ${chunk.model}`);
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.choices[0]?.finish_reason) finished = true;
  }
  // A gateway may add a usage chunk; it must not drop or merge the upstream's events.
  if (chunks < options.expectedChunks || !text || !finished) {
    throw new Error(`stream gave ${chunks} chunks (expected ≥ ${options.expectedChunks}), text ${JSON.stringify(text)}, finish_reason ${finished ? 'seen' : 'missing'}`);
  }
  if (expected !== undefined && (origins.size !== 1 || !origins.has(`${expected.id} ${expected.model}`))) {
    throw new Error(`stream chunks carry the ids and models ${[...origins].join(', ')} (expected only ${expected.id} ${expected.model})`);
  }
  return { content, streamChunks: chunks };
}

/**
 * Checks the upstream's Anthropic side with Anthropic's own client: a message with text that ended
 * on end_turn, and a stream the SDK's accumulator reads into the same (it rejects events out of order).
 */
export async function validateAnthropicUpstream(origin: string, expectedDeltas: number): Promise<string> {
  const client = new Anthropic({ baseURL: origin, apiKey: 'sk-bench', maxRetries: 0, timeout: 5_000 });
  const params = { model: ANTHROPIC_MODEL, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Say hello' }] };
  const message = await client.messages.create(params);
  const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  if (!text || message.stop_reason !== 'end_turn') {
    throw new Error(`upstream /v1/messages answered no text or no end_turn: ${JSON.stringify(message).slice(0, 300)}`);
  }
  let deltas = 0;
  const stream = client.messages.stream(params);
  stream.on('text', () => deltas++);
  const streamed = await stream.finalMessage();
  const streamedText = streamed.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  if (deltas < expectedDeltas || !streamedText || streamed.stop_reason !== 'end_turn' || !streamed.usage.output_tokens) {
    throw new Error(`upstream /v1/messages stream gave ${deltas} text deltas (expected ≥ ${expectedDeltas}), stop_reason ${streamed.stop_reason}, usage ${JSON.stringify(streamed.usage)}`);
  }
  return `ok: "${text.slice(0, 40)}…", ${deltas} text deltas`;
}
