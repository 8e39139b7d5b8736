/**
 * A Provider for any server that speaks OpenAI's Chat Completions and Embeddings wire format (and
 * its legacy Completions, for servers that still have it): requests go out as the canonical body
 * with the deployment's model, answers come back byte for byte.
 */
import { GatewayError } from '../../errors.js';
import { type Transport, UpstreamClient, type UpstreamRequest, withCallHeaders } from '../http/upstream-client.js';
import { upstreamStream } from '../http/upstream-body.js';
import type { ChatCall, ChatResult, ChatStream, CompletionCall, EmbeddingsCall, EmbeddingsResult, JsonObject, Provider, ProviderCall } from '../types.js';
import { openaiEmbeddingsSchema } from './openai-api.js';
import { readCompletion } from './read-openai-answer.js';
import { mapOpenAIError, type UpstreamErrorInput } from './map-openai-error.js';
import { malformedUpstream, mapOpenAIFinishReason, mapOpenAIUsage, parseUpstreamJson } from './map-openai-response.js';
import { openaiStream } from './openai-stream.js';
import { withoutGatewayFields } from './without-gateway-fields.js';
import { withoutCacheMarks } from '../canonical/cache-marks.js';
import { withAskedEffort } from './asked-effort.js';
import { wantsUsage } from '../canonical/canonical-answer.js';

export interface OpenAIProviderOptions {
  name: string;
  type: string;
  baseUrl: string;
  apiKey: string | undefined;
  /** Extra headers on every request (organization, project, a preset's own). */
  headers: Record<string, string>;
  /** Connection limits and the egress proxy (`transportOf`). */
  transport: Transport;
  /**
   * The path (with any query string) below the base URL for an endpoint and the call's model.
   * Default `/chat/completions`, `/completions`, `/embeddings`, `/models`. Azure puts its deployment and api-version here.
   */
  pathFor?: (endpoint: OpenAIEndpoint, model: string) => string;
  /** The header that carries the key, with its scheme. Default `authorization: Bearer <key>`; Azure takes `api-key: <key>`. */
  keyHeader?: { name: string; scheme?: string };
  /** Maps a non-200 answer to a GatewayError. Default mapOpenAIError. */
  mapError?: (input: UpstreamErrorInput) => GatewayError;
  /** Ask for a stream's usage when the client did not, and keep that chunk from the client (`stream_usage`). */
  streamUsage?: boolean;
  /** Where the provider tells what it learned of its upstream (that it refuses `stream_options`). */
  notice?: (message: string) => void;
  /** Send `reasoning_content` on assistant messages on to the upstream (without-gateway-fields.ts). Default false. */
  keepReasoningContent?: boolean;
  /** Send a Chat Completions client's prompt-caching marks (`cache_control`) on to the upstream (without-gateway-fields.ts). Default false. */
  keepCacheMarks?: boolean;
}

/** The endpoints of OpenAI's wire format the adapter calls. */
export type OpenAIEndpoint = 'chat' | 'completions' | 'embeddings' | 'models';

const DEFAULT_PATHS: Record<OpenAIEndpoint, string> = { chat: '/chat/completions', completions: '/completions', embeddings: '/embeddings', models: '/models' };
const DEFAULT_KEY_HEADER = { name: 'authorization', scheme: 'Bearer' };

/** A provider of OpenAI's wire format: it has legacy completions as well. */
export type OpenAIFormatProvider = Provider & Required<Pick<Provider, 'completion' | 'completionStream'>>;

