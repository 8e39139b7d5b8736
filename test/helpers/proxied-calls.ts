/**
 * What the tests of calls through a proxy (HTTP or SOCKS) do alike: a completion and a stream
 * through a gateway, a TLS server in front of a recording upstream, and one request whose first
 * deployment cannot be reached through its proxy.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type OpenAI from 'openai';
import type { ConfigInput } from '../../src/config/schema.js';
import { startGateway } from './gateway-fixture.js';
import { answerWith, chunkJson, type RecordingUpstream } from './recording-upstream.js';

const FIXTURES = new URL('../providers/http/__fixtures__/', import.meta.url);
/** The fixture certificate's CA file: it names `upstream.test`. */
export const UPSTREAM_TEST_CA = new URL('upstream-test.crt', FIXTURES).pathname;

/** Sends a completion (the upstream answers `hello`) and then a stream (`through` + `suffix`); returns both texts. */
export async function completionThenStream(client: OpenAI, upstream: RecordingUpstream, suffix: string): Promise<{ completion: string | null | undefined; streamed: string }> {
  const completion = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
  upstream.respond((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${chunkJson({ role: 'assistant', content: 'through' })}\n\n`);
    res.write(`data: ${chunkJson({ content: suffix })}\n\n`);
    res.end(`data: ${chunkJson({}, 'stop')}\n\ndata: [DONE]\n\n`);
  });
  try {
    const stream = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    return { completion: completion.choices[0]?.message.content, streamed };
  } finally {
    upstream.respond(answerWith('hello'));
  }
}

/** A TLS server with the fixture certificate (`upstream.test`) in front of the plain server on `upstreamPort`. */
export async function startTlsFront(upstreamPort: number): Promise<{ port: number; close(): void }> {
  const server = createTlsServer({ key: readFileSync(new URL('upstream-test.key', FIXTURES)), cert: readFileSync(new URL('upstream-test.crt', FIXTURES)) }, (socket) => {
    const plain = connect(upstreamPort, '127.0.0.1');
    socket.pipe(plain).pipe(socket);
    plain.on('error', () => socket.destroy());
    socket.on('error', () => plain.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

export interface FailedHop {
  deployment: string;
  code: string | undefined;
  shape: string | undefined;
  message: string | undefined;
}

/**
 * Serves one request on `config` (route `chat`: d0 through the proxy under test, then d1, which
 * answers) and returns d0's failed attempts. Asserts that d1 served it, with `reason` as the
 * fallback's, and that no log line holds any of `secrets`.
 */
export async function failedHopsThroughProxy(config: ConfigInput, reason: string, secrets: string[]): Promise<FailedHop[]> {
  const logLines: string[] = [];
  const gateway = await startGateway(config, logLines);
  try {
    const outcome = await gateway.gateway.chatCompletion({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(outcome.served.deployment, 'd1');
    assert.equal(outcome.served.fallbackReason, reason);
    const logs = logLines.join('\n');
    for (const secret of secrets) assert.ok(!logs.includes(secret), 'no log line holds the proxy password');
    return outcome.served.attempts
      .filter((attempt) => attempt.outcome === 'failed')
      .map((attempt) => ({ deployment: attempt.deployment, code: attempt.code, shape: attempt.shape, message: attempt.message }));
  } finally {
    await gateway.close();
  }
}
