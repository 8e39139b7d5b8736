/**
 * A Provider for Anthropic's Messages API: the canonical request is translated to a message
 * request, the answer (whole or streamed) back to the canonical completion. Anthropic has no
 * embeddings endpoint.
 */
import { GatewayError } from '../../errors.js';
import { wantsUsage } from '../canonical/canonical-answer.js';
import { type Transport, UpstreamClient, type UpstreamRequest, withCallHeaders } from '../http/upstream-client.js';
import { upstreamStream } from '../http/upstream-body.js';
import type { ChatCall, ChatResult, ChatStream, EmbeddingsResult, Provider } from '../types.js';
import { anthropicStream } from './anthropic-stream.js';
import { convertToAnthropicRequest, type AnthropicRequest } from './convert-to-anthropic-request.js';
import { mapAnthropicError } from './map-anthropic-error.js';
import { mapAnthropicResponse } from './map-anthropic-response.js';

export interface AnthropicProviderOptions {
  name: string;
  type: string;
  /** Base URL with the API's version prefix, e.g. `https://api.anthropic.com/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** Sent as `anthropic-version`. */
  version: string;
  /** Beta features, sent as one comma-separated `anthropic-beta` header. */
  betas: readonly string[];
  /** Extra headers on every request. */
  headers: Record<string, string>;
  /** `max_tokens` for a request that names none (Anthropic requires it). */
  defaultMaxTokens: number;
  /** Connection limits and the egress proxy (`transportOf`). */
  transport: Transport;
}

export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  const secrets = options.apiKey ? [options.apiKey] : [];
  const client = new UpstreamClient({
    baseUrl: options.baseUrl,
    transport: options.transport,
    mapError: (answer) => mapAnthropicError({ ...answer, secrets }),
  });
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', ...options.headers, 'anthropic-version': options.version };
  if (options.betas.length > 0) baseHeaders['anthropic-beta'] = options.betas.join(',');
  // Anthropic takes its key in x-api-key; an `authorization` header would be another credential scheme altogether.
  if (options.apiKey) baseHeaders['x-api-key'] = options.apiKey;

  function translate(call: ChatCall, stream: boolean): AnthropicRequest {
    return convertToAnthropicRequest(call.body, { model: call.model, modelFamily: call.modelFamily, defaultMaxTokens: options.defaultMaxTokens, stream });
  }

  function postRequest(call: ChatCall, request: AnthropicRequest): UpstreamRequest {
    return {
      path: '/messages',
      method: 'POST',
      headers: withCallHeaders(baseHeaders, call),
      body: JSON.stringify(request.body),
      cancel: call.cancel,
      timeouts: call.timeouts,
    };
  }

  return {
    name: options.name,
    type: options.type,
    origin: client.origin,
    proxy: client.shownProxy,

    async chat(call: ChatCall): Promise<ChatResult> {
      const request = translate(call, false);
      const { text } = await client.requestText(postRequest(call, request));
      return mapAnthropicResponse(text, { jsonTool: request.jsonTool });
    },

    async chatStream(call: ChatCall): Promise<ChatStream> {
      const request = translate(call, true);
      const res = await client.request(postRequest(call, request));
      const streamOptions = { secrets, includeUsage: wantsUsage(call.body), jsonTool: request.jsonTool };
      return upstreamStream(res, anthropicStream(res.body, streamOptions));
    },

    async embeddings(): Promise<EmbeddingsResult> {
      // Not client_error (which would end the chain): the request is fine, this provider just cannot serve it,
      // so the fallback engine moves on to the route's next deployment.
      throw new GatewayError(`The provider "${options.name}" speaks Anthropic's API, which has no embeddings endpoint; route embeddings to another provider.`, {
        status: 400,
        code: 'unsupported_by_provider',
        param: 'model',
        shape: 'unknown_upstream_error',
      });
    },

    close: () => client.close(),
  };
}
