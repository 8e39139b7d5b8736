/** Raw HTTP against a mock server (undici, no SDK), for checking statuses, headers and bytes. */
import { after, before, beforeEach } from 'node:test';
import { Agent, request } from 'undici';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function createRawClient() {
  // A fresh agent per test file: a hung or reset request must not poison another test's connection.
  const agent = new Agent({ keepAliveTimeout: 1_000 });

  async function send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
    const res = await request(url, {
      method,
      dispatcher: agent,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  /** Sends a request and reads the body chunk by chunk, keeping what arrived before any error. */
  async function stream(url: string, body: unknown): Promise<{ status: number; text: string; error: unknown }> {
    const res = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let text = '';
    let error: unknown;
    try {
      for await (const chunk of res.body) text += Buffer.from(chunk as Uint8Array).toString('utf8');
    } catch (err) {
      error = err;
    }
    return { status: res.statusCode, text, error };
  }

  return {
    agent,
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    post: (url: string, body: unknown, headers?: Record<string, string>) => send('POST', url, body, headers),
    put: (url: string, body: unknown) => send('PUT', url, body),
    delete: (url: string) => send('DELETE', url),
    stream,
    close: () => agent.destroy(),
  };
}

/** The `data:` payloads of an SSE body, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
}

export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'mock-chat', messages: [{ role: 'user', content: 'Hello from the test suite' }], ...extra };
}

/**
 * One mock server for the tests of a file (or suite, when called inside `describe`), with its
 * faults and stats cleared before each test, and a raw client; both closed at the end. Read
 * `server` inside tests: it is set in `before`.
 */
export function useMockServer(name?: string): { readonly server: MockServer; client: ReturnType<typeof createRawClient> } {
  const client = createRawClient();
  let server: MockServer | undefined;
  before(async () => {
    server = await startMockServer(name === undefined ? {} : { name });
  });
  beforeEach(() => {
    server?.clearFaults();
    server?.resetStats();
  });
  after(async () => {
    await server?.close();
    await client.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the mock server starts in before()');
      return server;
    },
    client,
  };
}
