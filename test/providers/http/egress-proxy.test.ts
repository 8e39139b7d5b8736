/**
 * Calls that leave through an HTTP proxy: which proxy a provider uses (`proxy: env | none | URL`,
 * HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), and calls through a real proxy on a socket:
 * forwarded requests, CONNECT tunnels to an https upstream, credentials, refusals and a proxy that
 * is down, each ending in an answer or a fallback, with the proxy's password in no error and no log.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { ConfigError } from '../../../src/config/load-config.js';
import { createGateway } from '../../../src/gateway/create-gateway.js';
import { RequestError } from '../../../src/gateway/served.js';
import { bypassesProxy, proxyFor, ProxySettingError } from '../../../src/providers/http/egress-proxy.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { chainConfig, startGateway } from '../../helpers/gateway-fixture.js';
import { startHttpProxy, type TestProxy } from '../../helpers/http-proxy.js';
import { completionThenStream, failedHopsThroughProxy, startTlsFront, UPSTREAM_TEST_CA } from '../../helpers/proxied-calls.js';
import { startSocksProxy } from '../../helpers/socks-proxy.js';
import { answerWith, startRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.js';
import { runCli, startCli } from '../../helpers/spawn-cli.js';

const PASSWORD = 'pr0xy-s3cret-pw';

describe('which proxy a provider uses', () => {
  const https = new URL('https://api.openai.com/v1');
  const http = new URL('http://vllm.internal:8000/v1');

  test('none and a URL are taken as they are; env reads the variable for the scheme, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'http://plain:8080' };
    assert.equal(proxyFor('none', https, env), undefined);
    assert.deepEqual(proxyFor('http://corp:3128', https, env), { url: 'http://corp:3128/', shown: 'http://corp:3128', source: 'config' });
    assert.deepEqual(proxyFor('env', https, env), { url: 'http://lower:3128/', shown: 'http://lower:3128', source: 'https_proxy' });
    assert.deepEqual(proxyFor('env', http, env), { url: 'http://plain:8080/', shown: 'http://plain:8080', source: 'HTTP_PROXY' });
    // HTTPS_PROXY is not used for an http upstream, nor HTTP_PROXY for an https one.
    assert.equal(proxyFor('env', http, { HTTPS_PROXY: 'http://upper:3128' }), undefined);
    assert.equal(proxyFor('env', https, { HTTP_PROXY: 'http://plain:8080' }), undefined);
    assert.equal(proxyFor('env', https, { ALL_PROXY: 'http://all:1080' })?.source, 'ALL_PROXY');
    assert.equal(proxyFor('env', https, {}), undefined);
    assert.equal(proxyFor('env', https, { HTTPS_PROXY: '  ' }), undefined);
  });

  test('credentials stay in the URL used to connect and out of what is shown; a value without a scheme is http', () => {
    const proxy = proxyFor('env', https, { HTTPS_PROXY: `ops:${PASSWORD}@proxy.corp:3128` });
    assert.deepEqual(proxy, { url: `http://ops:${PASSWORD}@proxy.corp:3128/`, shown: 'http://proxy.corp:3128', source: 'HTTPS_PROXY' });
  });

  test('a loopback upstream never goes to the environment\'s proxy, but does to one given in config', () => {
    const env = { HTTP_PROXY: 'http://corp:3128', HTTPS_PROXY: 'http://corp:3128' };
    for (const url of ['http://localhost:11434/v1', 'http://127.0.0.1:8000/v1', 'http://127.9.9.9/v1', 'http://[::1]:8000/v1', 'https://ollama.localhost/v1']) {
      assert.equal(proxyFor('env', new URL(url), env), undefined, url);
    }
    assert.equal(proxyFor('http://corp:3128', new URL('http://127.0.0.1:8000/v1'), env)?.source, 'config');
  });

  test('NO_PROXY: *, names and their subdomains, leading dots, ports, addresses and CIDR blocks', () => {
    const bypass = (url: string, noProxy: string): boolean => bypassesProxy(new URL(url), noProxy);
    assert.equal(bypass('https://api.openai.com', '*'), true);
    assert.equal(bypass('https://openai.com', 'openai.com'), true);
    assert.equal(bypass('https://api.openai.com', 'OpenAI.com'), true);
    assert.equal(bypass('https://notopenai.com', 'openai.com'), false);
    assert.equal(bypass('https://openai.com', '.openai.com'), false);
    assert.equal(bypass('https://api.openai.com', '.openai.com'), true);
    assert.equal(bypass('https://api.openai.com', '*.openai.com'), true);
    assert.equal(bypass('https://api.openai.com.', 'api.openai.com'), true);
    assert.equal(bypass('http://vllm.internal:8000', 'vllm.internal:8000'), true);
    assert.equal(bypass('http://vllm.internal:8001', 'vllm.internal:8000'), false);
    assert.equal(bypass('https://vllm.internal', 'vllm.internal:443'), true);
    assert.equal(bypass('http://10.1.2.3:8000', 'example.com, 10.0.0.0/8'), true);
    assert.equal(bypass('http://11.0.0.1:8000', '10.0.0.0/8'), false);
    assert.equal(bypass('http://10.0.0.7', '10.0.0.7'), true);
    assert.equal(bypass('http://[fd00::7]:8000', 'fd00::/8'), true);
    assert.equal(bypass('http://[fd00::7]:8000', '[fd00::7]:8000'), true);
    assert.equal(bypass('http://[fe80::7]:8000', 'fd00::/8'), false);
    // A CIDR block or an address names addresses only: a host name is not resolved to match one.
    assert.equal(bypass('http://ten.example', '10.0.0.0/8'), false);
    assert.equal(bypass('https://api.openai.com', 'a.example\tb.example  api.openai.com'), true);
    assert.equal(proxyFor('env', new URL('https://api.openai.com'), { HTTPS_PROXY: 'http://corp:3128', no_proxy: '.openai.com', NO_PROXY: '' }), undefined);
  });

  test('a proxy that cannot be used is refused by name, never by its value (it may hold a password)', () => {
    for (const value of [`ftp://ops:${PASSWORD}@proxy:1080`, `socks://ops:${PASSWORD}@proxy:1080`, `socks4://ops:${PASSWORD}@proxy:1080`, `http://ops:${PASSWORD}@[not-a-host`, `http://:${PASSWORD}@proxy:3128`]) {
      assert.throws(
        () => proxyFor('env', new URL('https://api.openai.com'), { HTTPS_PROXY: value }),
        (err: Error) => err instanceof ProxySettingError && err.message.startsWith('HTTPS_PROXY ') && !err.message.includes(PASSWORD),
        value,
      );
    }
  });

  test('check-config points at a bad proxy by its path', async () => {
    const config = chainConfig(['http://127.0.0.1:9/v1']);
    (config.providers as Record<string, Record<string, unknown>>).p0!.proxy = `socks://ops:${PASSWORD}@proxy:1080`;
    await assert.rejects(createGateway(config), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /providers\.p0\.proxy: is a socks:\/\/ URL: name the SOCKS version, socks5h:\/\/, socks5:\/\/, socks4a:\/\/ or socks4:\/\//);
      assert.ok(!err.message.includes(PASSWORD));
      return true;
    });
  });

  test('a bad proxy in the environment stops the gateway with a config problem naming the variable', async () => {
    const config = chainConfig(['https://api.example.test/v1']);
    await assert.rejects(createGateway(config, { env: { HTTPS_PROXY: `http://ops:${PASSWORD}@[oops` } }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /providers\.p0\.proxy: HTTPS_PROXY is not a URL/);
      assert.match(err.message, /proxy: none ignores it/);
      assert.ok(!err.message.includes(PASSWORD));
      return true;
    });
  });
});

describe('calls through a proxy', () => {
  let upstream: RecordingUpstream;
  let upstreamPort: number;
  before(async () => {
    upstream = await startRecordingUpstream();
    upstreamPort = Number(new URL(upstream.url).port);
  });
  after(() => upstream.close());

  /** A proxy that alone knows `upstream.test` (port 80) as the recording upstream. */
  const proxyOf = (options: { credentials?: string; refuseTunnels?: number } = {}): Promise<TestProxy> =>
    startHttpProxy({ ...options, hosts: { 'upstream.test:80': `127.0.0.1:${upstreamPort}` } });
  const withCredentials = (proxy: TestProxy, password = PASSWORD): string => proxy.url.replace('http://', `http://ops:${password}@`);

  test('a proxy given in config carries completions and streams, with its credentials, and only it sees them', async () => {
    const proxy = await proxyOf({ credentials: `ops:${PASSWORD}` });
    const config = chainConfig(['http://upstream.test/v1']);
    (config.providers as Record<string, Record<string, unknown>>).p0!.proxy = withCredentials(proxy);
    const logLines: string[] = [];
    const gateway = await startGateway(config, logLines);
    try {
      assert.deepEqual(await completionThenStream(gateway.client, upstream, ' the proxy'), { completion: 'hello', streamed: 'through the proxy' });

      assert.deepEqual(
        proxy.seen.map(({ method, target, carried }) => ({ method, target, carried })),
        [
          { method: 'POST', target: 'http://upstream.test/v1/chat/completions', carried: true },
          { method: 'POST', target: 'http://upstream.test/v1/chat/completions', carried: true },
        ],
      );
      const last = upstream.requests.at(-1)!;
      assert.equal(last.headers.authorization, 'Bearer sk-upstream-secret-0-abcdef');
      assert.equal(last.headers['proxy-authorization'], undefined);
      assert.equal(last.headers.host, 'upstream.test');
      const started = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.proxy !== undefined);
      assert.deepEqual({ ...started, time: undefined, level: undefined, service: undefined }, {
        provider: 'p0',
        upstream: 'http://upstream.test',
        proxy: proxy.url,
        from: 'config',
        msg: `calls to p0 go through the proxy ${proxy.url}`,
        time: undefined,
        level: undefined,
        service: undefined,
      });
      assert.ok(!logLines.join('\n').includes(PASSWORD));
    } finally {
      await gateway.close();
      await proxy.close();
    }
  });

  test('proxy: env follows HTTP_PROXY and NO_PROXY from the gateway\'s environment; proxy: none and loopback upstreams go direct', async () => {
    const proxy = await proxyOf();
    // p0 through the environment's proxy; p1 names the same host but says none (and cannot resolve it); p2 is loopback.
    const config = chainConfig(['http://upstream.test/v1', 'http://upstream.test/v1', upstream.url]);
    const providers = config.providers as Record<string, Record<string, unknown>>;
    providers.p1!.proxy = 'none';
    providers.p1!.connect_timeout_ms = 1_000;
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: 'other.test,.example.com' };
    const gateway = await createGateway({ ...config, routes: { p0: { chain: ['d0'] }, p1: { chain: ['d1'] }, p2: { chain: ['d2'] } } }, { env, logger: createLogger('silent') });
    try {
      const viaEnv = await gateway.chatCompletion({ model: 'p0', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(viaEnv.served.deployment, 'd0');
      assert.equal(proxy.seen.length, 1);

      await assert.rejects(gateway.chatCompletion({ model: 'p1', messages: [{ role: 'user', content: 'hi' }] }), (err: Error) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.shape, 'connection_error');
        assert.doesNotMatch(err.message, /proxy/);
        return true;
      });
      const loopback = await gateway.chatCompletion({ model: 'p2', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(loopback.served.deployment, 'd2');
      assert.equal(proxy.seen.length, 1, 'neither the provider with proxy: none nor the loopback one went through the proxy');
    } finally {
      await gateway.close();
    }
    // NO_PROXY naming the host sends p0 direct too.
    const bypassing = await createGateway({ ...config, routes: { p0: { chain: ['d0'] } } }, { env: { ...env, NO_PROXY: 'upstream.test' }, logger: createLogger('silent') });
    try {
      await assert.rejects(bypassing.chatCompletion({ model: 'p0', messages: [{ role: 'user', content: 'hi' }] }), RequestError);
      assert.equal(proxy.seen.length, 1);
    } finally {
      await bypassing.close();
      await proxy.close();
    }
  });

  test('a proxy that wants other credentials, refuses a tunnel or is down fails the hop as connection_error, and the chain falls back', async () => {
    const strict = await proxyOf({ credentials: `ops:${PASSWORD}` });
    const refusing = await proxyOf({ refuseTunnels: 403 });
    const down = await proxyOf();
    await down.close();
    const cases = [
      { proxy: withCredentials(strict, 'wrong-pw-123'), base: 'http://upstream.test/v1', code: 'proxy_error', message: `The proxy ${strict.url} (from config) asked for credentials it was not given, or refused them (407).` },
      { proxy: strict.url, base: 'http://upstream.test/v1', code: 'proxy_error', message: `The proxy ${strict.url} (from config) asked for credentials it was not given, or refused them (407).` },
      { proxy: withCredentials(refusing), base: 'https://upstream.test/v1', code: 'proxy_error', message: `The proxy ${refusing.url} (from config) refused the tunnel (403).` },
      { proxy: withCredentials(down), base: 'http://upstream.test/v1', code: 'connection_error', message: `The connection to the upstream failed (ECONNREFUSED) through the proxy ${down.url} (from config).` },
    ];
    try {
      for (const { proxy, base, code, message } of cases) {
        const config = chainConfig([base, upstream.url]);
        (config.providers as Record<string, Record<string, unknown>>).p0!.proxy = proxy;
        // connection_error's default policy: one quick retry of the same deployment, then the next.
        assert.deepEqual(
          await failedHopsThroughProxy(config, 'connection_error', ['wrong-pw-123', PASSWORD]),
          [1, 2].map(() => ({ deployment: 'd0', code, shape: 'connection_error', message })),
          proxy,
        );
      }
      assert.deepEqual(
        strict.seen.map(({ carried, proxyAuthorization }) => ({ carried, basic: proxyAuthorization && Buffer.from(proxyAuthorization.slice(6), 'base64').toString() })),
        [
          { carried: false, basic: 'ops:wrong-pw-123' },
          { carried: false, basic: 'ops:wrong-pw-123' },
          { carried: false, basic: undefined },
          { carried: false, basic: undefined },
        ],
      );
      assert.deepEqual(refusing.seen.map(({ method, target }) => `${method} ${target}`), ['CONNECT upstream.test:443', 'CONNECT upstream.test:443']);
    } finally {
      await strict.close();
      await refusing.close();
    }
  });

  test('a handoff webhook is called through the proxy too: an HTTP one HTTP_PROXY names, a SOCKS one ALL_PROXY names', async () => {
    const helpdesk = await startRecordingUpstream((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ticket: 'T-7' }));
    });
    const hosts = { 'helpdesk.test:80': new URL(helpdesk.url).host };
    const http = await startHttpProxy({ credentials: `ops:${PASSWORD}`, hosts });
    const socks = await startSocksProxy({ credentials: `ops:${PASSWORD}`, hosts });
    const cases = [
      { env: { HTTP_PROXY: withCredentials(http) }, seen: () => http.seen.map(({ method, target, carried }) => `${method} ${target} ${carried}`), expected: ['POST http://helpdesk.test/tickets true'] },
      { env: { ALL_PROXY: `socks5h://ops:${PASSWORD}@127.0.0.1:${socks.port}` }, seen: () => socks.seen.map(({ host, port, carried }) => `${host}:${port} ${carried}`), expected: ['helpdesk.test:80 true'] },
    ];
    try {
      for (const { env, seen, expected } of cases) {
        // The only deployment is down (nothing listens on port 9), so the handoff answers.
        const config = chainConfig(['http://127.0.0.1:9/v1']);
        const gateway = await createGateway(
          {
            ...config,
            manual: { helpdesk: { type: 'handoff', webhook: 'http://helpdesk.test/tickets', answer: 'Ticket {ticket}.' } },
            routes: { chat: { chain: ['d0', { manual: 'helpdesk' }] } },
          },
          { env, logger: createLogger('silent') },
        );
        try {
          const outcome = await gateway.chatCompletion({ model: 'chat', messages: [{ role: 'user', content: 'help' }] });
          assert.equal(outcome.served.manual, 'helpdesk');
          assert.equal(outcome.kind === 'completion' && (JSON.parse(outcome.result.text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content, 'Ticket T-7.');
          assert.deepEqual(seen(), expected);
        } finally {
          await gateway.close();
        }
      }
      assert.equal(helpdesk.requests.length, 2);
    } finally {
      await http.close();
      await socks.close();
      await helpdesk.close();
    }
  });

  test('switchyard start: an https upstream through HTTPS_PROXY, tunnelled with CONNECT, its certificate trusted through NODE_EXTRA_CA_CERTS', async () => {
    // upstream.test:443 is, for the proxy alone, a TLS server (the fixture certificate) in front of the recording upstream.
    const tlsFront = await startTlsFront(upstreamPort);
    const tlsPort = tlsFront.port;
    const proxy = await startHttpProxy({ credentials: `ops:${PASSWORD}`, hosts: { 'upstream.test:443': `127.0.0.1:${tlsPort}` } });
    const config = `
server: { host: 127.0.0.1, port: 0 }
log: { level: info }
telemetry: { request_log: { store: "off" } }
health: { enabled: false }
providers:
  remote: { type: openai, base_url: "https://upstream.test/v1", api_key: "\${UPSTREAM_KEY}" }
deployments:
  d0: { provider: remote, model: gpt-4o-mini }
routes:
  chat: { chain: [d0] }
`;
    const path = join(await mkdtemp(join(tmpdir(), 'switchyard-proxy-')), 'config.yaml');
    await writeFile(path, config);
    const gateway = await startCli(['--config', path], {
      HTTPS_PROXY: withCredentials(proxy),
      NO_PROXY: 'localhost',
      NODE_EXTRA_CA_CERTS: UPSTREAM_TEST_CA,
      UPSTREAM_KEY: 'sk-remote-key-xyz',
    });
    try {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(completion.choices[0]?.message.content, 'hello');
      assert.deepEqual(
        proxy.seen.map(({ method, target, carried }) => `${method} ${target} ${carried}`),
        ['CONNECT upstream.test:443 true'],
      );
      assert.equal(upstream.requests.at(-1)?.headers.authorization, 'Bearer sk-remote-key-xyz');
      const said = gateway.logs.find((entry) => entry.proxy !== undefined);
      assert.equal(said?.msg, `calls to remote go through the proxy ${proxy.url}`);
      assert.equal(said?.from, 'HTTPS_PROXY');
      assert.ok(!JSON.stringify(gateway.logs).includes(PASSWORD));
    } finally {
      await gateway.stop();
      await proxy.close();
      tlsFront.close();
    }
  });
});

