import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelSource } from '../../src/cancel.js';
import { writeAnthropicSse } from '../../src/server/anthropic/write-anthropic-sse.js';
import { SSE_HEADERS, writeSse } from '../../src/server/write-sse.js';
import type { StreamChunk } from '../../src/providers/types.js';

function chunk(text: string, role = false): StreamChunk {
  const delta = role ? { role: 'assistant', content: '' } : { content: text };
  return {
    data: JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] }),
    hasContent: !role,
    finishReason: undefined,
    usage: undefined,
  };
}

/** A primed stream: the role chunk and the first text already in hand, the rest arriving later. */
async function* primedChunks(): AsyncGenerator<StreamChunk> {
  yield chunk('', true);
  yield chunk('first');
  await sleep(20);
  yield chunk('later');
}

type Writer = (res: http.ServerResponse) => Promise<void>;

/** What each write to the client's socket carried, one string per system write (write or writev). */
async function socketWrites(writer: Writer): Promise<string[]> {
  const writes: string[] = [];
  const server = http.createServer((req, res) => {
    res.writeHead(200, SSE_HEADERS);
    void writer(res);
  });
  server.on('connection', (socket: Socket) => {
    const internals = socket as unknown as {
      _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error) => void): void;
      _writev(chunks: Array<{ chunk: Buffer | string }>, cb: (err?: Error) => void): void;
    };
    const write = internals._write.bind(socket);
    const writev = internals._writev.bind(socket);
    internals._write = (data, encoding, cb) => {
      writes.push(String(data));
      write(data, encoding, cb);
    };
    internals._writev = (chunks, cb) => {
      writes.push(chunks.map((c) => String(c.chunk)).join(''));
      writev(chunks, cb);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.text();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return writes;
}

// A primed stream's head (the role chunk and the first text) must reach the client in the write that
// carries the headers, so its first read has the first text. Node's http corks a response's writes
// made within one tick; a writer that let a turn of the event loop pass between them would split it.
describe('SSE writers: the chunks in hand leave with the headers', () => {
  const cancel = new CancelSource();
  let openai: string[];
  let anthropic: string[];

  before(async () => {
    openai = await socketWrites((res) => writeSse(res, primedChunks(), { cancel, onError() {} }));
    anthropic = await socketWrites((res) =>
      writeAnthropicSse(res, primedChunks(), { requestedModel: 'm', requestId: 'r1', cancel, onError() {} }),
    );
  });
  after(() => cancel.abort(new Error('done')));

  test('OpenAI framing: headers, the role chunk and the first text in one write; a later chunk in its own', () => {
    const [first = '', ...rest] = openai;
    assert.ok(first.startsWith('HTTP/1.1 200 OK'), first);
    assert.match(first, /"role":"assistant"/);
    assert.match(first, /"content":"first"/);
    assert.doesNotMatch(first, /later/);
    assert.ok(rest.some((write) => write.includes('"content":"later"')));
    assert.match(rest.join(''), /data: \[DONE\]/);
  });

  test('Anthropic framing: headers, message_start and the first text delta in one write', () => {
    const [first = '', ...rest] = anthropic;
    assert.ok(first.startsWith('HTTP/1.1 200 OK'), first);
    assert.match(first, /event: message_start/);
    assert.match(first, /"text":"first"/);
    assert.doesNotMatch(first, /later/);
    assert.ok(rest.some((write) => write.includes('"text":"later"')));
    assert.match(rest.join(''), /event: message_stop/);
  });
});
