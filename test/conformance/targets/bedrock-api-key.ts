/**
 * Bedrock with a Bedrock API key instead of SigV4: the same wire, so the SigV4 target's fixtures
 * run again with the key as a bearer token and no signature headers, plus the key's own 403.
 */
import { bedrockProvider } from '../../../src/providers/bedrock/index.js';
import type { ConformanceFixture, ConformanceTarget } from '../fixture.js';
import { bedrockFixtures, MODEL, REGION } from './bedrock.js';

/** Shaped like a Bedrock API key (`ABSK` + base64), but made up. */
const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS1jb25mb3JtYW5jZS0wMTIzNDU2Nzg5';

const bearer = { authorization: `Bearer ${API_KEY}` };
const unsigned = ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'];

function withBearer(fixture: ConformanceFixture): ConformanceFixture {
  const { authorization: _signature, 'x-amz-date': _date, 'x-amz-content-sha256': _hash, 'x-amz-security-token': _token, ...rest } = fixture.expectRequest.headers ?? {};
  return {
    ...fixture,
    name: `${fixture.name} (API key)`,
    expectRequest: { ...fixture.expectRequest, headers: { ...rest, ...bearer }, absentHeaders: unsigned },
  };
}

export const bedrockApiKeyTarget: ConformanceTarget = {
  provider: 'bedrock (API key)',
  create: (origin) =>
    bedrockProvider.create(bedrockProvider.options.parse({ type: 'bedrock', region: REGION, base_url: origin, api_key: API_KEY, connect_timeout_ms: 1_000, max_connections: 4 }), {
      name: 'bedrock-key',
    }),
  fixtures: [
    ...bedrockFixtures.map(withBearer),
    {
      name: 'error: a rejected API key (403) is auth_error, and the key is not repeated',
      covers: ['error-auth'],
      call: 'chat',
      model: MODEL,
      request: { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] },
      expectRequest: { method: 'POST', path: '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse', headers: bearer, absentHeaders: unsigned },
      response: {
        status: 403,
        headers: { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/' },
        body: { message: `Invalid API Key: ${API_KEY}` },
      },
      expect: { type: 'error', shape: 'auth_error', message: /^(?![\s\S]*ABSK)/ },
    },
  ],
};
