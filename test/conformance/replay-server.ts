/** A local HTTP server that records the one request it gets and answers with a fixture's ReplayResponse. */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplayResponse } from './fixture.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bodyText: string;
}

export interface ReplayServer {
  origin: string;
  /** Sets the answer to the next requests and forgets what was recorded. */
  answer(response: ReplayResponse): void;
  /** Requests received since the last answer(). */
  readonly received: RecordedRequest[];
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  let response: ReplayResponse = { status: 500, body: 'no fixture set' };
  const received: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://replay');
      received.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, bodyText: Buffer.concat(chunks).toString('utf8') });
      void reply(res, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    answer(next) {
      response = next;
      received.length = 0;
    },
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const FIXTURES_DIR = new URL('./__fixtures__/', import.meta.url);

async function reply(res: import('node:http').ServerResponse, response: ReplayResponse): Promise<void> {
  if (response.file !== undefined) {
    const bytes = readFileSync(new URL(response.file, FIXTURES_DIR));
    res.writeHead(response.status, { 'content-length': bytes.length, ...response.headers });
    res.end(bytes);
    return;
  }
  if (response.sse || response.frames) {
    const contentType = response.frames ? 'application/vnd.amazon.eventstream' : 'text/event-stream';
    res.writeHead(response.status, { 'content-type': contentType, ...response.headers });
    for (const event of response.sse ?? []) {
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      res.write(event.event === undefined ? `data: ${data}\n\n` : `event: ${event.event}\ndata: ${data}\n\n`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const frame of response.frames ?? []) {
      res.write(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (response.cut) res.socket?.destroy();
    else res.end();
    return;
  }
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? {});
  const type = typeof response.body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(response.status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...response.headers });
  res.end(text);
}
