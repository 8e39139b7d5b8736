/**
 * A fake OpenAI and Anthropic upstream that must never be the bottleneck: a raw `node:net` server
 * with a minimal HTTP/1.1 keep-alive parser and prebuilt responses. `POST .../chat/completions`
 * answers a canned ~650-byte `chat.completion`; a body with `"stream": true` gets a chunked
 * `text/event-stream` of `chat.completion.chunk` events spaced by a fixed delay, then `data: [DONE]`.
 * `POST .../messages` (Anthropic's Messages API, for the gateway's translated route) answers a canned
 * `message`, or streams Anthropic's event sequence in as many writes, at the same gaps, as the OpenAI
 * stream, so the two routes see the same timing.
 */
import net from 'node:net';

/** Default number of `chat.completion.chunk` events in one streamed answer (before `[DONE]`). */
export const DEFAULT_STREAM_CHUNKS = 20;
/** Default delay between two streamed events, in ms; 0 writes the whole stream at once. */
export const DEFAULT_CHUNK_DELAY_MS = 1;
/** Largest request head or body accepted; the bench sends ~120 bytes. */
const MAX_REQUEST_BYTES = 1 << 20;

export interface UpstreamOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Default {@link DEFAULT_STREAM_CHUNKS}. */
  streamChunks?: number;
  /** Default {@link DEFAULT_CHUNK_DELAY_MS}. */
  chunkDelayMs?: number;
}

export interface Upstream {
  port: number;
  url: string;
  /** Requests answered so far (both kinds). */
  stats(): { requests: number; streams: number };
  close(): Promise<void>;
}

const CREATED = 1741569952;
const MODEL = 'gpt-4o-mini-2024-07-18';
const FINGERPRINT = 'fp_06737a9306';
const ID = 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT';

const COMPLETION = JSON.stringify({
  id: ID,
  object: 'chat.completion',
  created: CREATED,
  model: MODEL,
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Hello! How can I assist you today? If you have any questions or need help with something, just let me know.',
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 25,
    total_tokens: 44,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: FINGERPRINT,
});

const WORDS = ['Hello', '!', ' How', ' can', ' I', ' assist', ' you', ' today', '?', ' If', ' you', ' have', ' any', ' questions', ',', ' just', ' ask', '.'];

function chunkJson(delta: Record<string, unknown>, finishReason: string | null, usage?: unknown): string {
  const chunk: Record<string, unknown> = {
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  if (usage) chunk.usage = usage;
  return JSON.stringify(chunk);
}

/** One HTTP/1.1 chunk frame carrying one SSE event. */
function frame(sse: string): Buffer {
  const payload = Buffer.from(sse);
  return Buffer.concat([Buffer.from(payload.length.toString(16) + '\r\n'), payload, Buffer.from('\r\n')]);
}

/** The stream's events as ready-to-write chunk frames: role, content words, finish, then `[DONE]`. */
function buildStreamFrames(count: number, withUsage: boolean): Buffer[] {
  const frames: Buffer[] = [frame(`data: ${chunkJson({ role: 'assistant', content: '', refusal: null }, null)}\n\n`)];
  for (let i = 1; i < count - 1; i++) {
    frames.push(frame(`data: ${chunkJson({ content: WORDS[(i - 1) % WORDS.length] }, null)}\n\n`));
  }
  if (count > 1) frames.push(frame(`data: ${chunkJson({}, 'stop')}\n\n`));
  if (withUsage) frames.push(frame(`data: ${chunkJson({}, null, { prompt_tokens: 19, completion_tokens: count - 2, total_tokens: 17 + count })}\n\n`));
  // [DONE] and the terminating zero-length chunk leave together with the last event.
  const last = frames.pop() as Buffer;
  frames.push(Buffer.concat([last, frame('data: [DONE]\n\n'), Buffer.from('0\r\n\r\n')]));
  return frames;
}

/** The id and model the Anthropic answers carry: a gateway answer carrying both came through the translated route. */
export const ANTHROPIC_ID = 'msg_01XFDUDYJgAACzvnptvVoYEL';
export const ANTHROPIC_MODEL = 'claude-sonnet-4-6';
const ANTHROPIC_TEXT = 'Hello! How can I assist you today? If you have any questions or need help with something, just let me know.';

const MESSAGE = JSON.stringify({
  id: ANTHROPIC_ID,
  type: 'message',
  role: 'assistant',
  model: ANTHROPIC_MODEL,
  content: [{ type: 'text', text: ANTHROPIC_TEXT }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 19,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: 25,
    service_tier: 'standard',
  },
});

/** One named SSE event as Anthropic writes it: `event:` line, then the payload (whose `type` repeats the name). */
function anthropicEvent(payload: { type: string } & Record<string, unknown>): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/**
 * Anthropic's stream as ready-to-write writes, one per OpenAI stream write: message_start with
 * content_block_start (the OpenAI stream's role-only first event), one text_delta per content word,
 * then content_block_stop, message_delta (end_turn, usage) and message_stop together (its finish).
 */
function buildAnthropicStreamFrames(count: number): Buffer[] {
  const usage = { input_tokens: 19, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const open = [
    anthropicEvent({
      type: 'message_start',
      message: {
        id: ANTHROPIC_ID,
        type: 'message',
        role: 'assistant',
        model: ANTHROPIC_MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1, service_tier: 'standard' },
      },
    }),
    anthropicEvent({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ];
  const frames: Buffer[] = [Buffer.concat(open.map(frame))];
  for (let i = 1; i < count - 1; i++) {
    frames.push(frame(anthropicEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: WORDS[(i - 1) % WORDS.length] } })));
  }
  const close = [
    anthropicEvent({ type: 'content_block_stop', index: 0 }),
    anthropicEvent({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { ...usage, output_tokens: count - 2 } }),
    anthropicEvent({ type: 'message_stop' }),
  ];
  // The terminating zero-length chunk leaves together with message_stop.
  frames.push(Buffer.concat([...close.map(frame), Buffer.from('0\r\n\r\n')]));
  return frames;
}

