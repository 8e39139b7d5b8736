/**
 * `server.cors` in a real browser (Debian's Chromium, driven by playwright-core): a page on one
 * origin calls the gateway on another with the headers an SDK sends (so the browser sends a
 * preflight first), reads the answer, a stream and the gateway's headers; a page on an origin not
 * listed, and any page when CORS is off, is refused by the browser itself.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { answerWith, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { streamWith } from '../helpers/scripted-answers.js';

/** Flags for a headless Chromium on a machine with no network beyond loopback. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Called {
  ok: boolean;
  status?: number;
  route?: string | null;
  requestId?: string | null;
  text?: string;
  error?: string;
}

/** From the page: a chat completion with the headers the openai package sends, so the browser preflights it. */
function callFromPage(page: Page, gatewayUrl: string, stream: boolean): Promise<Called> {
  return page.evaluate(
    async ({ url, stream }) => {
      try {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer page-key', 'x-stainless-lang': 'js' },
          body: JSON.stringify({ model: 'chat', stream, messages: [{ role: 'user', content: 'hi' }] }),
        });
        return { ok: true, status: res.status, route: res.headers.get('x-switchyard-route'), requestId: res.headers.get('x-request-id'), text: await res.text() };
      } catch (err) {
        return { ok: false, error: String(err) };
      }
    },
    { url: gatewayUrl, stream },
  );
}

describe('server.cors in Chromium', () => {
  let browser: Browser;
  let pages: Server;
  let pageOrigin: string;
  let otherOrigin: string;
  let upstream: RecordingUpstream;
  let gw: GatewayFixture;
  let off: GatewayFixture;

  before(async () => {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    // One server, two origins: http://127.0.0.1:PORT is listed, http://localhost:PORT is not.
    pages = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>app</title><p>app</p>');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const { port } = pages.address() as AddressInfo;
    pageOrigin = `http://127.0.0.1:${port}`;
    otherOrigin = `http://localhost:${port}`;
    upstream = await startRecordingUpstream((req, res) => (req.body.stream === true ? streamWith(['hel', 'lo'])(req, res) : answerWith('hello')(req, res)));
    gw = await startGateway({ ...chainConfig([upstream.url]), server: { cors: { allow_origins: [pageOrigin] } } });
    off = await startGateway(chainConfig([upstream.url]));
  });
  after(async () => {
    await browser?.close();
    await gw?.close();
    await off?.close();
    await upstream?.close();
    await new Promise((resolve) => pages?.close(resolve));
  });

  async function pageAt(origin: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return page;
  }

  test('a page on a listed origin gets the answer, and can read which route served it', async () => {
    const page = await pageAt(pageOrigin);
    const called = await callFromPage(page, gw.url, false);
    assert.equal(called.ok, true, called.error);
    assert.equal(called.status, 200);
    assert.equal(called.route, 'chat');
    assert.match(String(called.requestId), /^[0-9a-f-]{36}$/);
    assert.equal((JSON.parse(called.text ?? '{}') as { choices: { message: { content: string } }[] }).choices[0]?.message.content, 'hello');
    const seen = upstream.requests.at(-1);
    assert.equal(seen?.headers.authorization, 'Bearer sk-upstream-secret-0-abcdef', "the upstream gets the provider's key, not the page's");
    await page.close();
  });

  test('a page on a listed origin reads a stream to its end', async () => {
    const page = await pageAt(pageOrigin);
    const called = await callFromPage(page, gw.url, true);
    assert.equal(called.ok, true, called.error);
    assert.equal(called.status, 200);
    assert.match(called.text ?? '', /"content":"hel"/);
    assert.match(called.text ?? '', /data: \[DONE\]/);
    await page.close();
  });

  test('a page on an origin not listed is refused by the browser, before any upstream call', async () => {
    const before = upstream.requests.length;
    const page = await pageAt(otherOrigin);
    const called = await callFromPage(page, gw.url, false);
    assert.equal(called.ok, false);
    assert.match(String(called.error), /Failed to fetch/);
    assert.equal(upstream.requests.length, before, 'the preflight failed, so the request was never sent');
    await page.close();
  });

  test('with CORS off, the listed page is refused too', async () => {
    const page = await pageAt(pageOrigin);
    const called = await callFromPage(page, off.url, false);
    assert.equal(called.ok, false);
    assert.match(String(called.error), /Failed to fetch/);
    await page.close();
  });
});
