import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chatBody, judgeCompletion, judgeStream, servedFromComment } from '../../src/drill/send-chat.js';

const chunk = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

describe('judging an answer as a client would', () => {
  test('a completion with a message and a normal finish reason succeeds', () => {
    assert.equal(judgeCompletion(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] })), undefined);
  });

  test('a completion that is not JSON, has no choices, or was filtered fails with the reason', () => {
    assert.equal(judgeCompletion('{"choices": [{"mess'), 'body is not JSON');
    assert.equal(judgeCompletion('{"choices": []}'), 'no choices in the completion');
    assert.equal(judgeCompletion('{"choices": [{"finish_reason": "stop"}]}'), 'no message in the completion');
    assert.equal(judgeCompletion(JSON.stringify({ choices: [{ message: { content: '' }, finish_reason: 'content_filter' }] })), 'finish_reason content_filter');
  });

  test('a stream succeeds only when it ends with [DONE] and carried no error event', () => {
    const good = chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hi' }) + chunk({}, 'stop') + 'data: [DONE]\n\n';
    assert.equal(judgeStream(good), undefined);
    assert.equal(judgeStream(chunk({ content: 'Hi' })), 'stream ended without [DONE]');
    assert.equal(judgeStream(chunk({ content: 'Hi' }) + 'data: {"error":{"message":"cut","type":"server_error","code":"connection_error"}}\n\n'), 'stream error event connection_error');
    assert.equal(judgeStream('data: [DONE]\n\n'), 'stream had no chunks');
    assert.equal(judgeStream('data: {oops\n\n'), 'stream event is not JSON');
  });

  test("a stream's last served-by comment says what served (its head named the hop that began it)", () => {
    const body =
      chunk({ role: 'assistant', content: '' }) +
      ': served-by request-id=r1 route=chat hop=1 attempts=2 deployment=primary provider=p0\n\n' +
      ': served-by request-id=r1 route=chat hop=2 attempts=3 deployment=backup provider=p1 fallback-reason=upstream_5xx\n\n' +
      chunk({ content: 'Hi' }) +
      'data: [DONE]\n\n';
    assert.deepEqual(servedFromComment(body), { hop: 2, attempts: 3, deployment: 'backup', fallbackReason: 'upstream_5xx' });
    assert.deepEqual(servedFromComment(': served-by request-id=r2 route=chat hop=1 attempts=1 deployment=primary cache=stale cache-age-ms=12\n\n'), {
      hop: 1,
      attempts: 1,
      deployment: 'primary',
      servedFrom: 'cache',
    });
    assert.equal(servedFromComment(chunk({ content: 'Hi' }) + ': waiting for the first content\n\ndata: [DONE]\n\n'), undefined);
  });

  test('every request body is unique, so the gateway never replays one drill request for another', () => {
    assert.notEqual(chatBody('chat', 'json', 'a-1'), chatBody('chat', 'json', 'a-2'));
    assert.equal(JSON.parse(chatBody('chat', 'stream', 'x')).stream, true);
    assert.equal(JSON.parse(chatBody('chat', 'json', 'x')).stream, undefined);
  });
});
