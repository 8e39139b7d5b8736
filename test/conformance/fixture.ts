/**
 * The shape of a conformance fixture: one provider call, the upstream request the adapter must send,
 * the upstream answer the replay server gives (written from the provider's public API reference),
 * and what the adapter must make of it. Every adapter's fixtures run through the same runner
 * (conformance.test.ts), so every adapter is held to the same contract.
 */
import type { FailureShape } from '../../src/errors.js';
import type { FinishReason, JsonObject, Provider, Usage } from '../../src/providers/types.js';

/**
 * What every adapter must show it handles. Each case needs at least one fixture that covers it, or
 * a skip with the reason (the provider has no such feature, say); the runner fails otherwise.
 */
export const CONFORMANCE_CASES = [
  'chat-basic',
  'system-and-multi-turn',
  'sampling-parameters',
  'tool-definitions',
  'tool-results',
  'image-url',
  'image-base64',
  'json-mode',
  'stream-text',
  'stream-tool-calls',
  'usage-cached-tokens',
  'finish-length',
  'error-rate-limit',
  'error-server',
  'error-context-overflow',
  'error-guardrail',
  'error-auth',
  'stream-in-band-error',
  'embeddings',
] as const;

export type ConformanceCase = (typeof CONFORMANCE_CASES)[number];

export interface ConformanceTarget {
  /** The provider type, as in config (`anthropic`, `gemini`, ...). */
  provider: string;
  /** Builds the adapter pointed at the replay server (its origin, e.g. `http://127.0.0.1:40000`). */
  create(origin: string): Provider | Promise<Provider>;
  fixtures: ConformanceFixture[];
  /** Cases this provider cannot show, each with the reason. */
  skip?: Array<{ case: ConformanceCase; reason: string }>;
}

export interface ConformanceFixture {
  name: string;
  /** The conformance cases this fixture proves. */
  covers: ConformanceCase[];
  call: 'chat' | 'chatStream' | 'embeddings';
  /** The deployment's model name handed to the adapter (ProviderCall.model). */
  model: string;
  /** The canonical (OpenAI-shaped) request body the gateway hands the adapter. */
  request: JsonObject;
  /** What the adapter must send upstream. */
  expectRequest: ExpectedRequest;
  /** What the replay server answers. */
  response: ReplayResponse;
  /** What the adapter must make of it. */
  expect: Expectation;
}

export interface ExpectedRequest {
  method: 'GET' | 'POST';
  /** The path, without the query string. */
  path: string;
  /** Query parameters that must be present with these values. */
  query?: Record<string, string>;
  /** Headers that must be present (names lower-case); a RegExp must match the value. */
  headers?: Record<string, string | RegExp>;
  /** Headers that must be absent (e.g. `authorization` on a provider that takes its key elsewhere). */
  absentHeaders?: string[];
  /** A subset the JSON body must match (see matchSubset), or a function that throws on a bad body. */
  body?: JsonObject | ((body: unknown) => void);
}

export interface ReplayResponse {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body (serialised) or raw text. */
  body?: JsonObject | string;
  /**
   * The raw body from a file under test/conformance/__fixtures__/ (e.g. `anthropic/stream-tools.sse.txt`),
   * sent as is with the given headers: a recorded wire shape kept as a file.
   */
  file?: string;
  /** An SSE stream: each event written as `event:` (when given) and `data:` lines. */
  sse?: Array<{ event?: string; data: JsonObject | string }>;
  /** Raw binary frames (Bedrock's event stream), written one by one. */
  frames?: Uint8Array[];
  /** Close the connection after the events/frames without ending the body cleanly. */
  cut?: boolean;
}

export type Expectation =
  | {
      type: 'result';
      /** A subset the canonical completion (ChatResult.text, parsed) must match. */
      completion?: JsonObject;
      id?: string;
      responseModel?: string;
      finishReasons?: FinishReason[];
      usage?: Usage;
    }
  | {
      type: 'stream';
      /** The text of choice 0's content deltas, joined. */
      text?: string;
      /** Tool calls reassembled from the deltas of choice 0. */
      toolCalls?: Array<{ id: string; name: string; arguments: string }>;
      /** The last finish reason any chunk carried. */
      finishReason?: FinishReason;
      /** The last usage any chunk carried. */
      usage?: Usage;
      /** When the stream must fail after its first chunks, the failure. */
      error?: { shape: FailureShape };
    }
  | { type: 'embeddings'; embeddings?: JsonObject; usage?: Usage }
  | {
      type: 'error';
      shape: FailureShape;
      /** The status a client would see. */
      status?: number;
      retryAfterMs?: number;
      /** A fragment the error message must contain. */
      message?: string | RegExp;
    };
