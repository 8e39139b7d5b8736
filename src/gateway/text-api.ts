/**
 * The two APIs a text request can come in by: Chat Completions, and the legacy Completions (a
 * prompt, answered as `text_completion`). serve-chat.ts walks a route's chain alike for both; what
 * differs is here: how the body is checked, how it reads as chat (to count its tokens, for a
 * manual step's rules), which provider call answers it, and the shape of a manual answer.
 */
import { StepCannotServe } from '../fallback/step-skipped.js';
import { manualChunkTexts, manualCompletionText, manualTextCompletionChunks, manualTextCompletionText } from '../manual/manual-completion.js';
import { chatBodyOf, completionOfChat, completionStreamOfChat, legacyMaxTokens, promptsOf, untranslatable } from '../providers/canonical/completion-via-chat.js';
import type { ChatBody, ChatResult, ChatStream, CompletionBody, JsonObject, Provider, ProviderCall } from '../providers/types.js';
import type { RequestEvent } from '../telemetry/request-event.js';
import { validateChatBody, validateCompletionBody } from './validate-request.js';

export type TextCall<B> = ProviderCall & { body: B };

export interface TextApi<B extends JsonObject> {
  readonly operation: Extract<RequestEvent['operation'], 'chat' | 'text_completion'>;
  validate(raw: unknown): B;
  /** The parameter that holds the prompt, which a context overflow blames. */
  readonly promptParam: 'messages' | 'prompt';
  /** The request as a chat request: the same body for chat. */
  asChat(body: B): ChatBody;
  complete(provider: Provider, call: TextCall<B>): Promise<ChatResult>;
  openStream(provider: Provider, call: TextCall<B>): Promise<ChatStream>;
  manualAnswer(handler: string, content: string): string;
  manualChunks(handler: string, content: string): string[];
}

export const CHAT_API: TextApi<ChatBody> = {
  operation: 'chat',
  validate: validateChatBody,
  promptParam: 'messages',
  asChat: (body) => body,
  complete: (provider, call) => provider.chat(call),
  openStream: (provider, call) => provider.chatStream(call),
  manualAnswer: manualCompletionText,
  manualChunks: manualChunkTexts,
};

/**
 * Legacy completions: passed through to a provider that has the endpoint (OpenAI's wire format),
 * translated through chat for one that has not (completion-via-chat.ts). A request chat cannot
 * carry passes such a provider over (StepCannotServe), before any call.
 */
export const COMPLETIONS_API: TextApi<CompletionBody> = {
  operation: 'text_completion',
  validate: validateCompletionBody,
  promptParam: 'prompt',
  // One user message per prompt: a string, or one prompt's token ids (counted about one token each).
  asChat: (body) => ({
    model: body.model,
    messages: promptsOf(body.prompt).map((content) => ({ role: 'user', content })),
    max_tokens: legacyMaxTokens(body),
  }),
  complete: (provider, call) =>
    provider.completion ? provider.completion(call) : provider.chat({ ...call, body: chatRequestFor(provider, call.body) }).then((result) => completionOfChat(result, call.body)),
  openStream: (provider, call) =>
    provider.completionStream
      ? provider.completionStream(call)
      : provider.chatStream({ ...call, body: chatRequestFor(provider, call.body) }).then((stream) => completionStreamOfChat(stream, call.body)),
  manualAnswer: manualTextCompletionText,
  manualChunks: manualTextCompletionChunks,
};

/** `body` asked as chat of a provider without legacy completions; throws StepCannotServe when chat cannot carry it. */
function chatRequestFor(provider: Provider, body: CompletionBody): ChatBody {
  const why = untranslatable(body);
  if (why) throw new StepCannotServe(`${provider.name} (${provider.type}) has no legacy completions endpoint, and ${why.reason}`, why.param);
  return chatBodyOf(body);
}
