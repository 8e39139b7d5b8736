/**
 * An assistant message a client sends back carries what the gateway answered with (`thinking_blocks`,
 * `reasoning_content`), and a client may mark its prompt for Anthropic's cache (`cache_control`); a
 * server of OpenAI's format that does not define those fields must not get them, or it refuses the
 * whole request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import { withoutGatewayFields } from '../../../src/providers/openai/without-gateway-fields.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { completionJson, startRecordingUpstream, userRequests, type RecordingUpstream, type Responder } from '../../helpers/recording-upstream.js';

const WHOLE: Responder = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(completionJson('ok'));
};

const STREAMED: Responder = (_req, res) => {
  const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] };
  res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
};

const OPENAI = { keepReasoningContent: false, keepCacheMarks: false };
const COMPATIBLE = { keepReasoningContent: true, keepCacheMarks: true };
const MARK = { type: 'ephemeral' };

const ANSWERED = {
  role: 'assistant',
  content: 'It is 4 degrees.',
  reasoning_content: 'Look up the weather.',
  thinking_blocks: [{ type: 'thinking', thinking: 'Look up the weather.', signature: 'c2ln' }],
};

describe('fields of the gateway\'s answers on a message sent back', () => {
  test('thinking_blocks always go; reasoning_content goes unless the provider keeps it; a body without them is the same object', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'a' }, ANSWERED, { role: 'user', content: 'b' }] };
    const dropped = withoutGatewayFields(body, OPENAI);
    assert.deepEqual((dropped.messages as object[])[1], { role: 'assistant', content: 'It is 4 degrees.' });
    const kept = withoutGatewayFields(body, COMPATIBLE);
    assert.deepEqual((kept.messages as object[])[1], { role: 'assistant', content: 'It is 4 degrees.', reasoning_content: 'Look up the weather.' });
    assert.equal(body.messages[1], ANSWERED, "the client's body is not changed");
    const plain = { model: 'm', messages: [{ role: 'user', content: 'a' }], tools: [{ type: 'function', function: { name: 'f' } }] };
    assert.equal(withoutGatewayFields(plain, OPENAI), plain);
  });

  test('cache marks go wherever a client put them, unless the provider keeps them; the rest of the body stays as it was', () => {
    const body = {
      model: 'm',
      cache_control: MARK,
      tools: [{ type: 'function', function: { name: 'f' }, cache_control: MARK }, { type: 'function', function: { name: 'g' } }],
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'rules', cache_control: MARK }] },
        { role: 'user', content: 'hi', cache_control: MARK },
        { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' }, cache_control: MARK }] },
        { role: 'tool', tool_call_id: 't', content: 'done' },
      ],
    };
    const dropped = withoutGatewayFields(body, OPENAI);
    assert.doesNotMatch(JSON.stringify(dropped), /cache_control/);
    assert.deepEqual(dropped.messages, [
      { role: 'system', content: [{ type: 'text', text: 'rules' }] },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      body.messages[3],
    ]);
    assert.deepEqual(dropped.tools, [{ type: 'function', function: { name: 'f' } }, body.tools[1]]);
    assert.match(JSON.stringify(body), /cache_control/, "the client's body is not changed");
    assert.equal(withoutGatewayFields(body, COMPATIBLE), body, 'kept for a provider that takes them');
  });

  describe('through the gateway', () => {
    let openai: RecordingUpstream;
    let compatible: RecordingUpstream;
    let gw: GatewayFixture;
    before(async () => {
      openai = await startRecordingUpstream(WHOLE);
      compatible = await startRecordingUpstream(WHOLE);
      gw = await startGateway({
        log: { level: 'silent' },
        health: { enabled: false },
        telemetry: { request_log: { store: 'off' } },
        providers: {
          openai: { type: 'openai', base_url: openai.url, api_key: 'sk-test-openai-0123456789' },
          compatible: { type: 'openai-compatible', base_url: compatible.url },
        },
        deployments: { openai: { provider: 'openai', model: 'gpt-4o' }, compatible: { provider: 'compatible', model: 'deepseek-chat' } },
        routes: { openai: { chain: ['openai'] }, compatible: { chain: ['compatible'] } },
      } as ConfigInput);
    });
    after(async () => {
      await gw.close();
      await openai.close();
      await compatible.close();
    });

    for (const stream of [false, true]) {
      test(`openai gets neither field, openai-compatible gets reasoning_content only (${stream ? 'streamed' : 'whole'})`, async () => {
        const messages = [{ role: 'user', content: 'weather?' }, ANSWERED, { role: 'user', content: 'and tomorrow?' }] as OpenAI.ChatCompletionMessageParam[];
        openai.respond(stream ? STREAMED : WHOLE);
        compatible.respond(stream ? STREAMED : WHOLE);
        for (const model of ['openai', 'compatible']) {
          if (stream) for await (const _chunk of await gw.client.chat.completions.create({ model, messages, stream: true }));
          else await gw.client.chat.completions.create({ model, messages });
        }
        const sentToOpenAI = userRequests(openai).at(-1)?.body.messages as Record<string, unknown>[];
        const sentToCompatible = userRequests(compatible).at(-1)?.body.messages as Record<string, unknown>[];
        assert.deepEqual(sentToOpenAI[1], { role: 'assistant', content: 'It is 4 degrees.' });
        assert.deepEqual(sentToCompatible[1], { role: 'assistant', content: 'It is 4 degrees.', reasoning_content: 'Look up the weather.' });
      });
    }

    test('a route from an OpenAI-format client with cache marks: openai gets none, openai-compatible gets them as sent', async () => {
      openai.respond(WHOLE);
      compatible.respond(WHOLE);
      const messages = [{ role: 'system', content: [{ type: 'text', text: 'rules', cache_control: MARK }] }, { role: 'user', content: 'hi', cache_control: MARK }];
      for (const model of ['openai', 'compatible']) await gw.client.chat.completions.create({ model, messages } as never);
      assert.doesNotMatch(JSON.stringify(userRequests(openai).at(-1)?.body), /cache_control/);
      assert.deepEqual(userRequests(compatible).at(-1)?.body.messages, messages);
    });
  });
});
