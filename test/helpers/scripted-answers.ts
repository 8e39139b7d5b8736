/**
 * Answers in the OpenAI wire format for a recording upstream, shared by the tests that drive the
 * gateway with other clients than `openai` (the Vercel AI SDK, LangChain): a completion, a stream
 * with its usage chunk, a tool call either way, and an embeddings list.
 */
import type { ServerResponse } from 'node:http';
import { chunkJson, completionJson, type Responder } from './recording-upstream.js';

export const USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };

export function sendJson(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A completion of `content` with USAGE. */
export const completeWith =
  (content: string): Responder =>
  (_req, res) =>
    sendJson(res, 200, completionJson(content, 'upstream-model', { usage: USAGE }));

/** A stream of `parts`, then a finish chunk and, when the request asked for it, a usage chunk. */
export const streamWith =
  (parts: string[]): Responder =>
  (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${chunkJson({ role: 'assistant', content: '' })}\n\n`);
    for (const part of parts) res.write(`data: ${chunkJson({ content: part })}\n\n`);
    res.write(`data: ${chunkJson({}, 'stop')}\n\n`);
    writeUsageIfAsked(req.body, res);
    res.end('data: [DONE]\n\n');
  };

/** A call of `get_weather` for Paris, whole or (when the request streams) in argument deltas. */
export const callWeatherTool: Responder = (req, res) => {
  if (req.body.stream !== true) {
    const message = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] };
    sendJson(res, 200, completionJson('', 'upstream-model', { choices: [{ index: 0, message, logprobs: null, finish_reason: 'tool_calls' }], usage: USAGE }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`data: ${chunkJson({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] })}\n\n`);
  res.write(`data: ${chunkJson({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })}\n\n`);
  res.write(`data: ${chunkJson({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })}\n\n`);
  res.write(`data: ${chunkJson({}, 'tool_calls')}\n\n`);
  writeUsageIfAsked(req.body, res);
  res.end('data: [DONE]\n\n');
};

/**
 * An embeddings list with one three-number vector per input, the first number its index: floats,
 * or as OpenAI answers `encoding_format: "base64"` (what the `openai` SDK asks for by default),
 * little-endian float32s in base64.
 */
export const embedEach: Responder = (req, res) => {
  const input = req.body.input;
  const inputs = Array.isArray(input) ? input : [input];
  const base64 = req.body.encoding_format === 'base64';
  const data = inputs.map((_, index) => {
    const vector = [index, 0.5, -0.25];
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
  });
  sendJson(res, 200, JSON.stringify({ object: 'list', data, model: 'upstream-embedder', usage: { prompt_tokens: 4, total_tokens: 4 } }));
};

/** An upstream that always fails with a 500 in OpenAI's error format. */
export const failWith500: Responder = (_req, res) => sendJson(res, 500, JSON.stringify({ error: { message: 'upstream broke', type: 'server_error', param: null, code: null } }));

function writeUsageIfAsked(body: Record<string, unknown>, res: ServerResponse): void {
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) res.write(`data: ${JSON.stringify({ id: 'chatcmpl-test123', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'upstream-model', choices: [], usage: USAGE })}\n\n`);
}