describe('check-config says where calls would go through a proxy on this machine', () => {
  test('providers, a handoff webhook and trace exports, each by its own rules; a proxy variable start would refuse is noted without its value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-egress-'));
    const file = join(dir, 'switchyard.yaml');
    await writeFile(
      file,
      `providers:
  openai: { type: openai, api_key: "sk-check-config-0123456789" }
  internal: { type: openai-compatible, base_url: "https://llm.internal.corp/v1" }
  local: { type: openai-compatible, base_url: "http://127.0.0.1:9/v1" }
  direct: { type: anthropic, api_key: "sk-ant-check-0123456789", proxy: none }
deployments:
  d0: { provider: openai, model: gpt-4o-mini }
  d1: { provider: internal, model: m }
  d2: { provider: local, model: m }
  d3: { provider: direct, model: claude-sonnet-4-6 }
manual:
  desk: { type: handoff, webhook: "https://helpdesk.example/tickets", answer: "Ticket {ticket}." }
routes:
  chat: { chain: [d0, d1, d2, d3, { manual: desk }] }
telemetry:
  request_log: { store: "off" }
  traces: { enabled: true, endpoint: "https://otlp.example:4318" }
`,
    );
    const env = { HTTPS_PROXY: `http://ops:${PASSWORD}@proxy.corp:3128`, NO_PROXY: 'internal.corp' };
    const run = await runCli(['check-config', file], env);
    assert.equal(run.code, 0, run.stderr);
    const notes = run.stdout.split('\n').filter((line) => line.includes('proxy'));
    assert.deepEqual(notes, [
      'note: calls to openai (https://api.openai.com) go through the proxy http://proxy.corp:3128 (from HTTPS_PROXY)',
      "note: handoff desk's webhook calls (https://helpdesk.example) go through the proxy http://proxy.corp:3128 (from HTTPS_PROXY)",
      'note: trace exports (https://otlp.example:4318) go through the proxy http://proxy.corp:3128 (from HTTPS_PROXY)',
    ]);

    const refused = await runCli(['check-config', file], { HTTPS_PROXY: `http://ops:${PASSWORD}@[oops` });
    assert.equal(refused.code, 0, 'a note: the environment where the gateway runs may differ');
    assert.match(refused.stdout, /note: providers\.openai\.proxy: HTTPS_PROXY is not a URL.*\(switchyard start would refuse it on this machine\)/);
    assert.ok(!`${run.stdout}${refused.stdout}${refused.stderr}`.includes(PASSWORD), 'the proxy password is never printed');
  });
});
