/**
 * A Provider for any server that speaks OpenAI's Chat Completions and Embeddings wire format:
 * requests go out as the canonical body with the deployment's model, answers come back byte for byte.
 */
import { GatewayError } from '../../errors.js';
import { readSse } from '../http/read-sse.js';
import { UpstreamClient, type UpstreamResponse } from '../http/upstream-client.js';
import type { ChatCall, ChatResult, ChatStream, EmbeddingsCall, EmbeddingsResult, JsonObject, Provider, ProviderCall } from '../types.js';
import { openaiCompletionSchema, openaiEmbeddingsSchema } from './openai-api.js';
import { mapOpenAIError } from './map-openai-error.js';
import { malformedUpstream, mapOpenAIFinishReason, mapOpenAIUsage, parseUpstreamJson } from './map-openai-response.js';
import { openaiStream } from './openai-stream.js';

export interface OpenAIProviderOptions {
  name: string;
  type: string;
  baseUrl: string;
  apiKey: string | undefined;
  /** Extra headers on every request (organization, project, a preset's own). */
  headers: Record<string, string>;
  connectTimeoutMs: number;
  maxConnections: number | undefined;
}

export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  const client = new UpstreamClient({
    baseUrl: options.baseUrl,
    connectTimeoutMs: options.connectTimeoutMs,
    maxConnections: options.maxConnections,
  });
  const secrets = options.apiKey ? [options.apiKey] : [];
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.apiKey) baseHeaders.authorization = `Bearer ${options.apiKey}`;

  function headersFor(call: ProviderCall): Record<string, string> {
    return call.headers ? { ...call.headers, ...baseHeaders } : baseHeaders;
  }

  async function post(path: string, call: ProviderCall, body: JsonObject): Promise<UpstreamResponse> {
    return client.request({
      path,
      method: 'POST',
      headers: headersFor(call),
      body: JSON.stringify(body.model === call.model ? body : { ...body, model: call.model }),
      signal: call.signal,
      timeouts: call.timeouts,
    });
  }

  async function readText(res: UpstreamResponse): Promise<string> {
    try {
      return await res.body.text();
    } catch (err) {
      throw res.fail(err);
    } finally {
      res.done();
    }
  }

  async function failFrom(res: UpstreamResponse): Promise<GatewayError> {
    const bodyText = await readText(res);
    return mapOpenAIError({ status: res.status, bodyText, headers: res.headers, secrets });
  }

  return {
    name: options.name,
    type: options.type,

    async chat(call: ChatCall): Promise<ChatResult> {
      const res = await post('/chat/completions', call, call.body);
      if (res.status !== 200) throw await failFrom(res);
      const text = await readText(res);
      const parsed = openaiCompletionSchema.safeParse(parseUpstreamJson(text, 'completion'));
      if (!parsed.success) throw malformedUpstream('The upstream sent a completion without id, model or choices.');
      return {
        text,
        id: parsed.data.id,
        responseModel: parsed.data.model,
        finishReasons: parsed.data.choices.map((choice) => mapOpenAIFinishReason(choice.finish_reason)),
        usage: mapOpenAIUsage(parsed.data.usage),
      };
    },

    async chatStream(call: ChatCall): Promise<ChatStream> {
      const res = await post('/chat/completions', call, call.body);
      if (res.status !== 200) throw await failFrom(res);
      async function* chunks() {
        try {
          yield* openaiStream(readSse(res.body), secrets);
        } catch (err) {
          throw err instanceof GatewayError ? err : res.fail(err);
        } finally {
          res.done();
        }
      }
      return {
        chunks: chunks(),
        cancel() {
          res.done();
          if (!res.body.destroyed) res.body.destroy();
        },
      };
    },

    async embeddings(call: EmbeddingsCall): Promise<EmbeddingsResult> {
      const res = await post('/embeddings', call, call.body);
      if (res.status !== 200) throw await failFrom(res);
      const text = await readText(res);
      const parsed = openaiEmbeddingsSchema.safeParse(parseUpstreamJson(text, 'embeddings response'));
      if (!parsed.success) throw malformedUpstream('The upstream sent an embeddings response without data.');
      return { text, usage: mapOpenAIUsage(parsed.data.usage) };
    },

    close: () => client.close(),
  };
}
