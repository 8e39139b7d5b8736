/**
 * Trace exports through an HTTP or a SOCKS proxy and to a collector with its own TLS settings
 * (`telemetry.traces.proxy`, `telemetry.traces.tls`): the spans reach a real receiver through a
 * real proxy on a socket, forwarded to an http collector and tunnelled with CONNECT to an https
 * one whose certificate only `tls.ca_file` makes trusted; NO_PROXY and `proxy: none` go direct;
 * settings that cannot be used are config problems at their path, with no password in them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../../src/config/load-config.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { createGateway } from '../../../src/gateway/create-gateway.js';
import type { Env } from '../../../src/providers/http/egress-proxy.js';
import { ConfiguredSinks } from '../../../src/telemetry/create-sinks.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { startHttpProxy } from '../../helpers/http-proxy.js';
import { startSocksProxy } from '../../helpers/socks-proxy.js';
import { answerWith, startRecordingUpstream, type RecordingUpstream } from '../../helpers/recording-upstream.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';

const PASSWORD = 'tr4ce-pr0xy-pw';
const FIXTURES = new URL('../../providers/http/__fixtures__/', import.meta.url);
const CA_FILE = new URL('upstream-test.crt', FIXTURES).pathname;
const SERVER_FIXTURES = new URL('../../server/__fixtures__/', import.meta.url);

let upstream: RecordingUpstream;
before(async () => {
  upstream = await startRecordingUpstream(answerWith('traced'));
});
after(() => upstream.close());

function tracedConfig(traces: Record<string, unknown>): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: { up: { type: 'openai-compatible', base_url: upstream.url, api_key: 'sk-upstream-0123456789' } },
    deployments: { d0: { provider: 'up', model: 'm0' } },
    routes: { chat: { chain: ['d0'] } },
    telemetry: { traces: { enabled: true, ...traces }, request_log: { store: 'off' } },
  } as ConfigInput;
}

/** Serves one request, then closes the gateway, which exports its spans before it returns. */
async function traceOneRequest(config: ConfigInput, env: Env, logLines: string[] = []): Promise<void> {
  const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
  const gateway = await createGateway(config, { env, logger });
  try {
    await gateway.chatCompletion({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
  } finally {
    await gateway.close();
  }
}

const withCredentials = (url: string) => url.replace('http://', `http://ops:${PASSWORD}@`);

describe('trace exports through a proxy', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  test('proxy: URL with credentials: an http collector gets the spans forwarded by the proxy, which alone knows its name', async () => {
    const proxy = await startHttpProxy({ credentials: `ops:${PASSWORD}`, hosts: { 'collector.test:4318': new URL(receiver.url).host } });
    const before = receiver.spans.length;
    const logLines: string[] = [];
    try {
      await traceOneRequest(tracedConfig({ endpoint: 'http://collector.test:4318', proxy: withCredentials(proxy.url) }), {}, logLines);
      assert.deepEqual(
        proxy.seen.map(({ method, target, carried }) => `${method} ${target} ${carried}`),
        ['POST http://collector.test:4318/v1/traces true'],
      );
      assert.ok(receiver.spans.length > before, 'the request span reached the collector');
      const exported = receiver.exports.at(-1);
      assert.equal(exported?.['proxy-authorization'], undefined, 'the proxy credentials stop at the proxy');
      const said = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === `trace exports go through the proxy ${proxy.url}`);
      assert.deepEqual({ collector: said?.collector, proxy: said?.proxy, from: said?.from }, { collector: 'http://collector.test:4318', proxy: proxy.url, from: 'config' });
      assert.ok(!logLines.join('\n').includes(PASSWORD), 'no log line holds the proxy password');
    } finally {
      await proxy.close();
    }
  });

  test('proxy: a SOCKS URL with credentials: an http collector gets the spans through the tunnel, its name resolved by the proxy', async () => {
    const proxy = await startSocksProxy({ credentials: `ops:${PASSWORD}`, hosts: { 'collector.test:4318': new URL(receiver.url).host } });
    const before = receiver.spans.length;
    const logLines: string[] = [];
    try {
      await traceOneRequest(tracedConfig({ endpoint: 'http://collector.test:4318', proxy: `socks5h://ops:${PASSWORD}@127.0.0.1:${proxy.port}` }), {}, logLines);
      assert.deepEqual(proxy.seen, [{ version: 5, host: 'collector.test', port: 4318, credentials: `ops:${PASSWORD}`, carried: true }]);
      assert.ok(receiver.spans.length > before, 'the request span reached the collector');
      assert.ok(!logLines.join('\n').includes(PASSWORD), 'no log line holds the proxy password');
    } finally {
      await proxy.close();
    }
  });

  test('NO_PROXY naming the collector, and proxy: none, send exports direct; a loopback collector is never proxied', async () => {
    const proxy = await startHttpProxy();
    try {
      const before = receiver.spans.length;
      const collector = receiver.url.replace('127.0.0.1', 'localhost');
      await traceOneRequest(tracedConfig({ endpoint: collector }), { HTTP_PROXY: proxy.url });
      await traceOneRequest(tracedConfig({ endpoint: receiver.url }), { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      await traceOneRequest(tracedConfig({ endpoint: receiver.url, proxy: 'none' }), { ALL_PROXY: proxy.url });
      assert.equal(proxy.seen.length, 0, 'nothing went through the proxy');
      assert.equal(new Set(receiver.spans.slice(before).map((span) => span.traceId)).size, 3, 'each request was exported');
    } finally {
      await proxy.close();
    }
  });
});

describe('trace exports to an https collector', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    const key = readFileSync(new URL('upstream-test.key', FIXTURES));
    const cert = readFileSync(new URL('upstream-test.crt', FIXTURES));
    receiver = await startOtlpReceiver({ tls: { key, cert } });
  });
  after(() => receiver.close());

  test('through HTTPS_PROXY, tunnelled with CONNECT, the collector trusted by tls.ca_file; without ca_file the export fails and says so', async () => {
    const proxy = await startHttpProxy({ credentials: `ops:${PASSWORD}`, hosts: { 'upstream.test:443': new URL(receiver.url).host } });
    const env = { HTTPS_PROXY: withCredentials(proxy.url) };
    try {
      const untrusted: string[] = [];
      await traceOneRequest(tracedConfig({ endpoint: 'https://upstream.test' }), env, untrusted);
      assert.equal(receiver.spans.length, 0, 'no span crossed a TLS connection node does not trust');
      const warning = untrusted.map((line) => JSON.parse(line) as { msg: string; err?: { message?: string } }).find((line) => line.msg === 'exporting traces failed; spans dropped');
      assert.match(String(warning?.err?.message), /self-signed|certificate/i);

      const logLines: string[] = [];
      await traceOneRequest(tracedConfig({ endpoint: 'https://upstream.test', tls: { ca_file: CA_FILE } }), env, logLines);
      assert.ok(receiver.spans.length > 0, 'the spans reached the https collector');
      assert.deepEqual(
        proxy.seen.map(({ method, target, carried }) => `${method} ${target} ${carried}`),
        ['CONNECT upstream.test:443 true', 'CONNECT upstream.test:443 true'],
      );
      const said = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === `trace exports go through the proxy ${proxy.url}`);
      assert.equal(said?.from, 'HTTPS_PROXY');
      assert.ok(!logLines.join('\n').includes(PASSWORD) && !untrusted.join('\n').includes(PASSWORD), 'no log line holds the proxy password');
    } finally {
      await proxy.close();
    }
  });

  test('through a SOCKS proxy (ALL_PROXY=socks5h://...): TLS inside the tunnel, the collector trusted by tls.ca_file, its name resolved by the proxy', async () => {
    const proxy = await startSocksProxy({ credentials: `ops:${PASSWORD}`, hosts: { 'upstream.test:443': new URL(receiver.url).host } });
    const before = receiver.spans.length;
    const logLines: string[] = [];
    try {
      await traceOneRequest(tracedConfig({ endpoint: 'https://upstream.test', tls: { ca_file: CA_FILE } }), { ALL_PROXY: `socks5h://ops:${PASSWORD}@127.0.0.1:${proxy.port}` }, logLines);
      assert.ok(receiver.spans.length > before, 'the spans reached the https collector');
      assert.deepEqual(proxy.seen, [{ version: 5, host: 'upstream.test', port: 443, credentials: `ops:${PASSWORD}`, carried: true }]);
      const said = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === `trace exports go through the proxy ${proxy.url}`);
      assert.equal(said?.from, 'ALL_PROXY');
      assert.ok(!logLines.join('\n').includes(PASSWORD), 'no log line holds the proxy password');
    } finally {
      await proxy.close();
    }
  });

  test('direct (proxy: none), tls.ca_file is trusted too, and a reload makes the exporter again so that a rotated file is read', async () => {
    // A collector whose self-signed certificate names 127.0.0.1, reached direct although HTTPS_PROXY is set.
    const local = await startOtlpReceiver({ tls: { key: readFileSync(new URL('gw-a.key', SERVER_FIXTURES)), cert: readFileSync(new URL('gw-a.crt', SERVER_FIXTURES)) } });
    const proxy = await startHttpProxy();
    try {
      await traceOneRequest(tracedConfig({ endpoint: local.url, proxy: 'none', tls: { ca_file: new URL('gw-a.crt', SERVER_FIXTURES).pathname } }), { HTTPS_PROXY: proxy.url });
      assert.ok(local.spans.length > 0, 'the spans reached the collector');
      assert.equal(proxy.seen.length, 0);
    } finally {
      await Promise.all([local.close(), proxy.close()]);
    }

    const sinks = new ConfiguredSinks({ logger: createLogger('silent') });
    const trusted = parseConfig(tracedConfig({ endpoint: 'https://upstream.test', proxy: 'none', tls: { ca_file: CA_FILE } }));
    await sinks.apply(trusted);
    const first = sinks.list()[0];
    await sinks.apply(trusted);
    assert.notEqual(sinks.list()[0], first, 'the sink with TLS files was made again');
    const untouched = parseConfig(tracedConfig({ endpoint: receiver.url }));
    await sinks.apply(untouched);
    const plain = sinks.list()[0];
    await sinks.apply(untouched);
    assert.equal(sinks.list()[0], plain, 'a sink without files is kept across an unchanged reload');
    await Promise.all(sinks.list().map((sink) => sink.close()));
  });
});

