/**
 * A Provider for Google's Gemini models, on the Gemini API (AI Studio: an API key in
 * `x-goog-api-key`, never in the URL where logs would keep it) or on Vertex AI (a project and
 * location in the path, an OAuth access token as a bearer). Both speak the same body format.
 */
import { GatewayError } from '../../errors.js';
import { wantsUsage } from '../canonical/canonical-answer.js';
import { embeddingsJson, embeddingsUsage } from '../canonical/canonical-embeddings.js';
import { cannotTranslate } from '../canonical/request-parts.js';
import { type Transport, UpstreamClient, type UpstreamRequest, withCallHeaders } from '../http/upstream-client.js';
import { upstreamStream } from '../http/upstream-body.js';
import type { ChatCall, ChatResult, ChatStream, EmbeddingsCall, EmbeddingsResult, JsonObject, Provider, ProviderCall } from '../types.js';
import { convertToGeminiEmbedRequest, convertToGeminiEmbedRequests } from './convert-to-gemini-embed-request.js';
import { convertToGeminiRequest } from './convert-to-gemini-request.js';
import { geminiStream } from './gemini-stream.js';
import { mapGeminiError } from './map-gemini-error.js';
import { mapGeminiBatchEmbeddings, mapGeminiEmbedContent, type GeminiEmbeddings } from './map-gemini-embeddings.js';
import { mapGeminiResponse } from './map-gemini-response.js';

/** Vertex AI has no batch method for Gemini embeddings: several inputs are this many calls at a time. */
export const VERTEX_EMBED_CONCURRENCY = 4;

export type GeminiEndpoint =
  /** The Gemini API; `baseUrl` includes the version prefix, e.g. `https://generativelanguage.googleapis.com/v1beta`. */
  | { type: 'ai-studio'; baseUrl: string; apiKey: string | undefined }
  /** Vertex AI; `baseUrl` includes the version prefix, e.g. `https://us-central1-aiplatform.googleapis.com/v1`. */
  | { type: 'vertex'; baseUrl: string; project: string; location: string; accessToken: string | undefined };

export interface GeminiProviderOptions {
  name: string;
  type: string;
  endpoint: GeminiEndpoint;
  /** Extra headers on every request. */
  headers: Record<string, string>;
  /** Connection limits and the egress proxy (`transportOf`). */
  transport: Transport;
}

type Method = 'generateContent' | 'streamGenerateContent' | 'embedContent' | 'batchEmbedContents';

export function createGeminiProvider(options: GeminiProviderOptions): Provider {
  const { endpoint } = options;
  const secret = endpoint.type === 'ai-studio' ? endpoint.apiKey : endpoint.accessToken;
  const secrets = secret ? [secret] : [];
  const client = new UpstreamClient({
    baseUrl: endpoint.baseUrl,
    transport: options.transport,
    mapError: (answer) => mapGeminiError({ ...answer, secrets }),
  });
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (secret && endpoint.type === 'ai-studio') baseHeaders['x-goog-api-key'] = secret;
  if (secret && endpoint.type === 'vertex') baseHeaders.authorization = `Bearer ${secret}`;

  function pathFor(model: string, method: Method): string {
    if (endpoint.type === 'vertex') {
      const resource = model.startsWith('projects/') ? model : `projects/${endpoint.project}/locations/${endpoint.location}/publishers/google/models/${model}`;
      return `/${escapePath(resource)}:${method}`;
    }
    return `/${escapePath(modelResource(model))}:${method}`;
  }

  function postRequest(call: ProviderCall, method: Method, body: JsonObject, query = ''): UpstreamRequest {
    return {
      path: pathFor(call.model, method) + query,
      method: 'POST',
      headers: withCallHeaders(baseHeaders, call),
      body: JSON.stringify(body),
      cancel: call.cancel,
      timeouts: call.timeouts,
    };
  }

  async function send(call: ProviderCall, method: Method, body: JsonObject): Promise<string> {
    return (await client.requestText(postRequest(call, method, body))).text;
  }

  async function embedOnVertex(call: EmbeddingsCall): Promise<GeminiEmbeddings> {
    const bodies = convertToGeminiEmbedRequests(call.body);
    const vectors: number[][] = [];
    let inputTokens: number | undefined = 0;
    for (let start = 0; start < bodies.length; start += VERTEX_EMBED_CONCURRENCY) {
      const batch = bodies.slice(start, start + VERTEX_EMBED_CONCURRENCY);
      const answers = await Promise.all(batch.map(async (body) => mapGeminiEmbedContent(await send(call, 'embedContent', body))));
      for (const answer of answers) {
        vectors.push(...answer.vectors);
        inputTokens = inputTokens === undefined || answer.inputTokens === undefined ? undefined : inputTokens + answer.inputTokens;
      }
    }
    return { vectors, inputTokens };
  }

  async function embedOnGeminiApi(call: EmbeddingsCall): Promise<GeminiEmbeddings> {
    const request = convertToGeminiEmbedRequest(call.body, modelResource(call.model));
    const text = await send(call, request.method, request.body);
    return request.method === 'embedContent' ? mapGeminiEmbedContent(text) : mapGeminiBatchEmbeddings(text, (request.body.requests as unknown[]).length);
  }

  return {
    name: options.name,
    type: options.type,
    origin: client.origin,
    proxy: client.shownProxy,

    async chat(call: ChatCall): Promise<ChatResult> {
      const body = convertToGeminiRequest(call.body, { stream: false, model: call.model, modelFamily: call.modelFamily });
      const text = await send(call, 'generateContent', body).catch((err: unknown) => Promise.reject(logprobsRefused(err, body, call.model)));
      return mapGeminiResponse(text, call.model);
    },

    async chatStream(call: ChatCall): Promise<ChatStream> {
      const body = convertToGeminiRequest(call.body, { stream: true, model: call.model, modelFamily: call.modelFamily });
      const res = await client.request(postRequest(call, 'streamGenerateContent', body, '?alt=sse')).catch((err: unknown) => Promise.reject(logprobsRefused(err, body, call.model)));
      const options = { model: call.model, includeUsage: wantsUsage(call.body), secrets };
      return upstreamStream(res, geminiStream(res.body, options));
    },

    async embeddings(call: EmbeddingsCall): Promise<EmbeddingsResult> {
      const answer = endpoint.type === 'vertex' ? await embedOnVertex(call) : await embedOnGeminiApi(call);
      const json = embeddingsJson({ vectors: answer.vectors, model: call.model, inputTokens: answer.inputTokens ?? 0, encodingFormat: call.body.encoding_format });
      return { text: JSON.stringify(json), usage: embeddingsUsage(answer.inputTokens) };
    },

    close: () => client.close(),
  };
}

/** A bare model id as the Gemini API's resource name (`models/<id>`); `tunedModels/...` and `models/...` stay as written. */
function modelResource(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

function escapePath(resource: string): string {
  return resource.split('/').map(encodeURIComponent).join('/');
}

/**
 * Not every Gemini model gives log probabilities: one that does not answers the request that asked
 * for them with a 400 naming them. That is a gap of the deployment, as a request the adapter
 * cannot translate is (the chain passes it over), not the client's mistake.
 */
function logprobsRefused(err: unknown, body: JsonObject, model: string): unknown {
  const asked = (body.generationConfig as JsonObject | undefined)?.responseLogprobs === true;
  if (!asked || !(err instanceof GatewayError) || err.upstreamStatus !== 400 || !/logprob/i.test(err.message)) return err;
  return cannotTranslate(`Gemini's ${model} gives no token log probabilities (${err.message})`, 'logprobs');
}
