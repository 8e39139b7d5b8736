/**
 * Gemini on Vertex AI: the same body format as the Gemini API, so the Gemini fixtures run again
 * with Vertex's URL (`/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:method`)
 * and auth (an OAuth access token as a bearer, no `x-goog-api-key`). Left out: the batch embeddings
 * fixture (Vertex has no batchEmbedContents; several inputs are several calls, which
 * test/providers/gemini/gemini-vertex.test.ts shows) and the API-key fixture, replaced by Vertex's own.
 */
import { createGeminiProvider } from '../../../src/providers/gemini/gemini-provider.js';
import type { ConformanceFixture, ConformanceTarget, ExpectedRequest } from '../fixture.js';
import { GEMINI_FIXTURES, GEMINI_KEY } from './gemini.js';

const TOKEN = 'ya29.a0AfB_byConformanceVertexAccessToken0123456789';
const PROJECT = 'demo-project';
const LOCATION = 'us-central1';
const PREFIX = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/`;
const AI_STUDIO_PREFIX = '/v1beta/models/';

function onVertex(request: ExpectedRequest): ExpectedRequest {
  const headers = { ...request.headers };
  if (headers['x-goog-api-key'] === GEMINI_KEY) {
    delete headers['x-goog-api-key'];
    headers.authorization = `Bearer ${TOKEN}`;
  }
  return {
    ...request,
    path: request.path.startsWith(AI_STUDIO_PREFIX) ? PREFIX + request.path.slice(AI_STUDIO_PREFIX.length) : request.path,
    headers,
    absentHeaders: ['x-goog-api-key', ...(request.absentHeaders ?? []).filter((name) => name !== 'authorization')],
  };
}

const shared = GEMINI_FIXTURES.filter((fixture) => !fixture.expectRequest.path.endsWith(':batchEmbedContents') && !fixture.name.includes('API_KEY_INVALID')).map(
  (fixture): ConformanceFixture => ({ ...fixture, name: `vertex ${fixture.name}`, expectRequest: onVertex(fixture.expectRequest) }),
);

const vertexOnly: ConformanceFixture[] = [
  {
    name: 'vertex error: 401 UNAUTHENTICATED (an expired access token) is auth_error, the token never in the message',
    covers: ['error-auth'],
    call: 'chat',
    model: 'gemini-2.5-flash',
    request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
    expectRequest: { method: 'POST', path: `${PREFIX}gemini-2.5-flash:generateContent`, headers: { authorization: `Bearer ${TOKEN}` } },
    response: {
      status: 401,
      body: {
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
          status: 'UNAUTHENTICATED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_EXPIRED', domain: 'googleapis.com', metadata: { service: 'aiplatform.googleapis.com', method: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent' } }],
        },
      },
    },
    expect: { type: 'error', shape: 'auth_error', message: /^(?![\s\S]*ya29)/ },
  },
  {
    name: 'vertex error: 429 RESOURCE_EXHAUSTED in Vertex\'s words (no details) is rate_limit_429',
    covers: ['error-rate-limit'],
    call: 'chat',
    model: 'gemini-2.5-flash',
    request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
    expectRequest: { method: 'POST', path: `${PREFIX}gemini-2.5-flash:generateContent` },
    response: {
      status: 429,
      body: { error: { code: 429, message: 'Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.', status: 'RESOURCE_EXHAUSTED' } },
    },
    expect: { type: 'error', shape: 'rate_limit_429', status: 429 },
  },
  {
    name: 'vertex embeddings: one input to embedContent; Vertex reports the token count',
    covers: ['embeddings'],
    call: 'embeddings',
    model: 'gemini-embedding-001',
    request: { model: 'embed', input: ['What is the meaning of life?'], encoding_format: 'float' },
    expectRequest: { method: 'POST', path: `${PREFIX}gemini-embedding-001:embedContent`, body: { content: { parts: [{ text: 'What is the meaning of life?' }] } } },
    response: { status: 200, body: { embedding: { values: [0.5, -0.25] }, usageMetadata: { promptTokenCount: 8 }, truncated: false } },
    expect: { type: 'embeddings', embeddings: { data: [{ index: 0, embedding: [0.5, -0.25] }], usage: { prompt_tokens: 8 } }, usage: { inputTokens: 8, outputTokens: 0, cachedInputTokens: 0 } },
  },
];

export const geminiVertexTarget: ConformanceTarget = {
  provider: 'gemini (vertex)',
  create: (origin) =>
    createGeminiProvider({
      name: 'vertex',
      type: 'gemini',
      endpoint: { type: 'vertex', baseUrl: `${origin}/v1`, project: PROJECT, location: LOCATION, accessToken: TOKEN },
      headers: {},
      transport: { connectTimeoutMs: 1_000, maxConnections: 4, proxy: 'none' },
    }),
  fixtures: [...shared, ...vertexOnly],
};
