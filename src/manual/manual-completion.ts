/** A manual answer in the shapes a client expects: a chat.completion or a legacy text_completion, or the chunks of one. */
import { randomBytes } from 'node:crypto';

const NO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/** What every object of one manual answer shares: a new id of `prefix`, its `object`, the time, and the handler as the model. */
function headOf(prefix: string, object: string, handler: string) {
  return { id: `${prefix}-manual-${randomBytes(9).toString('base64url')}`, object, created: Math.floor(Date.now() / 1000), model: `switchyard-manual/${handler}` };
}

export function manualCompletionText(handler: string, content: string): string {
  return JSON.stringify({
    ...headOf('chatcmpl', 'chat.completion', handler),
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: NO_USAGE,
  });
}

/** The same answer as stream chunks (role, content, finish), as an upstream would send them. */
export function manualChunkTexts(handler: string, content: string): string[] {
  const head = headOf('chatcmpl', 'chat.completion.chunk', handler);
  const chunk = (delta: object, finish: string | null) => JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  return [chunk({ role: 'assistant', content: '' }, null), chunk({ content }, null), chunk({}, 'stop')];
}

/** A manual answer to a legacy completion request, as a text_completion. */
export function manualTextCompletionText(handler: string, content: string): string {
  return JSON.stringify({ ...headOf('cmpl', 'text_completion', handler), choices: [{ text: content, index: 0, logprobs: null, finish_reason: 'stop' }], usage: NO_USAGE });
}

/** The same as text_completion chunks (the text, then the finish). */
export function manualTextCompletionChunks(handler: string, content: string): string[] {
  const head = headOf('cmpl', 'text_completion', handler);
  const chunk = (text: string, finish: string | null) => JSON.stringify({ ...head, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] });
  return [chunk(content, null), chunk('', 'stop')];
}
