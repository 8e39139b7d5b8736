/**
 * An OpenAI-format upstream that answers a 400 `unsupported_parameter` (a model that does not take
 * `reasoning_effort`, say) is passed over for the next deployment, as an adapter that cannot
 * translate a parameter is; with no deployment left, the client gets the 400 naming it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APIError } from 'openai';
import { chainConfig, startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { startRecordingUpstream, userRequests, type RecordingUpstream, type Responder } from '../helpers/recording-upstream.js';
import { completeWith, sendJson } from '../helpers/scripted-answers.js';

/** gpt-4o's answer to `reasoning_effort`; anything else is answered. */
const refusesReasoning: Responder = (req, res) => {
  if (req.body.reasoning_effort === undefined) return completeWith('from the first')(req, res);
  sendJson(res, 400, JSON.stringify({ error: { message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.", type: 'invalid_request_error', param: 'reasoning_effort', code: 'unsupported_parameter' } }));
};

describe("a deployment whose model does not take a parameter (OpenAI's unsupported_parameter)", () => {
  let first: RecordingUpstream;
  let second: RecordingUpstream;
  let pair: GatewayFixture;
  let alone: GatewayFixture;
  before(async () => {
    first = await startRecordingUpstream(refusesReasoning);
    second = await startRecordingUpstream(completeWith('from the second'));
    pair = await startGateway(chainConfig([first.url, second.url]));
    alone = await startGateway(chainConfig([first.url]));
  });
  after(async () => {
    await pair.close();
    await alone.close();
    await first.close();
    await second.close();
  });

  test('is passed over: the next deployment serves, and the first is asked once, not retried', async () => {
    const { data, response } = await pair.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'think' }], reasoning_effort: 'high' }).withResponse();
    assert.equal(data.choices[0]?.message.content, 'from the second');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'd1');
    assert.equal(userRequests(first).length, 1, 'the first was asked once, not retried');
    // Without the parameter, the first serves as before.
    const plain = await pair.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(plain.choices[0]?.message.content, 'from the first');
  });

  test('with no deployment left, the client gets the 400 naming the parameter', async () => {
    await assert.rejects(
      alone.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'think' }], reasoning_effort: 'high' }),
      (err: unknown) => err instanceof APIError && err.status === 400 && err.code === 'unsupported_parameter' && (err.param as string | undefined) === 'reasoning_effort',
    );
  });
});
