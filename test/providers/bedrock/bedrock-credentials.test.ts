/**
 * Bedrock's credentials, end to end: a `type: bedrock` provider signs with SigV4 (or sends a Bedrock
 * API key) and the mock verifies it; a wrong secret is a 403 from the mock and an auth_error in the
 * gateway. The signature is also recomputed here, independently of the signer package, from the
 * bytes that reached a recording server, so the adapter is held to AWS's rules rather than to the
 * package that implements them.
 */
import { NEVER_CANCELLED } from '../../../src/cancel.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigInput } from '../../../src/config/schema.js';
import { bedrockProvider } from '../../../src/providers/bedrock/index.js';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const MOCK_KEY = 'bedrock-mock-key-59c1d2e8';
const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const WRONG_SECRET = 'not-the-mock-key-0f0f0f0f';
const API_KEY = 'ABSKbW9jay1iZWRyb2NrLWFwaS1rZXk';
const SESSION_TOKEN = 'FwoGZXIvYXdzEMock//SessionToken==';
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const PROFILE_ARN = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0';
const TIMEOUTS = { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 };

function config(mockOrigin: string): ConfigInput {
  const bedrock = (credentials: Record<string, string>) => ({ type: 'bedrock', region: 'us-east-1', base_url: mockOrigin, ...credentials });
  const providers = {
    signed: bedrock({ access_key_id: ACCESS_KEY_ID, secret_access_key: MOCK_KEY }),
    temporary: bedrock({ access_key_id: ACCESS_KEY_ID, secret_access_key: MOCK_KEY, session_token: SESSION_TOKEN }),
    wrong: bedrock({ access_key_id: ACCESS_KEY_ID, secret_access_key: WRONG_SECRET }),
    keyed: bedrock({ api_key: MOCK_KEY }),
    badkey: bedrock({ api_key: API_KEY }),
  };
  const names = Object.keys(providers);
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers,
    deployments: Object.fromEntries(names.map((name) => [name, { provider: name, model: MODEL }])),
    routes: Object.fromEntries(names.map((name) => [name, { chain: [name], timeouts: TIMEOUTS }])),
  } as ConfigInput;
}

describe('Bedrock credentials against the mock, through the gateway', () => {
  let mock: MockServer;
  let gw: GatewayFixture;
  before(async () => {
    mock = await startMockServer({ name: 'bedrock', apiKey: MOCK_KEY });
    gw = await startGateway(config(mock.origin));
  });
  after(async () => {
    await gw.close();
    await mock.close();
  });

  async function ask(route: string): Promise<{ status: number; text: string; requestId: string | null }> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: route, messages: [{ role: 'user', content: 'hello' }] }) });
    return { status: res.status, text: await res.text(), requestId: res.headers.get('x-request-id') };
  }

  test('a SigV4 signature made with the right secret is verified by the mock, with or without a session token', async () => {
    for (const route of ['signed', 'temporary']) {
      const res = await ask(route);
      assert.equal(res.status, 200, res.text);
      assert.match(res.text, /Mock answer from bedrock/);
    }
    assert.equal(mock.stats().unauthorized, 0);
  });

  test('a signature made with a wrong secret gets a 403 InvalidSignatureException from the mock and an auth_error in the gateway, naming no secret', async () => {
    const before = mock.stats().unauthorized;
    const res = await ask('wrong');
    assert.equal(mock.stats().unauthorized, before + 1, 'the mock refused the signature');
    assert.equal(res.status, 502);
    const body = JSON.parse(res.text) as { error: { message: string } };
    assert.match(body.error.message, /rejected the gateway's credentials/);
    for (const secret of [WRONG_SECRET, MOCK_KEY]) assert.ok(!res.text.includes(secret), res.text);
    const attempt = gw.gateway.recentRequest(res.requestId ?? '')?.served.attempts[0];
    assert.equal(attempt?.shape, 'auth_error');
    assert.equal(attempt?.upstreamStatus, 403);
  });

  test('a Bedrock API key is sent as a bearer token: the right one is served, a wrong one is an auth_error', async () => {
    const ok = await ask('keyed');
    assert.equal(ok.status, 200, ok.text);
    const bad = await ask('badkey');
    assert.equal(bad.status, 502);
    assert.ok(!bad.text.includes(API_KEY) && !bad.text.includes(MOCK_KEY), bad.text);
    assert.equal(gw.gateway.recentRequest(bad.requestId ?? '')?.served.attempts[0]?.shape, 'auth_error');
  });
});

