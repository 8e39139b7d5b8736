/**
 * Before a target is measured, one real client (the `openai` package) checks it answers a
 * chat completion and a stream the way an OpenAI client expects, so the bench never times a path
 * that returns errors or garbage quickly.
 */
import OpenAI from 'openai';

export interface Validation {
  content: string;
  streamChunks: number;
}

export async function validateTarget(origin: string, expectedChunks: number): Promise<Validation> {
  const client = new OpenAI({ baseURL: `${origin}/v1`, apiKey: 'sk-bench', maxRetries: 0, timeout: 5_000 });
  const messages = [{ role: 'user' as const, content: 'Say hello' }];
  const completion = await client.chat.completions.create({ model: 'chat', messages, max_tokens: 64 });
  const content = completion.choices[0]?.message.content ?? '';
  if (completion.object !== 'chat.completion' || !content) {
    throw new Error(`non-streaming answer is not a chat.completion with content: ${JSON.stringify(completion).slice(0, 300)}`);
  }
  const stream = await client.chat.completions.create({ model: 'chat', messages, max_tokens: 64, stream: true });
  let chunks = 0;
  let text = '';
  let finished = false;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.choices[0]?.finish_reason) finished = true;
  }
  // A gateway may add a usage chunk; it must not drop or merge the upstream's events.
  if (chunks < expectedChunks || !text || !finished) {
    throw new Error(`stream gave ${chunks} chunks (expected ≥ ${expectedChunks}), text ${JSON.stringify(text)}, finish_reason ${finished ? 'seen' : 'missing'}`);
  }
  return { content, streamChunks: chunks };
}
