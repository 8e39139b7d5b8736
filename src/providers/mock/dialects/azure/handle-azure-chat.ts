/**
 * Azure OpenAI's chat completions, on the deployments and v1 paths: OpenAI's answer with Azure's
 * content-filter annotations (`prompt_filter_results`, per-choice `content_filter_results`), and a
 * stream that opens with Azure's choice-less prompt-filter chunk.
 */
import { prepareChatAnswer } from '../../prepare-chat-answer.js';
import { buildCompletion } from '../../mock-completion.js';
import type { MockExchange } from '../../mock-exchange.js';
import { parseChatRequest } from '../../mock-request.js';
import type { MockState } from '../../mock-state.js';
import { buildStreamChunks } from '../../mock-stream.js';
import { answerInvalid, sendAnswer, sendJson } from '../../send-json.js';
import { OPENAI_STREAM_FRAMES, sseFrame, streamTail, writeStream } from '../../write-sse.js';
import type { JsonObject } from '../../../types.js';
import { azureErrors, resourceNotFound } from './azure-errors.js';
import { azureBody, type AzureForm } from './azure-request.js';

const SAFE = { filtered: false, severity: 'safe' };
const SAFE_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const FILTERED_RESULTS = { ...SAFE_RESULTS, violence: { filtered: true, severity: 'high' } };
/** The choice-less chunk an Azure stream opens with: the prompt passed the filters. */
export const PROMPT_FILTER_CHUNK = JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: SAFE_RESULTS }] });

export function azureChatHandler(form: AzureForm) {
  return async function handleAzureChat(exchange: MockExchange, state: MockState): Promise<void> {
    const body = azureBody(exchange, form);
    if (body === undefined) {
      state.record('notFound');
      const error = resourceNotFound();
      sendJson(exchange.res, error.status, error.body);
      return;
    }
    const parsed = parseChatRequest(body);
    if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
    const request = parsed.value;
    const stream = request.stream === true;
    const prepared = await prepareChatAnswer(exchange, state, request, { stream, model: request.model, errors: azureErrors });
    if (prepared === undefined) return;
    const { mode, plan } = prepared;
    const filtered = plan.finishReason === 'content_filter';
    if (!stream) {
      const completion = buildCompletion(plan);
      completion.prompt_filter_results = [{ prompt_index: 0, content_filter_results: SAFE_RESULTS }];
      completion.choices = (completion.choices as JsonObject[]).map((choice) => ({ ...choice, content_filter_results: filtered ? FILTERED_RESULTS : SAFE_RESULTS }));
      sendAnswer(exchange.res, completion, mode);
      return;
    }
    const payloads = [PROMPT_FILTER_CHUNK, ...buildStreamChunks(plan, { includeUsage: request.stream_options?.include_usage === true, obfuscate: false })];
    await writeStream(exchange.res, payloads.map((payload) => sseFrame(payload)), {
      signal: exchange.signal,
      chunkDelayMs: state.chunkDelayMs,
      ...streamTail(mode, OPENAI_STREAM_FRAMES),
    });
  };
}

