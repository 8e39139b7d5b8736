/**
 * Reading a stream's token events without parsing each one.
 *
 * In a provider's stream nearly every event is the one before with another token in it: in
 * OpenAI's, the same id, model, fingerprint and brackets around a different `content` (or tool-call
 * `arguments`) string, and in OpenAI's own streams a different random `obfuscation` string at the
 * end; in Anthropic's, the same `content_block_delta` around a different `text`. Parsing each event
 * only to find that token was the largest cost of our code in a stream (bench:profile: JSON.parse,
 * 6% of a pass-through stream's CPU).
 *
 * So a parsed event whose token is known becomes a frame: its text with the token's string (and a
 * trailing string, the padding) taken out. A later event that is the frame with a well-formed,
 * non-empty JSON string body in each gap is the same JSON with other strings in those places: it
 * reads as the framed event read, with another token. Anything else (another shape, a malformed
 * string, an escape that JSON does not allow) is parsed as before. A stream's reader says which
 * events may be framed (frame-content-chunk.ts for OpenAI's).
 */

/** A token event's text around its varying strings. */
export interface TokenFrame {
  /** Up to and including the opening quote of the token's string. */
  readonly head: string;
  /**
   * From the token string's closing quote: to the end of the text, or, with a trailing string,
   * up to and including that string's opening quote.
   */
  readonly middle: string;
  /** From the trailing string's closing quote to the end (`"}`); empty when the frame has none. */
  readonly end: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The frame of `text`, an event already parsed, whose string under `key` is `token` (non-empty);
 * `trailing`, the event's last top-level value when that is a string that varies (see
 * {@link lastStringValue}). Undefined when the token cannot be placed in the text for certain (the
 * key twice, or its string not the token).
 */
export function frameToken(text: string, key: string, token: string, trailing: string | undefined): TokenFrame | undefined {
  const marker = `"${key}":"`;
  const at = text.indexOf(marker);
  if (at < 0 || at !== text.lastIndexOf(marker)) return undefined;
  const start = at + marker.length;
  const close = stringEnd(text, start);
  // The key's string in the text must be the token: the key could also end an escaped key elsewhere.
  if (close <= start || JSON.parse(text.slice(start - 1, close + 1)) !== token) return undefined;
  const head = text.slice(0, start);
  const padding = trailing === undefined ? undefined : trailingStringAt(text, trailing);
  if (padding === undefined || padding <= close) return { head, middle: text.slice(close), end: '' };
  return { head, middle: text.slice(close, padding + 1), end: text.slice(text.length - 2) };
}

/**
 * Where the token of `text` ends (its string's closing quote) when `text` is `frame` with a
 * non-empty, well-formed JSON string body in each gap; else -1. The token's JSON body is then
 * `text.slice(frame.head.length, end)`.
 */
export function fitToken(frame: TokenFrame, text: string): number {
  const { head, middle, end } = frame;
  const length = text.length;
  if (length <= head.length + middle.length + end.length || text.slice(0, head.length) !== head) return -1;
  const close = stringEnd(text, head.length);
  if (close <= head.length) return -1;
  if (end === '') return length - close === middle.length && text.slice(close) === middle ? close : -1;
  const padding = close + middle.length;
  return text.slice(close, padding) === middle && stringEnd(text, padding) === length - end.length && text.slice(length - end.length) === end ? close : -1;
}

/** An object's last value, when it is a string (OpenAI's `obfuscation` padding, if the object is a chunk). */
export function lastStringValue(object: Record<string, unknown>): string | undefined {
  let last: unknown;
  for (const key in object) last = object[key];
  return typeof last === 'string' ? last : undefined;
}

/**
 * Where the opening quote of `text`'s last value is, when that value is `value` written as
 * `JSON.stringify` writes it, just before the closing brace; else undefined. (A string
 * `JSON.stringify` wrote has no unescaped quote inside: it ends where the text's last quote is.)
 */
function trailingStringAt(text: string, value: string): number | undefined {
  const quoted = JSON.stringify(value);
  return text.endsWith(`:${quoted}}`) ? text.length - 1 - quoted.length : undefined;
}

/**
 * The index of the quote that closes a JSON string whose body starts at `from`, or -1 when the
 * body is not well-formed JSON (a control character, an escape JSON does not have, no end).
 */
export function stringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) continue;
    const escaped = text.charCodeAt(++i);
    if (escaped === 0x75) {
      // \uXXXX
      if (!isHex(text.charCodeAt(i + 1)) || !isHex(text.charCodeAt(i + 2)) || !isHex(text.charCodeAt(i + 3)) || !isHex(text.charCodeAt(i + 4))) return -1;
      i += 4;
    } else if (!isSimpleEscape(escaped)) {
      return -1;
    }
  }
  return -1;
}

/** `"`, `\`, `/`, `b`, `f`, `n`, `r`, `t`: the escapes JSON has besides `\u`. */
function isSimpleEscape(c: number): boolean {
  return c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
