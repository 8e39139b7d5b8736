/**
 * A Provider for Amazon Bedrock Runtime: chat through Converse and ConverseStream, embeddings
 * through InvokeModel (Titan, Cohere). Requests are signed with SigV4 or carry a Bedrock API key.
 */
import { wantsUsage } from '../canonical/canonical-answer.js';
import { type Transport, UpstreamClient, type UpstreamRequest, type UpstreamText } from '../http/upstream-client.js';
import { upstreamStream } from '../http/upstream-body.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { ChatCall, ChatResult, ChatStream, EmbeddingsCall, EmbeddingsResult, JsonObject, Provider, ProviderCall } from '../types.js';
import { converseResponseSchema } from './bedrock-api.js';
import { bedrockEmbeddings, type InvokeAnswer } from './bedrock-embeddings.js';
import { bedrockStream } from './bedrock-stream.js';
import { convertToBedrockRequest } from './convert-to-bedrock-request.js';
import { mapBedrockError } from './map-bedrock-error.js';
import { mapBedrockResponse, requestIdOf } from './map-bedrock-response.js';
import { readEventStream } from './read-event-stream.js';
import { createRequestSigner, credentialSecrets, type BedrockCredentials } from './sign-bedrock-request.js';

export interface BedrockProviderOptions {
  name: string;
  type: string;
  region: string;
  /** Bedrock Runtime's endpoint, e.g. `https://bedrock-runtime.us-east-1.amazonaws.com`. */
  baseUrl: string;
  credentials: BedrockCredentials;
  /** Extra headers on every request. */
  headers: Record<string, string>;
  /** Connection limits and the egress proxy (`transportOf`). */
  transport: Transport;
}

const JSON_TYPE = 'application/json';
const EVENT_STREAM_TYPE = 'application/vnd.amazon.eventstream';

export function createBedrockProvider(options: BedrockProviderOptions): Provider {
  const secrets = credentialSecrets(options.credentials);
  const client = new UpstreamClient({
    baseUrl: options.baseUrl,
    transport: options.transport,
    mapError: (answer) => mapBedrockError({ ...answer, secrets }),
  });
  const sign = createRequestSigner({ baseUrl: options.baseUrl, region: options.region, credentials: options.credentials });

  /** Model ids may be ARNs or inference profile ids (`:` and `/` inside): one encoded path segment. */
  function modelPath(model: string, operation: 'converse' | 'converse-stream' | 'invoke'): string {
    return `/model/${encodeURIComponent(model)}/${operation}`;
  }

  async function signedRequest(path: string, call: ProviderCall, body: JsonObject, accept: string): Promise<UpstreamRequest> {
    const text = JSON.stringify(body);
    const headers = await sign({ path, body: text, headers: { ...call.headers, ...options.headers, 'content-type': JSON_TYPE, accept } });
    return { path, method: 'POST', headers, body: text, cancel: call.cancel, timeouts: call.timeouts };
  }

  /** A JSON answer, read whole. */
  async function sendJson(path: string, call: ProviderCall, body: JsonObject): Promise<UpstreamText> {
    return client.requestText(await signedRequest(path, call, body, JSON_TYPE));
  }

  async function invoke(call: EmbeddingsCall, body: JsonObject): Promise<InvokeAnswer> {
    const res = await sendJson(modelPath(call.model, 'invoke'), call, body);
    const payload = parseUpstreamJson(res.text, 'embeddings answer');
    const header = res.headers['x-amzn-bedrock-input-token-count'];
    const count = typeof header === 'string' ? Number(header) : Number.NaN;
    return { payload, inputTokens: Number.isFinite(count) ? count : undefined };
  }

  return {
    name: options.name,
    type: options.type,
    origin: client.origin,
    proxy: client.shownProxy,

    async chat(call: ChatCall): Promise<ChatResult> {
      const request = convertToBedrockRequest(call.body, { model: call.model, modelFamily: call.modelFamily });
      const res = await sendJson(modelPath(call.model, 'converse'), call, request.body);
      const parsed = converseResponseSchema.safeParse(parseUpstreamJson(res.text, 'Converse answer'));
      if (!parsed.success) throw malformedUpstream('The upstream sent a Converse answer without output or stopReason.');
      return mapBedrockResponse(parsed.data, { id: requestIdOf(res.headers), model: call.model, jsonTool: request.jsonTool });
    },

    async chatStream(call: ChatCall): Promise<ChatStream> {
      const request = convertToBedrockRequest(call.body, { model: call.model, modelFamily: call.modelFamily });
      const res = await client.request(await signedRequest(modelPath(call.model, 'converse-stream'), call, request.body, EVENT_STREAM_TYPE));
      const streamOptions = { id: requestIdOf(res.headers), model: call.model, includeUsage: wantsUsage(call.body), jsonTool: request.jsonTool, secrets };
      return upstreamStream(res, bedrockStream(readEventStream(res.body), streamOptions));
    },

    async embeddings(call: EmbeddingsCall): Promise<EmbeddingsResult> {
      return bedrockEmbeddings(call, (body) => invoke(call, body));
    },

    close: () => client.close(),
  };
}
