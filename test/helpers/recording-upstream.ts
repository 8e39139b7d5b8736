/**
 * A scriptable OpenAI-format upstream for tests: records every request it receives (headers and
 * body) and answers with what the test tells it, over a real socket on port 0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** Resolves when the upstream saw the connection or request close early (client aborted). */
  closedEarly: Promise<void>;
}

/** The requests that came from users, not from the gateway's health probes. */
export function userRequests(upstream: RecordingUpstream): RecordedRequest[] {
  return upstream.requests.filter((request) => request.headers['x-switchyard-probe'] === undefined);
}

export type Responder = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface RecordingUpstream {
  url: string;
  requests: RecordedRequest[];
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export function completionJson(content: string, model = 'upstream-model', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'chatcmpl-test123',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    ...extra,
  });
}

export function chunkJson(delta: Record<string, unknown>, finishReason: string | null = null, model = 'upstream-model'): string {
  return JSON.stringify({ id: 'chatcmpl-test123', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finishReason }] });
}

export const answerWith =
  (content: string): Responder =>
  (_req, res) => {
    const text = completionJson(content);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

export async function startRecordingUpstream(initial: Responder = answerWith('hello')): Promise<RecordingUpstream> {
  let responder = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const closedEarly = new Promise<void>((resolve) => {
      res.once('close', () => {
        if (!res.writableFinished) resolve();
      });
    });
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      closedEarly,
    };
    requests.push(recorded);
    await responder(recorded, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    respond(next) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
