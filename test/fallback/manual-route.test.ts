/**
 * The manual route, the floor of a chain: a static degraded-mode answer, rule-based answers, and a
 * human handoff to a webhook, each answering in the shape the client asked for.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServerResponse } from 'node:http';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';
import type { GatewayFixture } from '../helpers/gateway-fixture.js';
import { attemptLog, callsTo, contentOf, postChat, setFaults, startMockGateway, userBody, walkOf, type MockGatewayOptions, streamChat } from '../helpers/mock-gateway.js';

const STATIC = { type: 'static', answer: 'Our assistant is down for maintenance; please try again in a few minutes.' };
const FAQ = {
  type: 'rules',
  rules: [
    { match: 'refund', answer: 'Refunds are processed within 5 business days.' },
    { match: 'refund|return', answer: 'You can return any item within 30 days.' },
    { match: '^opening hours', answer: 'We are open 9 to 5.' },
  ],
};

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A gateway whose only deployment always fails (503), in front of the given manual steps. */
async function failingChainTo(t: Parameters<typeof startMockGateway>[0], chainTail: unknown[], manual: Record<string, unknown>, extra: Partial<MockGatewayOptions> = {}): Promise<GatewayFixture> {
  const gw = await startMockGateway(t, { mocks: ['primary'], route: { chain: ['primary', ...chainTail] }, manual, ...extra });
  setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
  return gw;
}


