/**
 * An assistant message a client sends back carries what the gateway answered with (`thinking_blocks`,
 * `reasoning_content`); a server of OpenAI's format that does not define those fields must not get
 * them, or it refuses the whole request.
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

const ANSWERED = {
  role: 'assistant',
  content: 'It is 4 degrees.',
  reasoning_content: 'Look up the weather.',
  thinking_blocks: [{ type: 'thinking', thinking: 'Look up the weather.', signature: 'c2ln' }],
};

describe('fields of the gateway\'s answers on a message sent back', () => {
  test('thinking_blocks always go; reasoning_content goes unless the provider keeps it; a body without them is the same object', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'a' }, ANSWERED, { role: 'user', content: 'b' }] };
    const dropped = withoutGatewayFields(body, false);
    assert.deepEqual((dropped.messages as object[])[1], { role: 'assistant', content: 'It is 4 degrees.' });
    const kept = withoutGatewayFields(body, true);
    assert.deepEqual((kept.messages as object[])[1], { role: 'assistant', content: 'It is 4 degrees.', reasoning_content: 'Look up the weather.' });
    assert.equal(body.messages[1], ANSWERED, "the client's body is not changed");
    const plain = { model: 'm', messages: [{ role: 'user', content: 'a' }] };
    assert.equal(withoutGatewayFields(plain, false), plain);
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
  });
});