export function createOpenAIProvider(options: OpenAIProviderOptions): OpenAIFormatProvider {
  const secrets = options.apiKey ? [options.apiKey] : [];
  const mapError = options.mapError ?? mapOpenAIError;
  const client = new UpstreamClient({
    baseUrl: options.baseUrl,
    transport: options.transport,
    mapError: (answer) => mapError({ ...answer, secrets }),
  });
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const keyHeader = options.keyHeader ?? DEFAULT_KEY_HEADER;
  if (options.apiKey) baseHeaders[keyHeader.name] = keyHeader.scheme ? `${keyHeader.scheme} ${options.apiKey}` : options.apiKey;
  const pathFor = options.pathFor ?? ((endpoint: OpenAIEndpoint) => DEFAULT_PATHS[endpoint]);
  const fieldOptions = { keepReasoningContent: options.keepReasoningContent === true, keepCacheMarks: options.keepCacheMarks === true };

  /** What the upstream gets of a chat or completion request: the gateway's own fields and a Messages request's cache marks out, an asked effort in. */
  function upstreamBody(call: ChatCall | CompletionCall): JsonObject {
    return withAskedEffort(withoutGatewayFields(withoutCacheMarks(call.body), fieldOptions), call.modelFamily ?? call.model);
  }

  function headersFor(call: ProviderCall): Record<string, string> {
    return withCallHeaders(baseHeaders, call);
  }

  function postRequest(path: string, call: ProviderCall, body: JsonObject): UpstreamRequest {
    return {
      path,
      method: 'POST',
      headers: headersFor(call),
      body: JSON.stringify(body.model === call.model ? body : { ...body, model: call.model }),
      cancel: call.cancel,
      timeouts: call.timeouts,
    };
  }

  /** A `chat.completion` or `text_completion`, passed through; what the gateway reads of it is read by hand. */
  async function complete(endpoint: 'chat' | 'completions', call: ChatCall | CompletionCall): Promise<ChatResult> {
    const { text, bytes } = await client.requestText(postRequest(pathFor(endpoint, call.model), call, upstreamBody(call)));
    const facts = readCompletion(parseUpstreamJson(text, 'completion'));
    if (!facts) throw malformedUpstream('The upstream sent a completion without id, model or choices.');
    return { text, bytes, id: facts.id, responseModel: facts.model, finishReasons: facts.finishReasons.map(mapOpenAIFinishReason), usage: facts.usage };
  }

  /**
   * Whether the upstream takes the `stream_options` the gateway adds: not known until a stream it
   * was added to opens (`taken`), or until a request with it is refused and the same request
   * without it is not (`refused`: never added again).
   */
  let usageOption: 'unknown' | 'taken' | 'refused' = 'unknown';

  async function open(endpoint: 'chat' | 'completions', call: ChatCall | CompletionCall, askUsage: boolean): Promise<ChatStream> {
    // The client's own `stream_options` are kept; only `include_usage` is added.
    const sent = upstreamBody(call);
    const body = askUsage ? { ...sent, stream_options: { ...(sent.stream_options as JsonObject | undefined), include_usage: true } } : sent;
    const res = await client.request(postRequest(pathFor(endpoint, call.model), call, body));
    return upstreamStream(res, openaiStream(res.body, secrets, askUsage));
  }

  async function openStream(endpoint: 'chat' | 'completions', call: ChatCall | CompletionCall): Promise<ChatStream> {
    if (options.streamUsage !== true || usageOption === 'refused' || wantsUsage(call.body)) return open(endpoint, call, false);
    if (usageOption === 'taken') return open(endpoint, call, true);
    let stream: ChatStream;
    try {
      stream = await open(endpoint, call, true);
    } catch (err) {
      // A refusal is asked again without the field, while it is not known whether the field is what
      // was refused: a server that does not know `stream_options` answers 400 or 422 (nothing was
      // generated, nothing billed). The second answer settles it; a client's own error fails both.
      if (!isRefusal(err) || call.cancel.aborted) throw err;
      const plain = await open(endpoint, call, false);
      if (usageOption === 'unknown') {
        usageOption = 'refused';
        options.notice?.(`${options.name} refused a stream request with stream_options (${err.upstreamStatus}) and took it without: streams from it are no longer asked for usage (the gateway counts it where the model has a price); set stream_usage: false to skip this check.`);
      }
      return plain;
    }
    usageOption = 'taken';
    return stream;
  }

  return {
    name: options.name,
    type: options.type,
    origin: client.origin,
    proxy: client.shownProxy,

    chat: (call: ChatCall) => complete('chat', call),
    chatStream: (call: ChatCall) => openStream('chat', call),
    completion: (call: CompletionCall) => complete('completions', call),
    completionStream: (call: CompletionCall) => openStream('completions', call),

    async embeddings(call: EmbeddingsCall): Promise<EmbeddingsResult> {
      const { text } = await client.requestText(postRequest(pathFor('embeddings', call.model), call, call.body));
      const parsed = openaiEmbeddingsSchema.safeParse(parseUpstreamJson(text, 'embeddings response'));
      if (!parsed.success) throw malformedUpstream('The upstream sent an embeddings response without data.');
      return { text, usage: mapOpenAIUsage(parsed.data.usage) };
    },

    async listModels(call: ProviderCall): Promise<void> {
      await client.requestText({ path: pathFor('models', call.model), method: 'GET', headers: headersFor(call), cancel: call.cancel, timeouts: call.timeouts });
    },

    close: () => client.close(),
  };
}

/** An upstream's 400 or 422: the request refused as it was asked. */
function isRefusal(err: unknown): err is GatewayError {
  return err instanceof GatewayError && (err.upstreamStatus === 400 || err.upstreamStatus === 422);
}
