/**
 * `:embedContent` (one content) and `:batchEmbedContents` (several, each naming the model of the
 * URL), answered with the mock's deterministic vectors: `{"embedding": {"values"}}` and
 * `{"embeddings": [{"values"}]}`. Vertex AI's embedContent adds the prompt's token count.
 */
import { z } from 'zod';
import { applyFault } from '../../apply-fault.js';
import { estimateTokens } from '../../estimate-tokens.js';
import { buildEmbeddings } from '../../mock-embeddings.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { sendAnswer, sendJson } from '../../send-json.js';
import { geminiMockErrors, invalidArgument } from './gemini-mock-errors.js';

const contentSchema = z.looseObject({ parts: z.array(z.looseObject({ text: z.string().min(1) })).min(1) });
const embedContentSchema = z.looseObject({ content: contentSchema, outputDimensionality: z.int().min(1).max(3072).optional() });
const batchSchema = z.looseObject({ requests: z.array(embedContentSchema.extend({ model: z.string().min(1) })).min(1).max(100) });

export type EmbedMethod = 'embedContent' | 'batchEmbedContents';

export async function handleEmbedContent(exchange: MockExchange, state: MockState, model: string, method: EmbedMethod, options: { vertex: boolean }): Promise<void> {
  const requests = readRequests(exchange.body, model, method);
  if ('error' in requests) {
    state.record('invalid');
    sendJson(exchange.res, requests.error.status, requests.error.body);
    return;
  }
  const texts = requests.list.map((request) => request.content.parts.map((part) => part.text).join(' '));
  const fault = state.pickFault({ endpoint: 'embeddings', stream: false, model });
  state.record(fault ? { fault: fault.kind } : 'ok');
  const promptTokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  const mode = await applyFault(exchange, state, fault, () => ({ stream: false, model, promptTokens, inputParam: 'content', presentedKey: exchange.presentedKey }), geminiMockErrors);
  if (mode === undefined) return;

  const built = buildEmbeddings({ model, input: texts, dimensions: requests.list[0]?.outputDimensionality });
  const values = (built.data as Array<{ embedding: number[] }>).map((item) => item.embedding);
  let body: Record<string, unknown>;
  if (method === 'batchEmbedContents') body = { embeddings: values.map((vector) => ({ values: vector })) };
  else body = options.vertex ? { embedding: { values: values[0] }, usageMetadata: { promptTokenCount: promptTokens } } : { embedding: { values: values[0] } };
  sendAnswer(exchange.res, body, mode);
}

type EmbedRequest = z.infer<typeof embedContentSchema>;

function readRequests(body: unknown, model: string, method: EmbedMethod): { list: EmbedRequest[] } | { error: ReturnType<typeof invalidArgument> } {
  if (method === 'embedContent') {
    const parsed = embedContentSchema.safeParse(body);
    return parsed.success ? { list: [parsed.data] } : { error: issueError('EmbedContentRequest', parsed.error.issues[0]) };
  }
  const parsed = batchSchema.safeParse(body);
  if (!parsed.success) return { error: issueError('BatchEmbedContentsRequest', parsed.error.issues[0]) };
  const mismatched = parsed.data.requests.findIndex((request) => request.model !== `models/${model}`);
  if (mismatched >= 0) {
    return { error: invalidArgument(`* BatchEmbedContentsRequest.requests[${mismatched}].model: The model in the request must match the model in the URL (models/${model}).\n`) };
  }
  return { list: parsed.data.requests };
}

function issueError(message: string, issue: z.core.$ZodIssue | undefined): ReturnType<typeof invalidArgument> {
  const path = issue?.path.map(String).join('.') || 'body';
  return invalidArgument(`* ${message}.${path}: ${issue?.message ?? 'invalid value'}\n`);
}
