/**
 * What a client's HTTP may carry besides a plain JSON body: a compressed body (Content-Encoding),
 * a byte order mark, HEAD on the GET endpoints, headers past node's limit. Each is either read as
 * the request it is or refused with a well-formed error naming the problem, over real sockets.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { clientErrorReply } from '../../src/server/create-server.js';
import { answerWith, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { send, type Reply } from '../helpers/raw-http.js';

function errorOf(reply: Reply): { message: string; code: string; param: string | null } {
  assert.match(String(reply.headers['content-type']), /application\/json/);
  return (JSON.parse(reply.text) as { error: { message: string; code: string; param: string | null } }).error;
}

const LIMIT = 4096;
const ADMIN_TOKEN = 'admin-token-for-head';
const JSON_TYPE = { 'content-type': 'application/json' };
const chat = (content: string) => Buffer.from(JSON.stringify({ model: 'chat', messages: [{ role: 'user', content }] }));

describe('request bodies in a content coding, with a byte order mark, and HEAD', () => {
  let upstream: RecordingUpstream;
  let gw: GatewayFixture;
  before(async () => {
    upstream = await startRecordingUpstream(answerWith('hello'));
    gw = await startGateway({ ...chainConfig([upstream.url]), server: { max_body_bytes: LIMIT, admin_token: ADMIN_TOKEN } });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  for (const [coding, compress] of [
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['GZIP, identity', gzipSync],
  ] as const) {
    test(`a ${coding} body is decoded and served, and the upstream gets plain JSON`, async () => {
      const before = upstream.requests.length;
      const reply = await send(gw.url, 'POST', '/v1/chat/completions', { ...JSON_TYPE, 'content-encoding': coding }, compress(chat(`in ${coding}`)));
      assert.equal(reply.status, 200, reply.text);
      assert.equal((JSON.parse(reply.text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content, 'hello');
      assert.equal(upstream.requests.length, before + 1);
      const sent = upstream.requests.at(-1);
      assert.deepEqual(sent?.body.messages, [{ role: 'user', content: `in ${coding}` }]);
      assert.equal(sent?.headers['content-encoding'], undefined);
    });
  }

  test('the Anthropic endpoint reads a gzip body too', async () => {
    const body = Buffer.from(JSON.stringify({ model: 'chat', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }));
    const reply = await send(gw.url, 'POST', '/v1/messages', { ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipSync(body));
    assert.equal(reply.status, 200, reply.text);
    assert.equal((JSON.parse(reply.text) as { type: string }).type, 'message');
  });

  test('a compressed body that decodes past the body limit is a 413, though it arrived small', async () => {
    const before = upstream.requests.length;
    const compressed = gzipSync(chat('x'.repeat(LIMIT * 4)));
    assert.ok(compressed.length < LIMIT, 'the compressed body itself is within the limit');
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', { ...JSON_TYPE, 'content-encoding': 'gzip' }, compressed);
    assert.equal(reply.status, 413);
    const error = errorOf(reply);
    assert.equal(error.code, 'request_too_large');
    assert.match(error.message, /decompressed request body is larger than this gateway's limit of 4096 bytes/);
    assert.equal(upstream.requests.length, before, 'no upstream call');
  });

  test('a body that is not what its coding says is a 400 invalid_body_encoding', async () => {
    const notGzip = await send(gw.url, 'POST', '/v1/chat/completions', { ...JSON_TYPE, 'content-encoding': 'gzip' }, chat('plain'));
    assert.equal(notGzip.status, 400);
    assert.equal(errorOf(notGzip).code, 'invalid_body_encoding');
    assert.match(errorOf(notGzip).message, /not valid gzip data/);
    // HTTP's deflate is the zlib format; a raw deflate stream is refused, not guessed at.
    const raw = await send(gw.url, 'POST', '/v1/chat/completions', { ...JSON_TYPE, 'content-encoding': 'deflate' }, deflateRawSync(chat('raw')));
    assert.equal(raw.status, 400);
    assert.equal(errorOf(raw).code, 'invalid_body_encoding');
  });

  test('a coding the gateway does not read is a 415 that lists those it does, before the body is read', async () => {
    for (const coding of ['zstd', 'compress', 'gzip, br']) {
      const reply = await send(gw.url, 'POST', '/v1/chat/completions', { ...JSON_TYPE, 'content-encoding': coding }, chat('x'));
      assert.equal(reply.status, 415, coding);
      const error = errorOf(reply);
      assert.equal(error.code, 'unsupported_content_encoding');
      assert.equal(error.param, 'content-encoding');
      assert.match(error.message, /gzip, deflate or br/);
      assert.equal(reply.headers['accept-encoding'], 'gzip, deflate, br');
    }
  });

  test('identity is no coding at all', async () => {
    const reply = await send(gw.url, 'POST', '/v1/chat/completions', { ...JSON_TYPE, 'content-encoding': 'identity' }, chat('plain'));
    assert.equal(reply.status, 200, reply.text);
  });

  test('a UTF-8 byte order mark before the JSON is ignored; the text after it must still parse', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const ok = await send(gw.url, 'POST', '/v1/chat/completions', JSON_TYPE, Buffer.concat([bom, chat('with a BOM')]));
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(upstream.requests.at(-1)?.body.messages, [{ role: 'user', content: 'with a BOM' }]);
    const bad = await send(gw.url, 'POST', '/v1/chat/completions', JSON_TYPE, Buffer.concat([bom, Buffer.from('{"model":')]));
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).code, 'invalid_json');
  });

  test('HEAD on a GET endpoint answers its headers without the body', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (const path of ['/health/live', '/health/ready', '/v1/models', '/v1/models/chat', '/admin/health', '/admin/requests']) {
      const headers = path.startsWith('/admin') ? admin : {};
      const get = await send(gw.url, 'GET', path, headers);
      const head = await send(gw.url, 'HEAD', path, headers);
      assert.equal(head.status, get.status, path);
      assert.equal(head.text, '', path);
      assert.equal(head.headers['content-type'], get.headers['content-type'], path);
      assert.equal(head.headers['content-length'], get.headers['content-length'], path);
    }
    const wrong = await send(gw.url, 'POST', '/v1/models', JSON_TYPE, Buffer.from('{}'));
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'GET, HEAD');
    const noHead = await send(gw.url, 'HEAD', '/v1/chat/completions', {});
    assert.equal(noHead.status, 405);
    assert.equal(noHead.headers.allow, 'POST');
    const adminPost = await send(gw.url, 'POST', '/admin/health', { ...admin, ...JSON_TYPE }, Buffer.from('{}'));
    assert.equal(adminPost.status, 405);
    assert.equal(adminPost.headers.allow, 'GET, HEAD');
  });

  test('headers past node:http limit get a 431 with an OpenAI-shaped body, and the gateway carries on', async () => {
    const reply = await rawExchange(gw.url, `GET /v1/models HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const [head = '', body = ''] = reply.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(head, new RegExp(`content-length: ${Buffer.byteLength(body)}\\r\\n`));
    const error = (JSON.parse(body) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'headers_too_large');
    assert.match(error.message, /16384 bytes/);
    assert.equal((await send(gw.url, 'GET', '/health/live', {})).status, 200);
  });

  test('garbage instead of HTTP is still a 400', async () => {
    const reply = await rawExchange(gw.url, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal((JSON.parse(reply.split('\r\n\r\n')[1] ?? '') as { error: { code: string } }).error.code, 'bad_request');
  });
});

test('a request that did not arrive in time is answered 408 request_timeout', () => {
  const reply = clientErrorReply('ERR_HTTP_REQUEST_TIMEOUT');
  assert.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.equal((JSON.parse(reply.split('\r\n\r\n')[1] ?? '') as { error: { code: string } }).error.code, 'request_timeout');
  assert.match(clientErrorReply(undefined), /^HTTP\/1\.1 400 /);
});

/** Writes raw bytes on a new connection and reads until the server closes it. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
