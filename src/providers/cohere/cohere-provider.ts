/**
 * A Provider for Cohere's v2 API: chat (`/v2/chat`, streamed with `stream: true`) and embeddings
 * (`/v2/embed`), with the key as a bearer token.
 */
import { wantsUsage } from '../canonical/canonical-answer.js';
import { embeddingsJson, embeddingsUsage } from '../canonical/canonical-embeddings.js';
import { type Transport, UpstreamClient, type UpstreamRequest, withCallHeaders } from '../http/upstream-client.js';
import { upstreamStream } from '../http/upstream-body.js';
import type { ChatCall, ChatResult, ChatStream, EmbeddingsCall, EmbeddingsResult, JsonObject, Provider, ProviderCall } from '../types.js';
import { cohereStream } from './cohere-stream.js';
import { convertToCohereEmbedRequest } from './convert-to-cohere-embed-request.js';
import { convertToCohereRequest } from './convert-to-cohere-request.js';
import { mapCohereEmbeddings } from './map-cohere-embeddings.js';
import { mapCohereError } from './map-cohere-error.js';
import { mapCohereResponse } from './map-cohere-response.js';

export interface CohereProviderOptions {
  name: string;
  type: string;
  /** Base URL with the version prefix, e.g. `https://api.cohere.com/v2`. */
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  /** Connection limits and the egress proxy (`transportOf`). */
  transport: Transport;
}

export function createCohereProvider(options: CohereProviderOptions): Provider {
  const secrets = options.apiKey ? [options.apiKey] : [];
  const client = new UpstreamClient({
    baseUrl: options.baseUrl,
    transport: options.transport,
    mapError: (answer) => mapCohereError({ ...answer, secrets }),
  });
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  if (options.apiKey) baseHeaders.authorization = `Bearer ${options.apiKey}`;

  function postRequest(path: string, call: ProviderCall, body: JsonObject, accept?: string): UpstreamRequest {
    const headers = accept ? { ...withCallHeaders(baseHeaders, call), accept } : withCallHeaders(baseHeaders, call);
    return { path, method: 'POST', headers, body: JSON.stringify(body), cancel: call.cancel, timeouts: call.timeouts };
  }

  async function send(path: string, call: ProviderCall, body: JsonObject): Promise<string> {
    return (await client.requestText(postRequest(path, call, body))).text;
  }

  return {
    name: options.name,
    type: options.type,
    origin: client.origin,
    proxy: client.shownProxy,

    async chat(call: ChatCall): Promise<ChatResult> {
      const body = convertToCohereRequest(call.body, call.model, { stream: false, modelFamily: call.modelFamily });
      return mapCohereResponse(await send('/chat', call, body), call.model);
    },

    async chatStream(call: ChatCall): Promise<ChatStream> {
      const body = convertToCohereRequest(call.body, call.model, { stream: true, modelFamily: call.modelFamily });
      const res = await client.request(postRequest('/chat', call, body, 'text/event-stream'));
      const streamOptions = { model: call.model, includeUsage: wantsUsage(call.body), secrets };
      return upstreamStream(res, cohereStream(res.body, streamOptions));
    },

    async embeddings(call: EmbeddingsCall): Promise<EmbeddingsResult> {
      const body = convertToCohereEmbedRequest(call.body, call.model);
      const answer = mapCohereEmbeddings(await send('/embed', call, body), (body.texts as unknown[]).length);
      const json = embeddingsJson({ vectors: answer.vectors, model: call.model, inputTokens: answer.inputTokens ?? 0, encodingFormat: call.body.encoding_format });
      return { text: JSON.stringify(json), usage: embeddingsUsage(answer.inputTokens) };
    },

    close: () => client.close(),
  };
}
