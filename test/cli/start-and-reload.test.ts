import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerWith, completionJson, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { runCli, startCli, type RunningGateway } from '../helpers/spawn-cli.js';

function configYaml(upstreamUrl: string, routes: string[]): string {
  return `server:
  host: 127.0.0.1
  port: 0
log:
  level: info
# Not a request-log test: nothing is written into the repo's .switchyard/.
telemetry:
  request_log:
    store: off
providers:
  up:
    type: openai-compatible
    base_url: ${upstreamUrl}
    api_key: \${TEST_UP_KEY}
deployments:
  d:
    provider: up
    model: m
routes:
${routes.map((route) => `  ${route}:\n    chain: [d]`).join('\n')}
`;
}

async function chat(url: string, model: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
}

describe('switchyard start and SIGHUP reload', () => {
  let upstream: RecordingUpstream;
  let dir: string;
  let file: string;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startRecordingUpstream(answerWith('ok'));
    dir = await mkdtemp(join(tmpdir(), 'switchyard-'));
    file = join(dir, 'switchyard.yaml');
    await writeFile(file, configYaml(upstream.url, ['chat']));
    gateway = await startCli(['--config', file], { TEST_UP_KEY: 'sk-test-secret-key-123456' });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  test('serves the routes of the file', async () => {
    const res = await chat(gateway.url, 'chat');
    assert.equal(res.status, 200);
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((m) => m.id), ['chat']);
  });

  test('warns at start that its deployment\'s model has no price', () => {
    const warning = gateway.logs.find((line) => typeof line.msg === 'string' && line.msg.startsWith('no price is known'));
    assert.equal(warning?.level, 40, JSON.stringify(gateway.logs));
    assert.deepEqual(warning?.deployments, ['d']);
    assert.match(String(warning?.msg), /deployment d \(up\/m\)/);
  });

  test('a changed file is picked up on SIGHUP while a request in flight completes', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    upstream.respond(async (_req, res) => {
      await held;
      const text = completionJson('slow but fine');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
    const inflight = chat(gateway.url, 'chat');
    while (upstream.requests.length < 2) await sleep(10);

    await writeFile(file, configYaml(upstream.url, ['chat', 'chat-v2']));
    gateway.child.kill('SIGHUP');
    let ids: string[] = [];
    for (let i = 0; i < 100 && !ids.includes('chat-v2'); i++) {
      await sleep(50);
      const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string }[] };
      ids = models.data.map((m) => m.id);
    }
    assert.deepEqual(ids, ['chat', 'chat-v2']);

    release();
    const res = await inflight;
    assert.equal(res.status, 200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    assert.equal(body.choices[0]?.message.content, 'slow but fine');
    upstream.respond(answerWith('ok'));
    assert.equal((await chat(gateway.url, 'chat-v2')).status, 200);
    // The address did not change: no restart is asked for.
    assert.ok(!gateway.logs.some((line) => typeof line.msg === 'string' && line.msg.includes('takes a restart')));
  });

  test('an invalid file on SIGHUP is reported and the running config stays', async () => {
    await writeFile(file, 'routes: [not, a, mapping\n');
    gateway.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !gateway.logs.some((line) => line.msg === 'reload failed; the running config stays'); i++) await sleep(50);
    assert.ok(gateway.logs.some((line) => line.msg === 'reload failed; the running config stays'));
    assert.equal((await chat(gateway.url, 'chat-v2')).status, 200);
  });

  test('a new server.port on SIGHUP is applied on restart only, and the log says so', async () => {
    await writeFile(file, configYaml(upstream.url, ['chat', 'chat-v3']).replace('port: 0', 'port: 1'));
    gateway.child.kill('SIGHUP');
    const moved = () => gateway.logs.find((line) => typeof line.msg === 'string' && line.msg.startsWith('server.port changed'));
    for (let i = 0; i < 100 && !moved(); i++) await sleep(50);
    assert.equal(moved()?.level, 40, JSON.stringify(gateway.logs.slice(-5)));
    assert.equal(moved()?.msg, `server.port changed: listening on another address takes a restart; the server goes on at ${gateway.url}`);
    assert.equal(moved()?.port, 1);
    // The rest of the file is in force, on the address the server started on.
    assert.equal((await chat(gateway.url, 'chat-v3')).status, 200);
  });

  test('no log line carries the provider key', () => {
    const all = JSON.stringify(gateway.logs);
    assert.ok(gateway.logs.length > 0);
    assert.ok(!all.includes('sk-test-secret-key-123456'));
  });

  test('SIGTERM shuts down cleanly with exit code 0', async () => {
    assert.equal(await gateway.stop(), 0);
  });
});