const COMPLETION_RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_bench\r\nopenai-processing-ms: 1\r\n' +
    `Connection: keep-alive\r\nContent-Length: ${Buffer.byteLength(COMPLETION)}\r\n\r\n${COMPLETION}`,
);
const STREAM_HEAD = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nx-request-id: req_bench\r\n' +
    'Cache-Control: no-cache\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n',
);
const MESSAGE_RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nrequest-id: req_bench\r\n' +
    `Connection: keep-alive\r\nContent-Length: ${Buffer.byteLength(MESSAGE)}\r\n\r\n${MESSAGE}`,
);
const ANTHROPIC_STREAM_HEAD = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nrequest-id: req_bench\r\n' +
    'Cache-Control: no-cache\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n',
);
// What Anthropic answers a request without its headers or max_tokens: the gateway's translation must send them.
const ANTHROPIC_BAD_REQUEST_BODY = JSON.stringify({
  type: 'error',
  error: { type: 'invalid_request_error', message: 'The bench upstream wants an API key, anthropic-version and max_tokens.' },
  request_id: 'req_bench',
});
const ANTHROPIC_BAD_REQUEST_RESPONSE = Buffer.from(
  `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: ${Buffer.byteLength(ANTHROPIC_BAD_REQUEST_BODY)}\r\n\r\n${ANTHROPIC_BAD_REQUEST_BODY}`,
);
const MODELS = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'system' }] });
const MODELS_RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: ${Buffer.byteLength(MODELS)}\r\n\r\n${MODELS}`,
);
const NOT_FOUND_BODY = JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error', param: null, code: null } });
const NOT_FOUND_RESPONSE = Buffer.from(
  `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: ${Buffer.byteLength(NOT_FOUND_BODY)}\r\n\r\n${NOT_FOUND_BODY}`,
);
const BAD_REQUEST_RESPONSE = Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;
const STREAM_TRUE = /"stream"\s*:\s*true/;
const INCLUDE_USAGE = /"include_usage"\s*:\s*true/;
// Anthropic takes its key in x-api-key or, from newer clients, as a bearer token.
const ANTHROPIC_KEY = /\r\n(?:x-api-key|authorization):/i;
const ANTHROPIC_VERSION = /\r\nanthropic-version:/i;
const MAX_TOKENS = /"max_tokens"\s*:/;

interface ParsedRequest {
  method: string;
  path: string;
  /** The request line and headers, without the final empty line. */
  head: string;
  body: string;
  close: boolean;
  /** Bytes of the buffer this request used. */
  length: number;
}

/** Parses one request from the front of `buf`; undefined when more bytes are needed, null when malformed. */
function parseRequest(buf: Buffer): ParsedRequest | undefined | null {
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd < 0) return buf.length > MAX_REQUEST_BYTES ? null : undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const sp1 = head.indexOf(' ');
  const sp2 = head.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0) return null;
  const method = head.slice(0, sp1);
  const path = head.slice(sp1 + 1, sp2);
  const close = CONNECTION_CLOSE.test(head);
  const bodyStart = headEnd + 4;
  if (CHUNKED.test(head)) return parseChunkedBody(buf, bodyStart, method, path, head, close);
  const cl = CONTENT_LENGTH.exec(head);
  const length = cl ? Number(cl[1]) : 0;
  if (length > MAX_REQUEST_BYTES) return null;
  if (buf.length < bodyStart + length) return undefined;
  return { method, path, head, close, body: buf.toString('utf8', bodyStart, bodyStart + length), length: bodyStart + length };
}

function parseChunkedBody(buf: Buffer, start: number, method: string, path: string, head: string, close: boolean): ParsedRequest | undefined | null {
  const parts: string[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
    if (Number.isNaN(size) || size > MAX_REQUEST_BYTES) return null;
    if (size === 0) {
      // No trailers expected: the last chunk is followed by an empty line.
      const end = buf.indexOf('\r\n', lineEnd + 2, 'latin1');
      if (end < 0) return undefined;
      return { method, path, head, close, body: parts.join(''), length: end + 2 };
    }
    const dataStart = lineEnd + 2;
    if (buf.length < dataStart + size + 2) return undefined;
    parts.push(buf.toString('utf8', dataStart, dataStart + size));
    pos = dataStart + size + 2;
  }
}

export function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const chunkCount = Math.max(2, options.streamChunks ?? DEFAULT_STREAM_CHUNKS);
  const delayMs = options.chunkDelayMs ?? DEFAULT_CHUNK_DELAY_MS;
  const plainFrames = buildStreamFrames(chunkCount, false);
  const usageFrames = buildStreamFrames(chunkCount, true);
  const anthropicFrames = buildAnthropicStreamFrames(chunkCount);
  let requests = 0;
  let streams = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    let pending: Buffer | null = null;
    // Requests on one connection are answered in order; a stream holds the ones behind it.
    let streaming = false;

    const drain = (): void => {
      while (pending && !streaming) {
        const req = parseRequest(pending);
        if (req === undefined) return;
        if (req === null) {
          socket.end(BAD_REQUEST_RESPONSE);
          pending = null;
          return;
        }
        pending = req.length === pending.length ? null : pending.subarray(req.length);
        requests++;
        if (req.method === 'POST' && req.path.endsWith('/chat/completions')) {
          if (STREAM_TRUE.test(req.body)) {
            streams++;
            sendStream(STREAM_HEAD, INCLUDE_USAGE.test(req.body) ? usageFrames : plainFrames, req.close);
          } else {
            finish(COMPLETION_RESPONSE, req.close);
          }
        } else if (req.method === 'POST' && req.path.endsWith('/messages')) {
          if (!ANTHROPIC_KEY.test(req.head) || !ANTHROPIC_VERSION.test(req.head) || !MAX_TOKENS.test(req.body)) {
            finish(ANTHROPIC_BAD_REQUEST_RESPONSE, req.close);
          } else if (STREAM_TRUE.test(req.body)) {
            streams++;
            sendStream(ANTHROPIC_STREAM_HEAD, anthropicFrames, req.close);
          } else {
            finish(MESSAGE_RESPONSE, req.close);
          }
        } else if (req.method === 'GET' && req.path.endsWith('/models')) {
          finish(MODELS_RESPONSE, req.close);
        } else {
          finish(NOT_FOUND_RESPONSE, req.close);
        }
      }
    };

    const finish = (response: Buffer, close: boolean): void => {
      if (close) socket.end(response);
      else socket.write(response);
    };

    const sendStream = (head: Buffer, frames: Buffer[], close: boolean): void => {
      streaming = true;
      if (delayMs <= 0) {
        socket.write(Buffer.concat([head, ...frames]));
        streaming = false;
        if (close) socket.end();
        return;
      }
      socket.write(Buffer.concat([head, frames[0] as Buffer]));
      let next = 1;
      const tick = (): void => {
        if (socket.destroyed) return;
        socket.write(frames[next] as Buffer);
        next++;
        if (next < frames.length) {
          setTimeout(tick, delayMs);
          return;
        }
        streaming = false;
        if (close) socket.end();
        else drain();
      };
      setTimeout(tick, delayMs);
    };

    socket.on('data', (data: Buffer) => {
      pending = pending ? Buffer.concat([pending, data]) : data;
      drain();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        url: `http://127.0.0.1:${address.port}`,
        stats: () => ({ requests, streams }),
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
