/**
 * Reading a stream's token chunks without parsing each one.
 *
 * In an OpenAI stream, nearly every chunk is the one before with another token in it: the same id,
 * model, fingerprint and brackets around a different `content` (or tool-call `arguments`) string,
 * and in OpenAI's own streams a different random `obfuscation` string at the end. Parsing each
 * chunk only to learn that it carries content was the largest cost of our code in a pass-through
 * stream (bench:profile: JSON.parse, 6% of a stream's CPU, and a twentieth of what it allocates).
 *
 * So a parsed chunk that carries a token and nothing else to read (no finish reason, no usage, no
 * error) becomes a frame: its text with the token's string (and a trailing string, the padding)
 * taken out. A later chunk that is the frame with a well-formed, non-empty JSON string body in
 * each gap is the same JSON with other strings in those places, so it reads as that chunk read:
 * content, no finish, no usage. Anything else (another shape, a malformed string, an escape that
 * JSON does not allow) is parsed as before.
 */

/** A token chunk's text around its varying strings. */
export interface ContentFrame {
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

type JsonRecord = Record<string, unknown>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The frame of `text`, a chunk already parsed as `payload` and read as carrying content with no
 * finish reason and no usage; undefined when its token cannot be placed in the text for certain
 * (more than one choice, the token's key twice, a token that is not where its key is).
 */
export function frameContentChunk(text: string, payload: JsonRecord): ContentFrame | undefined {
  const token = tokenOf(payload);
  if (token === undefined) return undefined;
  const marker = `"${token.key}":"`;
  const at = text.indexOf(marker);
  if (at < 0 || at !== text.lastIndexOf(marker)) return undefined;
  const start = at + marker.length;
  const close = stringEnd(text, start);
  // The key's string in the text must be the token we read: the key could also be part of an
  // escaped key elsewhere, or be another field's.
  if (close <= start || JSON.parse(text.slice(start - 1, close + 1)) !== token.value) return undefined;
  const head = text.slice(0, start);
  const padding = trailingString(text, payload);
  if (padding === undefined || padding <= close) return { head, middle: text.slice(close), end: '' };
  return { head, middle: text.slice(close, padding + 1), end: text.slice(text.length - 2) };
}

/** Whether `text` is `frame` with a non-empty, well-formed JSON string body in each gap. */
export function fitsContentFrame(frame: ContentFrame, text: string): boolean {
  const { head, middle, end } = frame;
  const length = text.length;
  if (length <= head.length + middle.length + end.length || text.slice(0, head.length) !== head) return false;
  const close = stringEnd(text, head.length);
  if (close <= head.length) return false;
  if (end === '') return length - close === middle.length && text.slice(close) === middle;
  const padding = close + middle.length;
  return text.slice(close, padding) === middle && stringEnd(text, padding) === length - end.length && text.slice(length - end.length) === end;
}

/** The token a chunk carries: its one choice's non-empty `content`, or its one tool call's non-empty `arguments`. */
function tokenOf(payload: JsonRecord): { key: string; value: string } | undefined {
  const { choices } = payload;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const delta = isRecord(choices[0]) ? choices[0].delta : undefined;
  if (!isRecord(delta)) return undefined;
  if (typeof delta.content === 'string' && delta.content !== '') return { key: 'content', value: delta.content };
  const calls = delta.tool_calls;
  if (!Array.isArray(calls) || calls.length !== 1 || !isRecord(calls[0])) return undefined;
  const call = calls[0].function;
  const args = isRecord(call) ? call.arguments : undefined;
  return typeof args === 'string' && args !== '' ? { key: 'arguments', value: args } : undefined;
}

/**
 * Where the opening quote of the chunk's last value is, when that value is a string written as
 * `JSON.stringify` writes it, just before the closing brace (OpenAI's `obfuscation`); else undefined.
 */
function trailingString(text: string, payload: JsonRecord): number | undefined {
  let last: unknown;
  for (const key in payload) last = payload[key];
  if (typeof last !== 'string') return undefined;
  const quoted = JSON.stringify(last);
  const open = text.length - 1 - quoted.length;
  return text.endsWith(`:${quoted}}`) && stringEnd(text, open + 1) === text.length - 2 ? open : undefined;
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

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
