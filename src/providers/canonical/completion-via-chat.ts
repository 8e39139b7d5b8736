/**
 * A legacy text completion (`/v1/completions`) served by a provider that has only chat: the prompt
 * becomes one user message, and the chat answer (canonical, OpenAI's shape) becomes a
 * `text_completion`, whole or chunk by chunk. A request whose meaning chat cannot carry (a fill-in
 * `suffix`, token ids, several prompts, `logprobs`, `best_of`) is not translated: `untranslatable`
 * says why, and the caller passes such a provider over.
 */
import { isJsonObject } from '../read-payload.js';
import type { ChatBody, ChatResult, ChatStream, CompletionBody, JsonObject, StreamChunk } from '../types.js';

/** OpenAI's default `max_tokens` for a legacy completion, kept when the request goes out as chat. */
export const LEGACY_DEFAULT_MAX_TOKENS = 16;

/** Parameters with the same name and meaning in both APIs. */
const SHARED = ['temperature', 'top_p', 'n', 'stop', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'seed', 'user', 'stream', 'stream_options'] as const;

/** The prompts of a legacy completion: a string, strings, one list of token ids, or lists of them. */
export function promptsOf(prompt: CompletionBody['prompt']): unknown[] {
  if (typeof prompt === 'string') return [prompt];
  return prompt.every((item) => typeof item === 'number') ? [prompt] : prompt;
}

/** The `max_tokens` a legacy completion asks for: OpenAI's default of 16 when it sets none. */
export function legacyMaxTokens(body: CompletionBody): number {
  return typeof body.max_tokens === 'number' ? body.max_tokens : LEGACY_DEFAULT_MAX_TOKENS;
}

/** Why `body` cannot be asked as chat (a sentence and the parameter at fault), or undefined when it can. */
export function untranslatable(body: CompletionBody): { reason: string; param: string } | undefined {
  if (textPrompt(body.prompt) === undefined) return { reason: 'chat takes one text prompt, not token ids or several prompts', param: 'prompt' };
  if (typeof body.suffix === 'string' && body.suffix !== '') return { reason: 'chat has no fill-in-the-middle `suffix`', param: 'suffix' };
  if (body.logprobs !== undefined && body.logprobs !== null) return { reason: 'the chat translation does not carry `logprobs`', param: 'logprobs' };
  if (typeof body.best_of === 'number' && body.best_of > 1) return { reason: 'chat has no `best_of`', param: 'best_of' };
  return undefined;
}

/** The chat request that asks what `body` asks. Call only when `untranslatable(body)` is undefined. */
export function chatBodyOf(body: CompletionBody): ChatBody {
  const chat: ChatBody = { model: body.model, messages: [{ role: 'user', content: textPrompt(body.prompt) }] };
  for (const key of SHARED) if (body[key] !== undefined) (chat as JsonObject)[key] = body[key];
  chat.max_tokens = legacyMaxTokens(body);
  return chat;
}

/** A chat completion as the `text_completion` the request asked for (with the prompt first when it asked for `echo`). */
export function completionOfChat(result: ChatResult, body: CompletionBody): ChatResult {
  const chat = JSON.parse(result.text) as JsonObject;
  const echo = echoOf(body);
  const choices = Array.isArray(chat.choices) ? chat.choices.filter(isJsonObject) : [];
  const text = JSON.stringify({
    id: chat.id,
    object: 'text_completion',
    created: chat.created,
    model: chat.model,
    choices: choices.map((choice, at) => ({
      text: echo + messageContent(choice.message),
      index: typeof choice.index === 'number' ? choice.index : at,
      logprobs: null,
      finish_reason: choice.finish_reason ?? null,
    })),
    ...(chat.usage !== undefined ? { usage: chat.usage } : {}),
  });
  return { ...result, text, bytes: undefined };
}

/** A chat stream's chunks as `text_completion` chunks; role-only chunks, which that API has none of, are left out. */
export function completionStreamOfChat(stream: ChatStream, body: CompletionBody): ChatStream {
  const echoed = new Set<number>();
  const echo = echoOf(body);
  const source = stream.chunks;
  const chunks: AsyncIterator<StreamChunk, void> = {
    async next() {
      for (;;) {
        const next = await source.next();
        if (next.done) return next;
        const chunk = next.value;
        if (!chunk.hasContent && !chunk.finishReason && !chunk.usage) continue;
        return { done: false, value: { ...chunk, data: completionChunkOf(JSON.parse(chunk.data) as JsonObject, echo, echoed) } };
      }
    },
  };
  return { chunks, cancel: () => stream.cancel() };
}

function completionChunkOf(chat: JsonObject, echo: string, echoed: Set<number>): string {
  const choices = Array.isArray(chat.choices) ? chat.choices.filter(isJsonObject) : [];
  return JSON.stringify({
    id: chat.id,
    object: 'text_completion',
    created: chat.created,
    model: chat.model,
    choices: choices.map((choice, at) => {
      const index = typeof choice.index === 'number' ? choice.index : at;
      const delta = isJsonObject(choice.delta) ? choice.delta : {};
      let text = typeof delta.content === 'string' ? delta.content : '';
      // The prompt goes out with a choice's first text (or its finish, when it has none), so the stream still starts at the upstream's first content.
      if (echo !== '' && (text !== '' || choice.finish_reason) && !echoed.has(index)) {
        echoed.add(index);
        text = echo + text;
      }
      return { text, index, logprobs: null, finish_reason: choice.finish_reason ?? null };
    }),
    ...(chat.usage !== undefined ? { usage: chat.usage } : {}),
  });
}

/** The request's one text prompt; undefined when it has token ids or several prompts. */
function textPrompt(prompt: CompletionBody['prompt']): string | undefined {
  const prompts = promptsOf(prompt);
  return prompts.length === 1 && typeof prompts[0] === 'string' ? prompts[0] : undefined;
}

/** What goes before the answer's text: the prompt when the request asks for `echo`. */
function echoOf(body: CompletionBody): string {
  return body.echo === true ? (textPrompt(body.prompt) ?? '') : '';
}

function messageContent(message: unknown): string {
  return isJsonObject(message) && typeof message.content === 'string' ? message.content : '';
}
