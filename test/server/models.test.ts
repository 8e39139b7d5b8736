/**
 * GET /v1/models and /v1/models/{id} with the real clients: `openai`'s models.list and retrieve in
 * OpenAI's shape, `@anthropic-ai/sdk`'s in Anthropic's (paged), and each one's errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startAnthropicGateway, type AnthropicFixture } from './messages/anthropic-fixture.js';
import { chainConfig, startGateway } from '../helpers/gateway-fixture.js';

const ROUTES = ['chat', 'fallback', 'recorded'];

describe('the models a client may ask for', () => {
  let fx: AnthropicFixture;
  before(async () => {
    fx = await startAnthropicGateway();
  });
  after(() => fx.close());

  test('openai: models.list names every route, as OpenAI model objects', async () => {
    const listed: OpenAI.Models.Model[] = [];
    for await (const model of fx.gw.client.models.list()) listed.push(model);
    assert.deepEqual(
      listed.map((model) => model.id),
      ROUTES,
    );
    for (const model of listed) {
      assert.equal(model.object, 'model');
      assert.equal(model.owned_by, 'switchyard');
      assert.ok(Math.abs(model.created - Date.now() / 1000) < 600, 'created is in seconds, about now');
    }
  });

  test('openai: models.retrieve gets one route, and a name that is no route is a NotFoundError', async () => {
    const model = await fx.gw.client.models.retrieve('fallback');
    assert.deepEqual({ id: model.id, object: model.object, owned_by: model.owned_by }, { id: 'fallback', object: 'model', owned_by: 'switchyard' });
    await assert.rejects(fx.gw.client.models.retrieve('gpt-nope'), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.code, 'model_not_found');
      assert.match(err.message, /gpt-nope/);
      return true;
    });
  });

  test('anthropic: models.list pages through every route in Anthropic model objects', async () => {
    const first = await fx.anthropic.models.list({ limit: 2 });
    assert.deepEqual(
      first.data.map((model) => model.id),
      ['chat', 'fallback'],
    );
    assert.equal(first.has_more, true);
    const all: string[] = [];
    for await (const model of fx.anthropic.models.list({ limit: 2 })) {
      assert.equal(model.type, 'model');
      assert.equal(model.display_name, model.id);
      assert.ok(!Number.isNaN(Date.parse(model.created_at)), model.created_at);
      all.push(model.id);
    }
    assert.deepEqual(all, ROUTES);
  });

  test('anthropic: models.retrieve, and an unknown name is a NotFoundError in Anthropic shape', async () => {
    const model = await fx.anthropic.models.retrieve('recorded');
    assert.equal(model.type, 'model');
    assert.equal(model.id, 'recorded');
    await assert.rejects(fx.anthropic.models.retrieve('claude-nope'), (err: unknown) => {
      assert.ok(err instanceof Anthropic.NotFoundError);
      assert.equal((err.error as { type: string; error: { type: string } }).type, 'error');
      assert.equal((err.error as { error: { type: string } }).error.type, 'not_found_error');
      return true;
    });
  });

  test("Anthropic's before_id pages backwards, and a bad limit or cursor is a 400 in its shape", async () => {
    const headers = { 'anthropic-version': '2023-06-01' };
    const back = (await (await fetch(`${fx.gw.url}/v1/models?before_id=recorded&limit=1`, { headers })).json()) as { data: { id: string }[]; has_more: boolean; first_id: string; last_id: string };
    assert.deepEqual(back.data.map((model) => model.id), ['fallback']);
    assert.equal(back.has_more, true);
    assert.equal(back.first_id, 'fallback');
    for (const query of ['limit=0', 'limit=1001', 'limit=two', 'after_id=nope', 'after_id=chat&before_id=recorded']) {
      const reply = await fetch(`${fx.gw.url}/v1/models?${query}`, { headers });
      assert.equal(reply.status, 400, query);
      const body = (await reply.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, 'error', query);
      assert.equal(body.error.type, 'invalid_request_error', query);
    }
  });

  test('a model path takes GET and HEAD only', async () => {
    const reply = await fetch(`${fx.gw.url}/v1/models/chat`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.get('allow'), 'GET, HEAD');
    assert.equal(((await reply.json()) as { error: { code: string } }).error.code, 'method_not_allowed');
    const head = await fetch(`${fx.gw.url}/v1/models/chat`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });
});

test('a route name with a slash is found in the path, encoded or not', async () => {
  const gw = await startGateway(chainConfig(['http://127.0.0.1:9'], { routes: { 'team/chat': { chain: ['d0'] } } }));
  try {
    for (const path of ['/v1/models/team/chat', '/v1/models/team%2Fchat', '/models/team/chat']) {
      const reply = await fetch(`${gw.url}${path}`);
      assert.equal(reply.status, 200, path);
      assert.equal(((await reply.json()) as { id: string }).id, 'team/chat', path);
    }
    const bad = await fetch(`${gw.url}/v1/models/%E0%A4%A`);
    assert.equal(bad.status, 400);
  } finally {
    await gw.close();
  }
});

test('after a reload, GET /v1/models lists the new config\'s routes', async () => {
  const gw = await startGateway(chainConfig(['http://127.0.0.1:9']));
  try {
    const ids = async () => ((await (await fetch(`${gw.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((model) => model.id);
    assert.deepEqual(await ids(), ['chat', 'embed']);
    assert.deepEqual(await ids(), ['chat', 'embed']);
    await gw.gateway.reload(chainConfig(['http://127.0.0.1:9'], { routes: { chat: { chain: ['d0'] }, support: { chain: ['d0'] } } }));
    assert.deepEqual(await ids(), ['chat', 'support']);
  } finally {
    await gw.close();
  }
});
