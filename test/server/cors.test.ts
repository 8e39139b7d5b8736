/**
 * `server.cors`: browsers on listed origins may call the API (preflight answered, the gateway's
 * headers readable); other origins, the admin API and /metrics get no CORS headers; without the
 * setting nothing changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { answerWith, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { streamWith } from '../helpers/scripted-answers.js';
import { send as sendRaw } from '../helpers/raw-http.js';

const APP = 'https://app.example.com';
const CHAT = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
/** A request with a JSON body when there is one. */
const send = (url: string, method: string, path: string, headers: Record<string, string>, body?: string) => sendRaw(url, method, path, body === undefined ? headers : { ...headers, 'content-type': 'application/json' }, body);
const PREFLIGHT = { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os' };

describe('server.cors with listed origins', () => {
  let upstream: RecordingUpstream;
  let gw: GatewayFixture;
  before(async () => {
    upstream = await startRecordingUpstream((req, res) => (req.body.stream === true ? streamWith(['hel', 'lo'])(req, res) : answerWith('hello')(req, res)));
    gw = await startGateway({ ...chainConfig([upstream.url]), server: { admin_token: 'admin-token-123456', cors: { allow_origins: [APP, 'http://localhost:5173'], max_age_s: 120 } } });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('a preflight from a listed origin is a 204 that allows the method and the headers asked for', async () => {
    const before = upstream.requests.length;
    const reply = await send(gw.url, 'OPTIONS', '/v1/chat/completions', PREFLIGHT);
    assert.equal(reply.status, 204);
    assert.equal(reply.text, '');
    assert.equal(reply.headers['access-control-allow-origin'], APP);
    assert.match(String(reply.headers['access-control-allow-methods']), /\bPOST\b/);
    assert.equal(reply.headers['access-control-allow-headers'], 'authorization, content-type, x-stainless-os');
    assert.equal(reply.headers['access-control-max-age'], '120');
    assert.equal(reply.headers.vary, 'Origin');
    assert.equal(upstream.requests.length, before, 'a preflight reaches no upstream');
  });

  test("a listed origin's request is served with its origin allowed and the gateway's headers exposed", async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', { origin: APP }, CHAT);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers['access-control-allow-origin'], APP);
    assert.equal(reply.headers.vary, 'Origin');
    const exposed = String(reply.headers['access-control-expose-headers']).split(', ');
    for (const name of ['x-request-id', 'x-switchyard-route', 'x-switchyard-deployment', 'x-switchyard-fallback-reason']) assert.ok(exposed.includes(name), name);
    assert.equal(reply.headers['x-switchyard-route'], 'chat');
  });

  test('errors and streams carry the CORS headers too, so a page can read them', async () => {
    const unknown = await send(gw.url, 'POST', '/v1/chat/completions', { origin: APP }, JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers['access-control-allow-origin'], APP);
    const stream = await send(gw.url, 'POST', '/v1/chat/completions', { origin: 'http://localhost:5173' }, JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /text\/event-stream/);
    assert.equal(stream.headers['access-control-allow-origin'], 'http://localhost:5173');
    assert.match(stream.text, /data: \[DONE\]/);
  });

  test('another origin gets no CORS headers: its browser refuses the answer', async () => {
    const preflight = await send(gw.url, 'OPTIONS', '/v1/chat/completions', { ...PREFLIGHT, origin: 'https://evil.example' });
    assert.equal(preflight.status, 405);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', { origin: 'https://evil.example' }, CHAT);
    assert.equal(reply.headers['access-control-allow-origin'], undefined);
  });

  test('the admin API and /metrics are never cross-origin', async () => {
    for (const path of ['/admin/requests', '/metrics']) {
      const preflight = await send(gw.url, 'OPTIONS', path, { ...PREFLIGHT, 'access-control-request-method': 'GET' });
      assert.equal(preflight.headers['access-control-allow-origin'], undefined, path);
      const reply = await send(gw.url, 'GET', path, { origin: APP, authorization: 'Bearer admin-token-123456' });
      assert.equal(reply.headers['access-control-allow-origin'], undefined, path);
    }
  });
});

test('with any origin allowed (*), the answer says * and does not vary by origin', async () => {
  const upstream = await startRecordingUpstream(answerWith('hello'));
  const gw = await startGateway({ ...chainConfig([upstream.url]), server: { cors: { allow_origins: ['*'] } } });
  try {
    const preflight = await send(gw.url, 'OPTIONS', '/v1/embeddings', { ...PREFLIGHT, origin: 'https://anything.example' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.equal(preflight.headers['access-control-max-age'], '600');
    assert.equal(preflight.headers.vary, undefined);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('without server.cors, no response carries CORS headers and a preflight is a 405', async () => {
  const upstream = await startRecordingUpstream(answerWith('hello'));
  const gw = await startGateway(chainConfig([upstream.url]));
  try {
    const preflight = await send(gw.url, 'OPTIONS', '/v1/chat/completions', PREFLIGHT);
    assert.equal(preflight.status, 405);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', { origin: APP }, CHAT);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['access-control-allow-origin'], undefined);
    assert.equal(reply.headers['access-control-expose-headers'], undefined);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('an allowed origin must be an origin: a path or a bare host is refused by path', () => {
  const base = chainConfig(['http://127.0.0.1:9']);
  for (const bad of ['https://app.example.com/', 'app.example.com', 'https://app.example.com/path']) {
    assert.throws(
      () => parseConfig({ ...base, server: { cors: { allow_origins: [bad] } } }),
      (err: unknown) => err instanceof ConfigError && err.problems.some((problem) => problem.path.join('.') === 'server.cors.allow_origins.0' && /an origin/.test(problem.message)),
      bad,
    );
  }
  assert.deepEqual(parseConfig({ ...base, server: { cors: { allow_origins: ['http://localhost:5173', '*'] } } }).server.cors.allow_origins, ['http://localhost:5173', '*']);
});
