/**
 * A provider's `tls`: an https upstream whose certificate comes from a private CA (`ca_file`,
 * trusted besides node's own CAs), and one that asks for a client certificate (`cert_file`,
 * `key_file`: mTLS). Without them, the hop fails with a message that says what to set.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ConfigInput } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/config/load-config.js';
import { createGateway } from '../../../src/gateway/create-gateway.js';
import { RequestError } from '../../../src/gateway/served.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { chainConfig } from '../../helpers/gateway-fixture.js';
import { completionJson, startRecordingUpstream } from '../../helpers/recording-upstream.js';

// Two self-signed certificates for 127.0.0.1 (test/server/__fixtures__): A is the upstream's, B the gateway's client certificate.
const FIXTURES = new URL('../../server/__fixtures__/', import.meta.url).pathname;
const A = { cert: join(FIXTURES, 'gw-a.crt'), key: join(FIXTURES, 'gw-a.key') };
const B = { cert: join(FIXTURES, 'gw-b.crt'), key: join(FIXTURES, 'gw-b.key') };

async function httpsUpstream(options: { requireClientCert?: Buffer }): Promise<{ server: Server; url: string; clients: (string | undefined)[] }> {
  const clients: (string | undefined)[] = [];
  const server = createServer(
    { cert: await readFile(A.cert), key: await readFile(A.key), ...(options.requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: [options.requireClientCert] } : {}) },
    (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      clients.push(peer && 'subject' in peer && peer.subject ? String(peer.subject.CN) : undefined);
      req.resume();
      req.on('end', () => {
        const text = completionJson('over private tls');
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
      });
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, clients };
}

function withTls(url: string, tls: Record<string, string> | undefined): ConfigInput {
  const config = chainConfig([url]);
  if (tls) (config.providers as Record<string, Record<string, unknown>>).p0!.tls = tls;
  return config;
}

const ask = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] };

describe("a provider's tls", () => {
  let plain: Awaited<ReturnType<typeof httpsUpstream>>;
  let mutual: Awaited<ReturnType<typeof httpsUpstream>>;
  before(async () => {
    plain = await httpsUpstream({});
    mutual = await httpsUpstream({ requireClientCert: await readFile(B.cert) });
  });
  after(() => {
    plain.server.close();
    mutual.server.close();
  });

  test('an upstream with a private CA: refused with a message naming tls.ca_file, then served once ca_file names the CA', async () => {
    const untrusted = await createGateway(withTls(plain.url, undefined), { logger: createLogger('silent') });
    try {
      await assert.rejects(untrusted.chatCompletion(ask), (err: Error) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.code, 'upstream_tls_error');
        assert.equal(err.shape, 'connection_error');
        assert.match(err.message, /the last: The upstream's TLS certificate was not accepted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\): trust its CA with the provider's tls\.ca_file, or NODE_EXTRA_CA_CERTS\.$/);
        return true;
      });
    } finally {
      await untrusted.close();
    }
    const trusting = await createGateway(withTls(plain.url, { ca_file: A.cert }), { logger: createLogger('silent') });
    try {
      const outcome = await trusting.chatCompletion(ask);
      assert.ok(outcome.kind === 'completion' && outcome.result.text.includes('over private tls'));
    } finally {
      await trusting.close();
    }
  });

  test('an upstream that asks for a client certificate gets the one in cert_file and key_file; without it the handshake fails', async () => {
    const withoutCert = await createGateway(withTls(mutual.url, { ca_file: A.cert }), { logger: createLogger('silent') });
    try {
      await assert.rejects(withoutCert.chatCompletion(ask), (err: Error) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.shape, 'connection_error');
        // TLS 1.3 sends the refusal after the handshake: undici sees the connection closed.
        assert.equal(err.code, 'connection_error');
        return true;
      });
    } finally {
      await withoutCert.close();
    }
    assert.equal(mutual.clients.length, 0, 'no request got through without the certificate');
    const withCert = await createGateway(withTls(mutual.url, { ca_file: A.cert, cert_file: B.cert, key_file: B.key }), { logger: createLogger('silent') });
    try {
      const outcome = await withCert.chatCompletion(ask);
      assert.ok(outcome.kind === 'completion' && outcome.result.text.includes('over private tls'));
      assert.deepEqual(mutual.clients, ['switchyard-test-b']);
    } finally {
      await withCert.close();
    }
  });

  test('an https base_url pointing at a plain-HTTP server: the hop fails saying so', async () => {
    const upstream = await startRecordingUpstream();
    const gateway = await createGateway(withTls(upstream.url.replace('http://', 'https://'), undefined), { logger: createLogger('silent') });
    try {
      await assert.rejects(gateway.chatCompletion(ask), (err: Error) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.code, 'upstream_tls_error');
        assert.match(err.message, /the last: The TLS handshake with the upstream failed \(ERR_SSL_[A-Z_]+\): the upstream did not answer in TLS \(if it serves plain HTTP, its base_url takes http:\/\/\)\.$/);
        return true;
      });
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  test('a file that cannot be read, or half a client certificate, is a config problem at its path', async () => {
    await assert.rejects(createGateway(withTls(plain.url, { ca_file: '/nonexistent/ca.pem' })), (err: Error) => err instanceof ConfigError && /providers\.p0\.tls\.ca_file: cannot be read: \/nonexistent\/ca\.pem \(ENOENT\)/.test(err.message));
    await assert.rejects(createGateway(withTls(plain.url, { cert_file: B.cert })), (err: Error) => err instanceof ConfigError && /providers\.p0\.tls\.key_file: a client certificate takes both cert_file and key_file/.test(err.message));
  });
});
