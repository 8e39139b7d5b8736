/**
 * The provider interface: the only thing the gateway and the fallback engine know of a provider.
 * Requests and responses cross it in the gateway's canonical shape, which is OpenAI's Chat
 * Completions wire format (the shape most clients already speak). A provider that speaks it
 * natively passes bytes through; others translate inside their own folder.
 */
import type { Env, ShownProxy } from './http/egress-proxy.js';
import type { Cancel } from '../cancel.js';
import type { z } from 'zod';

export type JsonObject = { [key: string]: unknown };

/** A chat request in the canonical (OpenAI) shape. Fields the gateway does not read pass through untouched. */
export interface ChatBody extends JsonObject {
  model: string;
  messages: JsonObject[];
  stream?: boolean;
}

/** Per-hop time limits. A hang costs at most these, once per hop. */
export interface HopTimeouts {
  /** From sending the request to the response headers (for a non-streaming call: the whole generation). */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
  /** The whole hop, first byte to last. */
  totalMs: number;
}

export interface ProviderCall {
  /** The model name the upstream knows (the deployment's, not the route's). */
  model: string;
  /**
   * The public model name `model` stands for (the deployment's `model_family`), when the name does
   * not say: what an adapter reads a model's rules from (which thinking it takes). Unset: `model`.
   */
  modelFamily?: string;
  /** Cancelled when the call must stop (the client left, a hedge lost, a stall, a first-token deadline). */
  cancel: Cancel;
  timeouts: HopTimeouts;
  /** Extra headers for the upstream (idempotency key, trace context). Never the client's credentials. */
  headers?: Record<string, string>;
}

export interface ChatCall extends ProviderCall {
  body: ChatBody;
}

/** A legacy text completion request (`POST /v1/completions`), as the client sent it. Fields the gateway does not read pass through untouched. */
export interface CompletionBody extends JsonObject {
  model: string;
  /** A string, an array of strings, an array of token ids, or an array of such arrays. */
  prompt: string | unknown[];
  stream?: boolean;
}

export interface CompletionCall extends ProviderCall {
  body: CompletionBody;
}

export interface EmbeddingsCall extends ProviderCall {
  body: JsonObject;
}

/** Finish reasons normalised to one vocabulary, with the raw value kept beside it. */
export type UnifiedFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface FinishReason {
  unified: UnifiedFinishReason;
  raw: string | null;
}

export interface Usage {
  inputTokens: number;
  /** Every token generated, reasoning included (as OpenAI counts `completion_tokens` and providers bill them). */
  outputTokens: number;
  /** The part of inputTokens read from the provider's prompt cache. */
  cachedInputTokens: number;
  /** The part of inputTokens written to the provider's prompt cache (Anthropic and Bedrock bill it apart), when the provider counts it. */
  cacheWriteInputTokens?: number;
  /**
   * The part of cacheWriteInputTokens written to Anthropic's 1-hour cache (`cache_control.ttl: "1h"`),
   * which it bills at twice the input price against 1.25 times for its 5-minute cache; when the provider counts it.
   */
  cacheWrite1hInputTokens?: number;
  /** The part of outputTokens spent reasoning, when the provider counts it apart. */
  reasoningTokens?: number;
}

/** A completed, non-streaming answer: a `chat.completion`, or a `text_completion` for a legacy completion request. */
export interface ChatResult {
  /** The canonical answer as JSON text, served to the client as is. */
  text: string;
  /** `text`'s UTF-8 bytes when the provider has them already (the upstream's answer, passed through): kept for replay without encoding it again. */
  bytes?: Buffer;
  /** What the gateway reads of it. */
  id: string;
  responseModel: string;
  finishReasons: FinishReason[];
  usage: Usage | undefined;
}

/** One streamed chunk in the canonical shape. */
export interface StreamChunk {
  /** The chunk as JSON text (the `data:` payload), forwarded as is. */
  data: string;
  /** True when the chunk carries content (text, tool-call deltas), not only a role or usage. */
  hasContent: boolean;
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
}

/** An opened stream: the upstream answered 200, chunks follow. Errors surface as thrown GatewayErrors. */
export interface ChatStream {
  chunks: AsyncIterator<StreamChunk, void>;
  /** Stops reading and releases the upstream connection. Safe to call twice. */
  cancel(): void;
}

export interface EmbeddingsResult {
  text: string;
  usage: Usage | undefined;
}

export interface Provider {
  /** The name given in config. */
  readonly name: string;
  /** The provider type (`openai`, `mock`, ...). */
  readonly type: string;
  /** The upstream's origin (`https://api.openai.com`), for telemetry's `server.address` and `server.port`. */
  readonly origin?: string;
  /** The proxy its calls go through, without credentials (`http://proxy.corp:3128`), and where it was set. */
  readonly proxy?: ShownProxy | undefined;
  chat(call: ChatCall): Promise<ChatResult>;
  chatStream(call: ChatCall): Promise<ChatStream>;
  embeddings(call: EmbeddingsCall): Promise<EmbeddingsResult>;
  /**
   * Legacy text completions (`/v1/completions`), answered as `text_completion` objects and chunks,
   * by providers whose upstream has that endpoint. The gateway translates a completion request
   * through `chat` for the others (src/providers/canonical/completion-via-chat.ts).
   */
  completion?(call: CompletionCall): Promise<ChatResult>;
  completionStream?(call: CompletionCall): Promise<ChatStream>;
  /** Lists the upstream's models, for a cheap health probe; providers without such a call leave it out. */
  listModels?(call: ProviderCall): Promise<void>;
  /** Lets in-flight calls finish, then releases connections. */
  close(): Promise<void>;
  /** Run-time fault injection; only the built-in mock provider has it. */
  readonly faults?: FaultControl;
}

/** Starts and stops a simulated outage on a mock provider (drills, tests, the admin API). */
export interface FaultControl {
  get(): unknown;
  /** Replaces the fault list; throws a 400 GatewayError naming the bad field when the input is invalid. */
  set(input: unknown): void;
  clear(): void;
  stats(): unknown;
}

export interface ProviderContext {
  /** The name given in config. */
  name: string;
  /** The environment a `proxy: env` setting reads (HTTPS_PROXY, NO_PROXY, ...); default process.env. */
  env?: Env;
  /** Tells the operator something the provider learned about its upstream (the gateway logs it as a warning). */
  notice?: (message: string) => void;
}

/** What the registry holds per provider type: its config schema and its factory. */
export interface ProviderDefinition<S extends z.ZodType = z.ZodType> {
  type: string;
  options: S;
  /** The base URL a config's calls go to (its `base_url`, else the provider's own), for saying where calls go before any is made (check-config); none for a local mock. */
  upstream?(options: z.infer<S>): string;
  create(options: z.infer<S>, context: ProviderContext): Promise<Provider>;
}