describe('manual route', () => {
  test('a static handler answers with its text as a well-formed completion, named in x-switchyard-manual', async (t) => {
    const gw = await failingChainTo(t, [{ manual: 'degraded' }], { degraded: STATIC });
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, STATIC.answer);
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    assert.equal(data.object, 'chat.completion');
    assert.equal(response.headers.get('x-switchyard-manual'), 'degraded');
    assert.equal(response.headers.get('x-switchyard-deployment'), 'degraded');
    assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
    const log = await attemptLog(gw, response.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'primary:failed:upstream_5xx', 'degraded:served']);
    assert.equal(log.manual, 'degraded');
  });

  test('a rules handler answers with the first rule whose pattern matches the last user message', async (t) => {
    const gw = await failingChainTo(t, [{ manual: 'faq' }], { faq: { ...FAQ, default: 'Please contact support.' } });
    const refund = await postChat(gw, userBody('I want a REFUND for my order'));
    assert.equal(contentOf(refund.json), 'Refunds are processed within 5 business days.', 'matching is case-insensitive and the first match wins');
    const ret = await postChat(gw, userBody('How do I return a jacket?'));
    assert.equal(contentOf(ret.json), 'You can return any item within 30 days.');
    assert.equal(ret.headers.get('x-switchyard-manual'), 'faq');
    const history = await postChat(gw, { model: 'chat', messages: [{ role: 'user', content: 'refund?' }, { role: 'assistant', content: 'Sure.' }, { role: 'user', content: 'opening hours today' }] });
    assert.equal(contentOf(history.json), 'We are open 9 to 5.', 'only the last user message is matched');
  });

  test('a rule is matched in time linear in the message: the docs\' example pattern against 500 KB of its first word', { timeout: 20_000 }, async (t) => {
    // JavaScript's own engine backtracks here: 200 KB took 11 s, and this would take over a minute.
    const gw = await failingChainTo(t, [{ manual: 'faq' }], { faq: { type: 'rules', rules: [{ match: 'reset.*password|forgot.*password', answer: 'Reset it at /reset.' }], default: 'Please contact support.' } });
    const long = await postChat(gw, userBody('reset'.repeat(100_000)));
    assert.equal(contentOf(long.json), 'Please contact support.');
    const asked = await postChat(gw, userBody('I must RESET my Password'));
    assert.equal(contentOf(asked.json), 'Reset it at /reset.');
  });

  test("a rules handler answers with its default when no rule matches", async (t) => {
    const gw = await failingChainTo(t, [{ manual: 'faq' }], { faq: { ...FAQ, default: 'Please contact support.' } });
    const res = await postChat(gw, userBody('Can I pay with bitcoin?'));
    assert.equal(res.status, 200);
    assert.equal(contentOf(res.json), 'Please contact support.');
  });

  test('a rules handler with no match and no default is skipped and the chain goes on to the next step', async (t) => {
    const gw = await failingChainTo(t, [{ manual: 'faq' }, { manual: 'degraded' }], { faq: FAQ, degraded: STATIC });
    const res = await postChat(gw, userBody('Can I pay with bitcoin?'));
    assert.equal(res.status, 200, res.text);
    assert.equal(contentOf(res.json), STATIC.answer);
    assert.equal(res.headers.get('x-switchyard-manual'), 'degraded');
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'primary:failed:upstream_5xx', 'faq:skipped', 'degraded:served']);
  });

  test('a rules handler with no match and no default at the end of the chain leaves the client with the upstream failure', async (t) => {
    const gw = await failingChainTo(t, [{ manual: 'faq' }], { faq: FAQ });
    const res = await postChat(gw, userBody('Can I pay with bitcoin?'));
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.error?.type, 'upstream_error');
    assert.match(res.json.error?.message ?? '', /overloaded/);
    assert.equal(res.headers.get('x-switchyard-manual'), null);
  });

  test('a handoff POSTs the messages and the failures to its webhook and answers with the ticket it returns', async (t) => {
    const webhook = await startRecordingUpstream((_req, res) => json(res, 201, { ticket: 'T-42' }));
    t.after(() => webhook.close());
    const gw = await failingChainTo(t, [{ manual: 'helpdesk' }], {
      helpdesk: { type: 'handoff', webhook: `${webhook.url}/tickets`, headers: { 'x-helpdesk-token': 'hd-secret' }, answer: 'A person will get back to you. Ticket {ticket}.' },
    });
    const messages = [
      { role: 'system', content: 'You are a support bot.' },
      { role: 'user', content: 'My order never arrived.' },
    ];
    const { data, response } = await gw.client.chat.completions.create({ model: 'chat', messages: messages as never }).withResponse();
    assert.equal(data.choices[0]?.message.content, 'A person will get back to you. Ticket T-42.');
    assert.equal(response.headers.get('x-switchyard-manual'), 'helpdesk');

    assert.equal(webhook.requests.length, 1);
    const posted = webhook.requests[0]!;
    assert.equal(posted.method, 'POST');
    assert.equal(posted.path, '/v1/tickets');
    assert.equal(posted.headers['x-helpdesk-token'], 'hd-secret');
    assert.equal(posted.body.type, 'switchyard.handoff');
    assert.equal(posted.body.handler, 'helpdesk');
    assert.equal(posted.body.route, 'chat');
    assert.equal(posted.body.request_id, response.headers.get('x-request-id'));
    assert.deepEqual(posted.body.messages, messages);
    const failures = posted.body.failures as { deployment: string; shape: string; message: string }[];
    assert.ok(failures.length >= 1);
    assert.ok(failures.every((f) => f.deployment === 'primary' && f.shape === 'upstream_5xx' && typeof f.message === 'string'));
    assert.ok(!JSON.stringify(posted.body).includes('sk-'), 'no provider key goes to the webhook');
  });

  test('a failing handoff webhook counts as a failure of that step, and the chain goes on', async (t) => {
    const webhook = await startRecordingUpstream((_req, res) => json(res, 500, { error: 'helpdesk down' }));
    t.after(() => webhook.close());
    const gw = await failingChainTo(t, [{ manual: 'helpdesk' }, { manual: 'degraded' }], { helpdesk: { type: 'handoff', webhook: webhook.url }, degraded: STATIC }, {});
    const res = await postChat(gw, userBody('My order never arrived.'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-manual'), 'degraded');
    assert.ok(webhook.requests.length >= 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    const helpdesk = log.attempts.filter((a) => a.deployment === 'helpdesk');
    assert.ok(helpdesk.length >= 1 && helpdesk.every((a) => a.outcome === 'failed' && a.code === 'handoff_failed'), JSON.stringify(helpdesk));
    assert.equal(log.attempts.at(-1)?.deployment, 'degraded');
  });

  test('a failing handoff webhook at the end of the chain is an error for the client', async (t) => {
    const gw = await failingChainTo(t, [{ manual: 'helpdesk' }], { helpdesk: { type: 'handoff', webhook: 'http://127.0.0.1:9/unreachable', timeout_ms: 500 } });
    const res = await postChat(gw, userBody('My order never arrived.'));
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.error?.code, 'handoff_failed');
  });

  test('manual answers stream through the openai client: static and handoff', async (t) => {
    const webhook = await startRecordingUpstream((_req, res) => json(res, 200, { ticket: 'T-42' }));
    t.after(() => webhook.close());
    const gw = await failingChainTo(t, [{ manual: 'faq' }, { manual: 'helpdesk' }], {
      faq: FAQ,
      helpdesk: { type: 'handoff', webhook: webhook.url },
    });
    const rule = await streamChat(gw, 'I need a refund');
    assert.equal(rule.text, 'Refunds are processed within 5 business days.');
    assert.equal(rule.finish, 'stop');
    assert.equal(rule.headers.get('x-switchyard-manual'), 'faq');

    const handoff = await streamChat(gw, 'My order never arrived.');
    assert.match(handoff.text, /T-42/);
    assert.equal(handoff.finish, 'stop');
    assert.equal(handoff.headers.get('x-switchyard-manual'), 'helpdesk');
    assert.equal(callsTo(gw, 'primary'), 4);
  });
});
