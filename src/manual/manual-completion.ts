/** A manual answer in the shapes a client expects: a chat.completion or a legacy text_completion, or the chunks of one. */
import { randomBytes } from 'node:crypto';

export function manualCompletionText(handler: string, content: string): string {
  return JSON.stringify({
    id: `chatcmpl-manual-${randomBytes(9).toString('base64url')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: `switchyard-manual/${handler}`,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}

/** The same answer as stream chunks (role, content, finish), as an upstream would send them. */
export function manualChunkTexts(handler: string, content: string): string[] {
  const base = { id: `chatcmpl-manual-${randomBytes(9).toString('base64url')}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: `switchyard-manual/${handler}` };
  const chunk = (delta: object, finish: string | null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  return [chunk({ role: 'assistant', content: '' }, null), chunk({ content }, null), chunk({}, 'stop')];
}

/** A manual answer to a legacy completion request, as a text_completion. */
export function manualTextCompletionText(handler: string, content: string): string {
  return JSON.stringify({
    id: `cmpl-manual-${randomBytes(9).toString('base64url')}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: `switchyard-manual/${handler}`,
    choices: [{ text: content, index: 0, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
}

/** The same as text_completion chunks (the text, then the finish). */
export function manualTextCompletionChunks(handler: string, content: string): string[] {
  const base = { id: `cmpl-manual-${randomBytes(9).toString('base64url')}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: `switchyard-manual/${handler}` };
  const chunk = (text: string, finish: string | null) => JSON.stringify({ ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] });
  return [chunk(content, null), chunk('', 'stop')];
}
