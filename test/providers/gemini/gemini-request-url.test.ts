/**
 * The Gemini adapter's URLs: the API key travels in `x-goog-api-key` and never in the query string
 * (where access logs and proxies would keep it), on every method, in both URL shapes.
 */
import { NEVER_CANCELLED } from '../../../src/cancel.js';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createGeminiProvider, type GeminiEndpoint } from '../../../src/providers/gemini/gemini-provider.js';

const KEY = 'AIzaSyUrlCheck-0123456789abcdefghijklmn';
const TIMEOUTS = { firstByteMs: 2_000, idleMs: 2_000, totalMs: 5_000 };
const ANSWER = { candidates: [{ content: { parts: [{ text: 'ok' }], role: 'model' }, finishReason: 'STOP', index: 0 }], responseId: 'r1', modelVersion: 'm' };

describe('gemini request URLs', () => {
  let server: Server;
  let origin: string;
  const seen: Array<{ url: string; headers: Record<string, unknown> }> = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        const url = req.url ?? '';
        if (url.includes(':streamGenerateContent')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(`data: ${JSON.stringify(ANSWER)}\r\n\r\n`);
        } else if (url.includes(':batchEmbedContents')) {
          res.end(JSON.stringify({ embeddings: [{ values: [1] }, { values: [2] }] }));
        } else if (url.includes(':embedContent')) {
          res.end(JSON.stringify({ embedding: { values: [1] } }));
        } else {
          res.end(JSON.stringify(ANSWER));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function exercise(endpoint: GeminiEndpoint, model: string): Promise<void> {
    const provider = createGeminiProvider({ name: 'g', type: 'gemini', endpoint, headers: { 'x-extra': '1' }, transport: { connectTimeoutMs: 1_000, maxConnections: 2, proxy: 'none' } });
    const call = { model, cancel: NEVER_CANCELLED, timeouts: TIMEOUTS };
    try {
      await provider.chat({ ...call, body: { model: 'r', messages: [{ role: 'user', content: 'hi' }] } });
      const stream = await provider.chatStream({ ...call, body: { model: 'r', messages: [{ role: 'user', content: 'hi' }], stream: true } });
      for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next());
      await provider.embeddings({ ...call, body: { model: 'e', input: ['a', 'b'] } });
    } finally {
      await provider.close();
    }
  }

  test('the Gemini API: the key only in x-goog-api-key, model ids as models/{id}, tuned models as written', async () => {
    seen.length = 0;
    await exercise({ type: 'ai-studio', baseUrl: `${origin}/v1beta`, apiKey: KEY }, 'gemini-2.5-flash');
    assert.deepEqual(
      seen.map((item) => item.url),
      ['/v1beta/models/gemini-2.5-flash:generateContent', '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', '/v1beta/models/gemini-2.5-flash:batchEmbedContents'],
    );
    for (const item of seen) {
      assert.ok(!item.url.includes(KEY) && !item.url.includes('key='));
      assert.equal(item.headers['x-goog-api-key'], KEY);
      assert.equal(item.headers['x-extra'], '1');
      assert.equal(item.headers.authorization, undefined);
    }
    seen.length = 0;
    await exercise({ type: 'ai-studio', baseUrl: `${origin}/v1beta`, apiKey: KEY }, 'tunedModels/my-tuned-model-7');
    assert.equal(seen[0]?.url, '/v1beta/tunedModels/my-tuned-model-7:generateContent');
  });

  test('Vertex AI: a bearer token, the project and location in the path, one embedContent per input', async () => {
    seen.length = 0;
    await exercise({ type: 'vertex', baseUrl: `${origin}/v1`, project: 'my-project', location: 'global', accessToken: 'ya29.token-0123456789' }, 'gemini-2.5-pro');
    const base = '/v1/projects/my-project/locations/global/publishers/google/models/gemini-2.5-pro';
    assert.deepEqual(
      seen.map((item) => item.url),
      [`${base}:generateContent`, `${base}:streamGenerateContent?alt=sse`, `${base}:embedContent`, `${base}:embedContent`],
    );
    for (const item of seen) {
      assert.equal(item.headers.authorization, 'Bearer ya29.token-0123456789');
      assert.equal(item.headers['x-goog-api-key'], undefined);
    }
  });
});
