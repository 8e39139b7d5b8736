/** A legacy completion asked of a chat-only provider: the request as chat, the answer back as a text_completion. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chatBodyOf, completionOfChat, completionStreamOfChat, untranslatable } from '../../src/providers/canonical/completion-via-chat.js';
import type { ChatStream, CompletionBody, StreamChunk } from '../../src/providers/types.js';

describe('completion-via-chat', () => {
  test('the prompt becomes one user message; shared parameters carry over, the legacy-only ones do not', () => {
    const body: CompletionBody = {
      model: 'r',
      prompt: ['Say hi'],
      temperature: 0.2,
      top_p: 0.9,
      n: 2,
      stop: ['\n'],
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      logit_bias: { '50256': -100 },
      seed: 4,
      user: 'u1',
      stream: true,
      stream_options: { include_usage: true },
      echo: true,
      suffix: '',
      best_of: 1,
    };
    assert.equal(untranslatable(body), undefined);
    const { prompt: _prompt, echo: _echo, suffix: _suffix, best_of: _bestOf, ...shared } = body;
    assert.deepEqual(chatBodyOf(body), { ...shared, messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 16 });
    assert.equal(chatBodyOf({ model: 'r', prompt: 'x', max_tokens: 500 }).max_tokens, 500);
  });

  test('what chat cannot carry is named with its parameter', () => {
    const cases: [Partial<CompletionBody>, string][] = [
      [{ prompt: [1, 2] }, 'prompt'],
      [{ prompt: [[1, 2]] }, 'prompt'],
      [{ prompt: ['a', 'b'] }, 'prompt'],
      [{ prompt: 'a', suffix: 'z' }, 'suffix'],
      [{ prompt: 'a', logprobs: 0 }, 'logprobs'],
      [{ prompt: 'a', best_of: 3 }, 'best_of'],
    ];
    for (const [body, param] of cases) assert.equal(untranslatable({ model: 'r', ...body } as CompletionBody)?.param, param, JSON.stringify(body));
  });

  test('a chat completion reads back as a text_completion with its id, model, usage and finish reasons', () => {
    const chat = {
      id: 'msg_1',
      object: 'chat.completion',
      created: 5,
      model: 'claude-x',
      choices: [{ index: 0, message: { role: 'assistant', content: ' there' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
    };
    const result = { text: JSON.stringify(chat), bytes: Buffer.from(JSON.stringify(chat)), id: 'msg_1', responseModel: 'claude-x', finishReasons: [{ unified: 'length' as const, raw: 'length' }], usage: { inputTokens: 2, outputTokens: 1, cachedInputTokens: 0 } };
    const out = completionOfChat(result, { model: 'r', prompt: 'Hi', echo: true });
    assert.equal(out.bytes, undefined, "the chat answer's bytes are not the completion's");
    assert.deepEqual(out.finishReasons, result.finishReasons);
    assert.deepEqual(JSON.parse(out.text), {
      id: 'msg_1',
      object: 'text_completion',
      created: 5,
      model: 'claude-x',
      choices: [{ text: 'Hi there', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: chat.usage,
    });
  });

  test('a chat stream reads back as text_completion chunks; the echoed prompt rides on the first text, or on the finish when no text came', async () => {
    const chunk = (delta: object, finish: string | null, hasContent: boolean): StreamChunk => ({
      data: JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }),
      hasContent,
      finishReason: finish ? { unified: 'stop', raw: finish } : undefined,
      usage: undefined,
    });
    const read = async (chunks: StreamChunk[]) => {
      let cancelled = 0;
      const source: ChatStream = {
        chunks: (async function* () {
          yield* chunks;
        })(),
        cancel: () => cancelled++,
      };
      const stream = completionStreamOfChat(source, { model: 'r', prompt: 'Q:', echo: true });
      const out: { text: string; finish: string | null }[] = [];
      for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next()) {
        const parsed = JSON.parse(next.value.data) as { object: string; choices: { text: string; finish_reason: string | null }[] };
        assert.equal(parsed.object, 'text_completion');
        out.push({ text: parsed.choices[0]?.text ?? '', finish: parsed.choices[0]?.finish_reason ?? null });
      }
      stream.cancel();
      assert.equal(cancelled, 1);
      return out;
    };
    assert.deepEqual(await read([chunk({ role: 'assistant', content: '' }, null, false), chunk({ content: ' A' }, null, true), chunk({ content: '!' }, null, true), chunk({}, 'stop', false)]), [
      { text: 'Q: A', finish: null },
      { text: '!', finish: null },
      { text: '', finish: 'stop' },
    ]);
    assert.deepEqual(await read([chunk({ role: 'assistant', content: '' }, null, false), chunk({}, 'stop', false)]), [{ text: 'Q:', finish: 'stop' }]);
  });
});
