import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig, parseConfigText } from '../../src/config/load-config.js';
import { DEMO_CONFIG_YAML } from '../../src/config/demo-config.js';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, DEFAULT_RECENT_REQUESTS } from '../../src/config/schema.js';

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the config to be rejected');
}

const VALID = `
providers:
  openai:
    type: openai
    api_key: \${TEST_OPENAI_KEY}
  groq:
    type: openai-compatible
    preset: groq
    api_key: \${TEST_GROQ_KEY:-gsk-default}
deployments:
  gpt:
    provider: openai
    model: gpt-4o-mini
  llama:
    provider: groq
    model: llama-3.1-8b-instant
routes:
  chat:
    chain: [gpt, llama]
`;

describe('config loading', () => {
  test('the built-in demo config is valid and fills defaults', () => {
    const config = parseConfigText(DEMO_CONFIG_YAML, 'demo', { env: {} });
    assert.deepEqual(Object.keys(config.routes).sort(), ['chat', 'embed']);
    assert.equal(config.server.port, DEFAULT_PORT);
    assert.equal(config.server.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    assert.equal(config.routes.embed?.deadline_ms, DEFAULT_DEADLINE_MS);
    assert.equal(config.server.recent_requests, DEFAULT_RECENT_REQUESTS);
  });

  test('${VAR} and ${VAR:-default} are read from the environment', () => {
    const config = parseConfigText(VALID, 'x.yaml', { env: { TEST_OPENAI_KEY: 'sk-from-env' } });
    assert.equal(config.providers.openai?.api_key, 'sk-from-env');
    assert.equal(config.providers.groq?.api_key, 'gsk-default');
  });

  test('an environment value cannot change the structure of the file', () => {
    const config = parseConfigText(VALID, 'x.yaml', { env: { TEST_OPENAI_KEY: 'a\nrouting: {}\nb: [' } });
    assert.equal(config.providers.openai?.api_key, 'a\nrouting: {}\nb: [');
  });

  test('numbers may come from the environment', () => {
    const config = parseConfigText(`server:\n  port: \${PORT}\nproviders: {}\ndeployments: {}\nroutes: {}\n`, 'x.yaml', { env: { PORT: '9123' } });
    assert.equal(config.server.port, 9123);
  });

  test('$${ is a literal ${, and a parsed config given to parseConfig again (createGateway, a reload) is not interpolated a second time', () => {
    const text = `manual:\n  h:\n    type: static\n    answer: "Write $\${NAME} for a variable"\nproviders: {}\ndeployments: {}\nroutes: {}\n`;
    const config = parseConfigText(text, 'x.yaml', { env: { NAME: 'leaked' } });
    const answer = (config: ReturnType<typeof parseConfig>) => (config.manual.h?.type === 'static' ? config.manual.h.answer : undefined);
    assert.equal(answer(config), 'Write ${NAME} for a variable');
    assert.equal(answer(parseConfig(config, { env: { NAME: 'leaked' } })), 'Write ${NAME} for a variable');
    // Nor does a variable that is not set fail it the second time.
    assert.equal(answer(parseConfig(parseConfigText(text, 'x.yaml', { env: {} }), { env: {} })), 'Write ${NAME} for a variable');
  });

  test('${file:PATH} is the file\'s text without its trailing line breaks, anywhere in a value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-secrets-'));
    writeFileSync(join(dir, 'openai'), 'sk-from-file-123\n');
    writeFileSync(join(dir, 'port'), '9124\r\n');
    const text = VALID.replace('${TEST_OPENAI_KEY}', `\${file:${dir}/openai}`).replace('routes:', `server:\n  port: \${file:${dir}/port}\n  admin_token: "Admin-\${file:${dir}/openai}-x"\nroutes:`);
    const config = parseConfigText(text, 'x.yaml', { env: {} });
    assert.equal(config.providers.openai?.api_key, 'sk-from-file-123');
    assert.equal(config.server.port, 9124);
    assert.equal(config.server.admin_token, 'Admin-sk-from-file-123-x');
  });

  test('a ${file:PATH} that cannot be read or is empty is reported at its path and line; a file\'s text is never shown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-secrets-'));
    writeFileSync(join(dir, 'empty'), '\n');
    writeFileSync(join(dir, 'secret'), 'sk-never-shown-456\n');
    const text = VALID.replace('${TEST_OPENAI_KEY}', `\${file:${dir}/missing}`)
      .replace('${TEST_GROQ_KEY:-gsk-default}', `\${file:${dir}/empty}`)
      .replace('routes:', `server:\n  port: \${file:${dir}/secret}\n  host: \${file:}\nroutes:`);
    const message = problemsOf(() => parseConfigText(text, 'x.yaml', { env: {} }));
    assert.match(message, new RegExp(`x\\.yaml:5:14 providers\\.openai\\.api_key: cannot read the file ${dir}/missing \\(no such file\\)`));
    assert.match(message, new RegExp(`providers\\.groq\\.api_key: the file ${dir}/empty is empty`));
    assert.match(message, new RegExp(`server\\.port: expected a number, got the text of \\$\\{file:${dir}/secret\\} \\(not shown\\)`));
    assert.match(message, /server\.host: \$\{file:\} names no file/);
    assert.doesNotMatch(message, /sk-never-shown/);
    assert.match(message, /has 4 problems:/, 'the empty values the references left behind are not reported a second time');
  });

  test('a missing environment variable is reported at its path and line', () => {
    const message = problemsOf(() => parseConfigText(VALID, 'x.yaml', { env: {} }));
    assert.match(message, /x\.yaml:5:14 providers\.openai\.api_key: environment variable TEST_OPENAI_KEY is not set/);
    assert.match(message, /has a problem:/, 'the empty value left by the missing variable is not reported a second time');
  });

  test('an unknown key is named, with the key it probably meant', () => {
    const message = problemsOf(() => parseConfigText(VALID.replace('api_key: ${TEST_OPENAI_KEY}', 'apikey: sk-x'), 'x.yaml', { env: {} }));
    assert.match(message, /providers\.openai: unknown key 'apikey' \(did you mean 'api_key'\?\)/);
  });

  test('suggestions come from the keys allowed where the unknown key stands', () => {
    const message = problemsOf(() =>
      parseConfig({ providers: { m: { type: 'mock', faultz: [] } }, deployments: { d: { provider: 'm', model: 'x' } }, routes: { chat: { chian: ['d'] } } }),
    );
    assert.match(message, /providers\.m: unknown key 'faultz' \(did you mean 'faults'\?\)/);
    assert.match(message, /routes\.chat: unknown key 'chian' \(did you mean 'chain'\?\)/);
  });

  test('a wrong type says what was expected and what was found', () => {
    const message = problemsOf(() => parseConfig({ server: { port: 'eighty' }, providers: {}, deployments: {}, routes: {} }));
    assert.match(message, /server\.port: expected a whole number|server\.port: expected a number/);
    assert.match(message, /"eighty"/);
  });

  test("a manual rule's pattern that RE2 cannot match in linear time (a lookaround, a backreference) is refused in RE2's words", () => {
    const withRules = (...matches: string[]) => ({
      manual: { faq: { type: 'rules', rules: matches.map((match) => ({ match, answer: 'a' })) } },
      providers: {},
      deployments: {},
      routes: {},
    });
    const message = problemsOf(() => parseConfig(withRules('(?=refund)refund', '(a)\\1', '(')));
    assert.match(message, /manual\.faq\.rules\[0\]\.match: is not a regular expression the gateway can match in linear time \(RE2 syntax: no lookarounds or backreferences\): invalid or unsupported Perl syntax: `\(\?=`/);
    assert.match(message, /manual\.faq\.rules\[1\]\.match: .*invalid escape sequence: `\\1`/);
    assert.match(message, /manual\.faq\.rules\[2\]\.match: .*missing closing \)/);
    assert.doesNotThrow(() => parseConfig(withRules('reset.*password|forgot.*password', '^opening hours', '\\brefunds?\\b')));
  });

  test('the number of recent requests kept is a whole number, 0 or more', () => {
    const empty = { providers: {}, deployments: {}, routes: {} };
    assert.equal(parseConfig({ server: { recent_requests: 0 }, ...empty }).server.recent_requests, 0);
    assert.match(problemsOf(() => parseConfig({ server: { recent_requests: -1 }, ...empty })), /server\.recent_requests: .*0/);
    assert.match(problemsOf(() => parseConfig({ server: { recent_requests: 2.5 }, ...empty })), /server\.recent_requests/);
  });

  test('an unknown provider type lists the known ones', () => {
    const message = problemsOf(() => parseConfig({ providers: { x: { type: 'nope' } }, deployments: {}, routes: {} }));
    assert.match(message, /providers\.x/);
    assert.match(message, /openai-compatible/);
  });

  test('dangling references between routes, deployments and providers are reported at the referring key', () => {
    const message = problemsOf(() =>
      parseConfig({
        providers: { a: { type: 'openai', api_key: 'k' } },
        deployments: { d: { provider: 'missing', model: 'm' } },
        routes: { chat: { chain: ['d', 'ghost'] } },
      }),
    );
    assert.match(message, /deployments\.d\.provider: names provider 'missing'/);
    assert.match(message, /routes\.chat\.chain\[1\]: names deployment 'ghost'/);
  });

  test('every problem is reported at once', () => {
    const message = problemsOf(() => parseConfig({ server: { port: -1 }, providers: {}, deployments: {}, routes: { chat: { chain: [] } } }));
    assert.match(message, /2 problems/);
  });

  test('a preset that needs a key without one is refused', () => {
    const message = problemsOf(() => parseConfig({ providers: { g: { type: 'openai-compatible', preset: 'groq' } }, deployments: {}, routes: {} }));
    assert.match(message, /providers\.g\.api_key: the groq preset needs an api_key/);
  });

  test('YAML syntax errors give the line', () => {
    const message = problemsOf(() => parseConfigText('providers:\n  a: [1, 2\n', 'bad.yaml', { env: {} }));
    assert.match(message, /bad\.yaml:\d+:\d+/);
  });
});