describe("the mock's Bedrock key check", () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockServer({ apiKey: MOCK_KEY });
  });
  after(() => mock.close());

  test('no Authorization at all is a 403 MissingAuthenticationTokenException', async () => {
    const res = await fetch(`${mock.origin}/model/${encodeURIComponent(MODEL)}/converse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('x-amzn-errortype') ?? '', /^MissingAuthenticationTokenException/);
    assert.deepEqual(await res.json(), { message: 'Missing Authentication Token' });
  });

  test('a SigV4 header that does not sign the payload hash is refused (the mock checks before reading the body)', async () => {
    const res = await fetch(`${mock.origin}/model/${encodeURIComponent(MODEL)}/converse`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-amz-date': '20250101T000000Z',
        authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
      body: '{}',
    });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('x-amzn-errortype') ?? '', /^InvalidSignatureException/);
  });
});

interface Recorded {
  method: string;
  rawPath: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the SigV4 signature, recomputed from what reached the wire', () => {
  let server: Server;
  let origin: string;
  const received: Recorded[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', rawPath: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const body = JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'ok' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
        res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("matches AWS's algorithm: the ARN path segment encoded twice, the body's SHA-256, the signed headers", async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const provider = await bedrockProvider.create(
      bedrockProvider.options.parse({ type: 'bedrock', region: 'eu-west-1', base_url: origin, access_key_id: ACCESS_KEY_ID, secret_access_key: secret, session_token: SESSION_TOKEN }),
      { name: 'signed' },
    );
    try {
      await provider.chat({
        model: PROFILE_ARN,
        cancel: NEVER_CANCELLED,
        timeouts: { firstByteMs: 5000, idleMs: 5000, totalMs: 10000 },
        headers: { 'x-switchyard-request-id': 'abc' },
        body: { model: 'chat', messages: [{ role: 'user', content: 'sign me' }] },
      });
    } finally {
      await provider.close();
    }
    const request = received.at(-1);
    assert.ok(request);
    assert.equal(request.rawPath, `/model/${encodeURIComponent(PROFILE_ARN)}/converse`, 'the model id is one encoded path segment');
    assert.equal(request.headers['x-amz-security-token'], SESSION_TOKEN);
    assert.equal(request.headers['x-amz-content-sha256'], sha256(request.body));

    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(request.headers.authorization ?? '');
    assert.ok(match, request.headers.authorization);
    const [, keyId, date, region, service, signedList, signature] = match as unknown as string[];
    assert.deepEqual([keyId, region, service], [ACCESS_KEY_ID, 'eu-west-1', 'bedrock']);
    const signed = (signedList as string).split(';');
    for (const name of ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token', 'x-switchyard-request-id']) assert.ok(signed.includes(name), `${name} is signed`);

    // AWS: for every service but S3, each path segment is URI-encoded twice in the canonical request.
    const canonicalUri = request.rawPath.split('/').map(rfc3986).join('/');
    assert.ok(canonicalUri.includes('arn%253Aaws%253Abedrock'), canonicalUri);
    const canonicalHeaders = signed.map((name) => `${name}:${String(request.headers[name]).trim()}\n`).join('');
    const canonicalRequest = [request.method, canonicalUri, '', canonicalHeaders, signedList, sha256(request.body)].join('\n');
    const amzDate = String(request.headers['x-amz-date']);
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    let key: Buffer = hmac(`AWS4${secret}`, date as string);
    for (const part of [region as string, service as string, 'aws4_request']) key = hmac(key, part);
    assert.equal(signature, hmac(key, stringToSign).toString('hex'));
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

/** RFC 3986 percent-encoding, as SigV4 wants it (encodeURIComponent leaves `!'()*` alone). */
function rfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