describe('trace export settings that cannot be used', () => {
  test('a proxy variable that is not a URL, or a TLS file that cannot be read, is a config problem at its path under telemetry.traces', async () => {
    const logger = createLogger('silent');
    await assert.rejects(createGateway(tracedConfig({ endpoint: 'https://collector.example' }), { env: { HTTPS_PROXY: `http://ops:${PASSWORD}@[oops` }, logger }), (err: Error) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.deepEqual(err.problems.map((problem) => problem.path.join('.')), ['telemetry.traces.proxy']);
      assert.match(err.message, /HTTPS_PROXY is not a URL/);
      assert.ok(!err.message.includes(PASSWORD));
      return true;
    });
    await assert.rejects(createGateway(tracedConfig({ tls: { ca_file: '/nonexistent/ca.pem' } }), { logger }), (err: Error) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.deepEqual(err.problems.map((problem) => problem.path.join('.')), ['telemetry.traces.tls.ca_file']);
      assert.match(err.message, /cannot be read: \/nonexistent\/ca\.pem \(ENOENT\)/);
      return true;
    });
  });

  test('a proxy URL in the file that is not one is refused when the config is checked', async () => {
    await assert.rejects(createGateway(tracedConfig({ proxy: 'ftp://proxy.corp:21' }), { logger: createLogger('silent') }), (err: Error) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.deepEqual(err.problems.map((problem) => problem.path.join('.')), ['telemetry.traces.proxy']);
      return true;
    });
  });
});
