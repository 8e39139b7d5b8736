/**
 * `server.socket`: the gateway also serves on a Unix domain socket, for an app beside it. Real
 * sockets: the `openai` client over the socket (undici's `socketPath`), the file's permissions,
 * a stale file from a killed gateway taken over, a live one or a plain file left alone, and the
 * file gone after a graceful close that let a request on the socket finish.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, stat, writeFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startServer, type ListeningServer } from '../../src/server/create-server.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { chainConfig } from '../helpers/gateway-fixture.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { completeWith } from '../helpers/scripted-answers.js';
import { runCli, startCli } from '../helpers/spawn-cli.js';

type After = { after(fn: () => Promise<unknown> | void): void };

async function socketDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'switchyard-sock-'));
}

async function startOnSocket(t: After, path: string, mode = 0o600, upstream?: RecordingUpstream): Promise<{ gateway: Gateway; listening: ListeningServer; upstream: RecordingUpstream }> {
  const up = upstream ?? (await startRecordingUpstream(completeWith('over the socket')));
  if (!upstream) t.after(() => up.close());
  const gateway = await createGateway(chainConfig([up.url]), { logger: createLogger('silent') });
  t.after(() => gateway.close());
  const listening = await startServer(gateway, { host: '127.0.0.1', port: 0, socket: { path, mode } });
  t.after(() => listening.close());
  return { gateway, listening, upstream: up };
}

/** An `openai` client whose connections go to the Unix socket at `path`. */
function clientOn(t: After, path: string): OpenAI {
  const dispatcher = new Agent({ connect: { socketPath: path } });
  t.after(() => dispatcher.close());
  return new OpenAI({
    baseURL: 'http://switchyard.sock/v1',
    apiKey: 'client-key',
    maxRetries: 0,
    fetch: ((url: string, init: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch,
  });
}

describe('server.socket: serving on a Unix domain socket', () => {
  test('the openai client works over the socket, completions and streams, while TCP still serves; the file has the mode asked for', async (t) => {
    const path = join(await socketDir(), 'gw.sock');
    const { listening } = await startOnSocket(t, path, 0o660);
    assert.equal(listening.socketPath, path);
    assert.equal((await stat(path)).isSocket(), true);
    assert.equal((await stat(path)).mode & 0o777, 0o660);

    const client = clientOn(t, path);
    const { data, response } = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, 'over the socket');
    assert.equal(response.headers.get('x-switchyard-route'), 'chat');
    const models = await client.models.list();
    assert.ok(models.data.some((model) => model.id === 'chat'));
    const tcp = await fetch(`${listening.url}/health/live`);
    assert.equal(tcp.status, 200);
  });

  test('a socket file left by a killed gateway is taken over; a socket another process serves, or a plain file, is left alone', async (t) => {
    const dir = await socketDir();
    const stale = join(dir, 'stale.sock');
    // A process that listens and dies without closing leaves its socket file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await once(child, 'exit');
    assert.equal((await stat(stale)).isSocket(), true, 'the killed process left its socket');
    await startOnSocket(t, stale);
    const res = await undiciFetch('http://x/health/live', { dispatcher: new Agent({ connect: { socketPath: stale } }) });
    assert.equal(res.status, 200);

    const live = join(dir, 'live.sock');
    const other = createServer().listen(live);
    await once(other, 'listening');
    t.after(() => new Promise((resolve) => other.close(resolve)));
    await assert.rejects(startOnSocket(t, live), /Cannot listen on the socket .*live\.sock: another process is listening on it/);

    const plain = join(dir, 'notes.txt');
    await writeFile(plain, 'keep me');
    await assert.rejects(startOnSocket(t, plain), /a file that is not a socket is there \(it was left as it is\)/);
    assert.equal(await readFile(plain, 'utf8'), 'keep me');
  });

  test('close() lets a request on the socket finish, then removes the socket file', async (t) => {
    const upstream = await startRecordingUpstream(async (req, res) => {
      await sleep(200);
      await completeWith('finished during the drain')(req, res);
    });
    t.after(() => upstream.close());
    const path = join(await socketDir(), 'gw.sock');
    const { listening } = await startOnSocket(t, path, 0o600, upstream);
    const answer = clientOn(t, path).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'slow' }] });
    while (upstream.requests.length === 0) await sleep(5);
    const closed = await listening.close();
    assert.deepEqual(closed, { cut: 0 });
    assert.equal((await answer).choices[0]?.message.content, 'finished during the drain');
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  test('switchyard start serves the socket and logs it; check-config refuses a bad mode and a path too long for a socket', async (t) => {
    const upstream = await startRecordingUpstream(completeWith('from the cli'));
    t.after(() => upstream.close());
    const dir = await socketDir();
    const path = join(dir, 'cli.sock');
    const file = join(dir, 'switchyard.yaml');
    const yaml = (socket: string) =>
      `server:\n  port: 0\n  socket:\n${socket}\nlog:\n  level: info\ntelemetry:\n  request_log:\n    store: 'off'\nproviders:\n  up:\n    type: openai-compatible\n    base_url: ${upstream.url}\ndeployments:\n  d:\n    provider: up\n    model: m\nroutes:\n  chat:\n    chain: [d]\n`;
    await writeFile(file, yaml(`    path: ${path}\n    mode: 660`));
    const gateway = await startCli(['--config', file]);
    t.after(() => gateway.stop());
    assert.equal(gateway.logs.find((entry) => entry.msg === 'listening')?.socket, path);
    assert.equal((await stat(path)).mode & 0o777, 0o660, 'an unquoted 660 in YAML is read as octal bits');
    const res = await undiciFetch('http://x/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      dispatcher: new Agent({ connect: { socketPath: path } }),
    });
    assert.equal(res.status, 200);

    await writeFile(file, yaml(`    path: ${path}\n    mode: 999`));
    const badMode = await runCli(['check-config', file]);
    assert.equal(badMode.code, 1);
    assert.match(badMode.stderr + badMode.stdout, /server\.socket\.mode: permission bits in octal, like 660/);
    await writeFile(file, yaml(`    path: /tmp/${'x'.repeat(120)}.sock`));
    const long = await runCli(['check-config', file]);
    assert.equal(long.code, 1);
    assert.match(long.stderr + long.stdout, /server\.socket\.path: a Unix socket path is at most 107 bytes/);
  });
});