describe('switchyard check-config', () => {
  test('a valid file exits 0 with a summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-'));
    const file = join(dir, 'ok.yaml');
    await writeFile(file, configYaml('http://127.0.0.1:9/v1', ['chat']));
    const run = await runCli(['check-config', file], { TEST_UP_KEY: 'k' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /is valid: 1 provider\(s\), 1 deployment\(s\), 1 route\(s\): chat/);
    // A local server's model has no list price: said, without failing the check.
    assert.match(run.stdout, /^note: no price is known for the model of deployment d \(up\/m\): .*its calls get no cost .*telemetry\.pricing\.models can price it$/m);
  });

  test('a file that prices every deployment\'s model gets no pricing note', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-'));
    const file = join(dir, 'priced.yaml');
    await writeFile(file, configYaml('http://127.0.0.1:9/v1', ['chat']).replace('telemetry:\n', 'telemetry:\n  pricing: { models: { m: { input_per_mtok: 1, output_per_mtok: 2 } } }\n'));
    const run = await runCli(['check-config', file], { TEST_UP_KEY: 'k' });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /note:/);
  });

  test('a bad file exits 1 and points at the bad key by path and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, configYaml('http://127.0.0.1:9/v1', ['chat']).replace('model: m', 'modle: m'));
    const run = await runCli(['check-config', file], { TEST_UP_KEY: 'k' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /bad\.yaml:\d+:\d+ deployments\.d: unknown key 'modle' \(did you mean 'model'\?\)/);
    assert.match(run.stderr, /deployments\.d\.model: is required/);
  });

  test('a missing file says so', async () => {
    const run = await runCli(['check-config', '/nonexistent/switchyard.yaml']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no such file/);
  });

  test('version (and --version) prints the package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const argument of ['version', '--version']) {
      const run = await runCli([argument]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `switchyard ${version} (node ${process.version})\n`);
    }
  });

  test('an unknown command prints usage and exits 2', async () => {
    const run = await runCli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Usage: switchyard/);
  });
});

describe('switchyard start: SIGTERM with a stream still going', () => {
  test('cuts it at server.shutdown_timeout_ms, says so in the log, and exits 0', async (t) => {
    const upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'going' }, finish_reason: null }] })}\n\n`);
      // Never ends.
    });
    t.after(() => upstream.close());
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-'));
    const file = join(dir, 'switchyard.yaml');
    await writeFile(file, configYaml(upstream.url, ['chat']).replace('  port: 0\n', '  port: 0\n  shutdown_timeout_ms: 300\n'));
    const gateway = await startCli(['--config', file], { TEST_UP_KEY: 'k' });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'go on' }] }) });
    const reader = res.body!.getReader();
    await reader.read();
    const started = Date.now();
    assert.equal(await gateway.stop(), 0);
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 5_000, `stopped after ${took} ms`);
    const shutdown = gateway.logs.find((entry) => entry.msg === 'shutting down: finishing requests in flight');
    assert.equal(shutdown?.timeoutMs, 300);
    const cut = gateway.logs.find((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('shutdown: connections with a request still in flight were cut'));
    assert.equal(cut?.cut, 1, JSON.stringify(gateway.logs));
    await reader.cancel().catch(() => undefined);
  });
});

describe('switchyard start: a key from ${file:PATH}', () => {
  test('is read again on SIGHUP, so a rotated key is sent from then on, and is never logged', async (t) => {
    const upstream = await startRecordingUpstream(answerWith('ok'));
    t.after(() => upstream.close());
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-'));
    const keyFile = join(dir, 'up-key');
    await writeFile(keyFile, 'sk-first-key-1111\n');
    const file = join(dir, 'switchyard.yaml');
    await writeFile(file, configYaml(upstream.url, ['chat']).replace('${TEST_UP_KEY}', `\${file:${keyFile}}`));
    const gateway = await startCli(['--config', file]);
    t.after(() => gateway.stop());
    assert.equal((await chat(gateway.url, 'chat')).status, 200);
    assert.equal(upstream.requests.at(-1)?.headers.authorization, 'Bearer sk-first-key-1111');

    await writeFile(keyFile, 'sk-rotated-key-2222\n');
    const reloads = () => gateway.logs.filter((line) => line.msg === 'config reloaded').length;
    gateway.child.kill('SIGHUP');
    for (let i = 0; i < 100 && reloads() === 0; i++) await sleep(50);
    assert.equal(reloads(), 1);
    assert.equal((await chat(gateway.url, 'chat')).status, 200);
    assert.equal(upstream.requests.at(-1)?.headers.authorization, 'Bearer sk-rotated-key-2222');
    assert.doesNotMatch(JSON.stringify(gateway.logs), /sk-first-key|sk-rotated-key/);
  });
});
