/**
 * Calls that leave through a SOCKS proxy (`proxy: socks5h://...`, or ALL_PROXY): a real SOCKS
 * server on a socket carries completions, streams and an https upstream's TLS (trusted through
 * the provider's tls.ca_file); a handoff webhook through one is in egress-proxy.test.ts. Which
 * side resolves the upstream's name follows the scheme, as in curl. Wrong credentials, a refusal,
 * a proxy that is down and one that never answers each fail the hop with a sentence about the
 * proxy, and the chain falls back; the proxy's password is in no error and no log line.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createGateway } from '../../../src/gateway/create-gateway.js';
import { proxyFor } from '../../../src/providers/http/egress-proxy.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { chainConfig, startGateway } from '../../helpers/gateway-fixture.js';
import { completionThenStream, failedHopsThroughProxy, startTlsFront, UPSTREAM_TEST_CA } from '../../helpers/proxied-calls.js';
import { startRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.js';
import { startSocksProxy, type TestSocksProxy, type TestSocksProxyOptions } from '../../helpers/socks-proxy.js';

const PASSWORD = 's0cks-s3cret-pw';

type Providers = Record<string, Record<string, unknown>>;

test('SOCKS proxies are named by version, shown without credentials, and read from ALL_PROXY', () => {
  const https = new URL('https://api.openai.com/v1');
  assert.deepEqual(proxyFor(`socks5h://ops:${PASSWORD}@bastion.corp:1080`, https, {}), {
    url: `socks5h://ops:${PASSWORD}@bastion.corp:1080`,
    shown: 'socks5h://bastion.corp:1080',
    source: 'config',
  });
  for (const scheme of ['socks5', 'socks4a', 'socks4']) assert.equal(proxyFor(`${scheme}://bastion.corp`, https, {})?.shown, `${scheme}://bastion.corp`);
  assert.deepEqual(proxyFor('env', https, { ALL_PROXY: 'socks5h://127.0.0.1:1080' }), { url: 'socks5h://127.0.0.1:1080', shown: 'socks5h://127.0.0.1:1080', source: 'ALL_PROXY' });
  assert.equal(proxyFor('env', https, { ALL_PROXY: 'socks5h://127.0.0.1:1080', NO_PROXY: '.openai.com' }), undefined);
});

describe('calls through a SOCKS proxy', () => {
  let upstream: RecordingUpstream;
  let upstreamPort: number;
  before(async () => {
    upstream = await startRecordingUpstream();
    upstreamPort = Number(new URL(upstream.url).port);
  });
  after(() => upstream.close());

  /** A proxy that alone knows `upstream.test` (port 80) as the recording upstream. */
  const proxyOf = (options: TestSocksProxyOptions = {}): Promise<TestSocksProxy> =>
    startSocksProxy({ ...options, hosts: { 'upstream.test:80': `127.0.0.1:${upstreamPort}`, ...options.hosts } });
  const withCredentials = (proxy: TestSocksProxy, password = PASSWORD, scheme = 'socks5h'): string => `${scheme}://ops:${password}@127.0.0.1:${proxy.port}`;

  test('socks5h with credentials carries completions and streams; the proxy resolves the name, and only it sees the credentials', async () => {
    const proxy = await proxyOf({ credentials: `ops:${PASSWORD}` });
    const config = chainConfig(['http://upstream.test/v1']);
    (config.providers as Providers).p0!.proxy = withCredentials(proxy);
    const logLines: string[] = [];
    const gateway = await startGateway(config, logLines);
    try {
      assert.deepEqual(await completionThenStream(gateway.client, upstream, ' the tunnel'), { completion: 'hello', streamed: 'through the tunnel' });

      // One tunnel, kept alive for both calls, to the name as given.
      assert.deepEqual(proxy.seen, [{ version: 5, host: 'upstream.test', port: 80, credentials: `ops:${PASSWORD}`, carried: true }]);
      const last = upstream.requests.at(-1)!;
      assert.equal(last.headers.authorization, 'Bearer sk-upstream-secret-0-abcdef');
      assert.equal(last.headers.host, 'upstream.test');
      const said = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.proxy !== undefined);
      assert.equal(said?.msg, `calls to p0 go through the proxy socks5h://127.0.0.1:${proxy.port}`);
      assert.equal(said?.from, 'config');
      assert.ok(!logLines.join('\n').includes(PASSWORD));
    } finally {
      await gateway.close();
      await proxy.close();
    }
  });

  test('socks5 and socks4 send the address the gateway looked up; socks4a sends the name and a user id', async () => {
    const local = (await lookup('localhost')).address;
    const v4 = (await lookup('localhost', { family: 4 })).address;
    const proxy = await proxyOf({ hosts: { [`${local}:${upstreamPort}`]: `127.0.0.1:${upstreamPort}`, [`${v4}:${upstreamPort}`]: `127.0.0.1:${upstreamPort}`, [`upstream.test:${upstreamPort}`]: `127.0.0.1:${upstreamPort}` } });
    const routes = { five: { chain: ['d0'] }, four: { chain: ['d1'] }, fourA: { chain: ['d2'] } };
    const config = chainConfig([`http://localhost:${upstreamPort}/v1`, `http://localhost:${upstreamPort}/v1`, `http://upstream.test:${upstreamPort}/v1`], { routes });
    const providers = config.providers as Providers;
    providers.p0!.proxy = `socks5://127.0.0.1:${proxy.port}`;
    providers.p1!.proxy = `socks4://127.0.0.1:${proxy.port}`;
    providers.p2!.proxy = `socks4a://ops@127.0.0.1:${proxy.port}`;
    const gateway = await createGateway(config, { logger: createLogger('silent') });
    try {
      for (const model of Object.keys(routes)) {
        const outcome = await gateway.chatCompletion({ model, messages: [{ role: 'user', content: 'hi' }] });
        assert.equal(outcome.served.attempts.length, 1, model);
      }
      assert.deepEqual(proxy.seen, [
        { version: 5, host: local, port: upstreamPort, credentials: undefined, carried: true },
        { version: 4, host: v4, port: upstreamPort, credentials: undefined, carried: true },
        { version: 4, host: 'upstream.test', port: upstreamPort, credentials: 'ops', carried: true },
      ]);
      assert.notEqual(isIP(local), 0);
    } finally {
      await gateway.close();
      await proxy.close();
    }
  });

  test('an https upstream: TLS inside the tunnel, its certificate trusted through the provider\'s tls.ca_file, and not without it', async () => {
    // upstream.test:443 is, for the proxy alone, a TLS server (the fixture certificate) in front of the recording upstream.
    const tlsFront = await startTlsFront(upstreamPort);
    const proxy = await proxyOf({ hosts: { 'upstream.test:443': `127.0.0.1:${tlsFront.port}` } });
    const config = chainConfig(['https://upstream.test/v1', 'https://upstream.test/v1'], { routes: { trusted: { chain: ['d0'] }, untrusted: { chain: ['d1'] } } });
    const providers = config.providers as Providers;
    providers.p0!.proxy = proxy.url;
    providers.p0!.tls = { ca_file: UPSTREAM_TEST_CA };
    providers.p1!.proxy = proxy.url;
    const gateway = await createGateway(config, { logger: createLogger('silent') });
    try {
      const outcome = await gateway.chatCompletion({ model: 'trusted', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(outcome.served.deployment, 'd0');
      assert.equal(upstream.requests.at(-1)?.headers.host, 'upstream.test');

      await assert.rejects(gateway.chatCompletion({ model: 'untrusted', messages: [{ role: 'user', content: 'hi' }] }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'upstream_tls_error');
        assert.match(err.message, new RegExp(`certificate was not accepted \\(\\w+\\) through the proxy socks5h://127\\.0\\.0\\.1:${proxy.port} \\(from config\\)`));
        return true;
      });
      assert.deepEqual(
        proxy.seen.map(({ host, port }) => `${host}:${port}`),
        ['upstream.test:443', 'upstream.test:443', 'upstream.test:443'],
        'one tunnel for the trusted call, two for the untrusted one (its one quick retry)',
      );
    } finally {
      await gateway.close();
      await proxy.close();
      tlsFront.close();
    }
  });

  test('wrong or missing credentials, a refusal, a proxy that is down or silent: the hop fails with what the proxy did, and the chain falls back', async () => {
    const strict = await proxyOf({ credentials: `ops:${PASSWORD}` });
    const refusing = await proxyOf({ refuse: 2 });
    const silent = await proxyOf({ silent: true });
    const down = await proxyOf();
    await down.close();
    const shown = (proxy: TestSocksProxy) => `socks5h://127.0.0.1:${proxy.port}`;
    const cases = [
      { proxy: withCredentials(strict, 'wrong-pw-123'), code: 'proxy_error', shape: 'connection_error', says: `The proxy ${shown(strict)} (from config) did not accept the credentials it was given (or asks for some and was given none).` },
      { proxy: shown(strict), code: 'proxy_error', shape: 'connection_error', says: `The proxy ${shown(strict)} (from config) did not accept the credentials it was given (or asks for some and was given none).` },
      { proxy: shown(refusing), code: 'proxy_error', shape: 'connection_error', says: `The proxy ${shown(refusing)} (from config) would not connect to upstream.test:80 (NotAllowed).` },
      { proxy: shown(down), code: 'proxy_error', shape: 'connection_error', says: `The proxy ${shown(down)} (from config) could not be reached (ECONNREFUSED).` },
      { proxy: shown(silent), code: 'connect_timeout', shape: 'timeout', says: `The proxy ${shown(silent)} (from config) did not connect within 300 ms (connect_timeout_ms).` },
    ];
    try {
      for (const { proxy, code, shape, says } of cases) {
        const config = chainConfig(['http://upstream.test/v1', upstream.url]);
        const p0 = (config.providers as Providers).p0!;
        p0.proxy = proxy;
        p0.connect_timeout_ms = 300;
        const failed = await failedHopsThroughProxy(config, shape, ['wrong-pw-123', PASSWORD]);
        assert.ok(failed.length >= 1, proxy);
        for (const hop of failed) assert.deepEqual(hop, { deployment: 'd0', code, shape, message: says });
      }
      assert.ok(strict.seen.length === 0, 'the proxy that wanted credentials connected nothing');
      assert.ok(refusing.seen.length >= 1 && refusing.seen.every((seen) => !seen.carried && seen.host === 'upstream.test'));
    } finally {
      await strict.close();
      await refusing.close();
      await silent.close();
    }
  });
});
