/**
 * Token counts the way a tokenizer-less mock can: about four characters a token. Good enough for
 * usage accounting, budgets and context-overflow drills, which need plausible numbers, not exact ones.
 */

export const CHARS_PER_TOKEN = 4;

/** At least 1, so an empty message still costs something, as it does upstream. */
export function estimateTokens(text: string): number {
  return tokensForChars(text.length);
}

/** The prompt tokens of a chat request: all message text counted together. */
export function countPromptTokens(messages: readonly { content?: unknown }[]): number {
  let chars = 0;
  for (const message of messages) chars += messageText(message.content).length;
  return tokensForChars(chars);
}

/** The text of a message's `content`: a string, or the `text` of its content parts. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string') {
      text += text === '' ? part.text : ` ${part.text}`;
    }
  }
  return text;
}

export function tokensForChars(chars: number): number {
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}
